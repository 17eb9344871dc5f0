namespace TicketFlow.WebFront.Conventions;

/// <summary>
/// Every request gets a correlation id: the caller's <c>X-Correlation-Id</c> when it is well-formed, else a new one.
/// It is echoed in the response, put in every log line's scope, and used as the problem-details <c>traceId</c>.
/// </summary>
public sealed class CorrelationIdMiddleware(RequestDelegate next, ILogger<CorrelationIdMiddleware> logger)
{
    public const string Header = "X-Correlation-Id";

    public async Task InvokeAsync(HttpContext http)
    {
        var offered = http.Request.Headers[Header].ToString();
        var id = IsWellFormed(offered) ? offered : Guid.NewGuid().ToString("N");
        http.TraceIdentifier = id;
        http.Response.Headers[Header] = id;
        using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = id }))
            await next(http);
    }

    private static bool IsWellFormed(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
