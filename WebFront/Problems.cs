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
}
