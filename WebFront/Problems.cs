namespace TicketFlow.WebFront;

/// <summary>RFC 9457 problem details with the stable <c>code</c> extension clients switch on.</summary>
public static class Problems
{
    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.ValidationProblem(errors, title: "The request has invalid fields.", extensions: Code("validation"));

    public static IResult Conflict(string code, string detail) => Problem(StatusCodes.Status409Conflict, code, detail);

    public static IResult Unauthorized(string code, string detail) => Problem(StatusCodes.Status401Unauthorized, code, detail);

    public static IResult Problem(int status, string code, string detail) =>
        Results.Problem(statusCode: status, title: code.Replace('_', ' '), detail: detail, type: $"https://ticketflow.dev/problems/{code}", extensions: Code(code));

    private static Dictionary<string, object?> Code(string code) => new() { ["code"] = code };

    /// <summary>
    /// The status of a request that threw: the database being unreachable or restarting (connection refused, shutting
    /// down, too many clients, a connection refused or reset, also when a silo hit it during the grain call) or the cluster
    /// failing a grain call (any Orleans runtime failure, a timeout) is a 503 the client may retry with the same
    /// Idempotency-Key, not a 500.
    /// </summary>
    public static int StatusFor(Exception error) => error switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ when TicketFlow.Data.DatabaseErrors.IsOutage(error) || TicketFlow.Grains.GrainCallFailures.IsTransient(error) => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The code of a problem nobody named: one per status.</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "request_too_large",
        415 => "unsupported_media_type",
        429 => "rate_limited",
        503 => "unavailable",
        _ => status >= 500 ? "server_error" : "error",
    };
}
