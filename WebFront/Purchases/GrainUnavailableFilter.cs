using TicketFlow.Grains;

namespace TicketFlow.WebFront.Purchases;

/// <summary>
/// A grain call that found no silo or gateway, timed out (outcome unknown), or failed in the grain's storage is the
/// cluster's trouble, not the client's: 503 with Retry-After, never 500. The requests behind these calls are safe to
/// retry with the same Idempotency-Key, which then gets the one true outcome.
/// </summary>
public sealed class GrainUnavailableFilter(ILogger<GrainUnavailableFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            logger.LogWarning("{Path}: the cluster could not answer ({Type}: {Error})", context.HttpContext.Request.Path, error.GetType().Name, error.Message);
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "unavailable",
                "The cluster could not finish this request; retry with the same Idempotency-Key.");
        }
    }
}
