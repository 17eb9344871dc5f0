using TicketFlow.Grains;

namespace TicketFlow.WebFront.Purchases;

/// <summary>
/// A grain call that found no silo or gateway, timed out (outcome unknown), or failed in the grain's storage is the
/// cluster's trouble, not the client's: 503 with Retry-After, never 500. The requests behind these calls are safe to
/// retry with the same Idempotency-Key, which then gets the one true outcome. While the cluster is down every request
/// fails alike: the log gets the first failure and then one line per <see cref="LogEvery"/> with how many there were
/// (a line per request was most of the WebFront's CPU during an outage, measured in the chaos run).
/// </summary>
public sealed class GrainUnavailableFilter(ILogger<GrainUnavailableFilter> logger, TimeProvider time) : IEndpointFilter
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(10);
    private readonly Lock gate = new();
    private long unlogged;
    private DateTimeOffset lastLogged = DateTimeOffset.MinValue;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            Log(context.HttpContext.Request.Path, error);
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return Problems.Of(ProblemCodes.Unavailable, "The cluster could not finish this request; retry with the same Idempotency-Key.");
        }
    }

    private void Log(PathString path, Exception error)
    {
        long others;
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (now - lastLogged < LogEvery) { unlogged++; return; }
            (others, unlogged, lastLogged) = (unlogged, 0, now);
        }
        logger.LogWarning("{Path}: the cluster could not answer ({Type}: {Error}); {Others} more such requests since the last line",
            path, error.GetType().Name, error.Message, others);
    }
}
