using TicketFlow.Runtime;

namespace TicketFlow.WebFront.Purchases;

/// <summary>
/// A grain call that timed out, found no silo, or failed inside the grain (e.g. its storage write failed) is the
/// server's trouble, not the client's: 503 with Retry-After, never 500. The sagas behind these calls are safe to retry.
/// </summary>
public sealed class GrainUnavailableFilter(ILogger<GrainUnavailableFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception error) when (error is RetryableGrainException or GrainCallTimeoutException or GrainCallOutcomeUnknownException or GrainException)
        {
            if (error is GrainException failed) logger.LogError("{Path}: grain call failed with {Type}: {Error}", context.HttpContext.Request.Path, failed.OriginalType, failed.Message);
            else logger.LogWarning("{Path}: {Error}", context.HttpContext.Request.Path, error.Message);
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "unavailable",
                "The cluster could not finish this request in time; retry with the same Idempotency-Key.");
        }
    }
}
