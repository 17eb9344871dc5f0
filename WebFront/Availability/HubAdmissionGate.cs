using System.Globalization;

namespace TicketFlow.WebFront.Availability;

/// <summary>
/// Put in front of the hub's endpoints: a client that would start a connection (negotiate, or a WebSocket that skips
/// negotiation) gets 503 + Retry-After when <see cref="HubAdmission"/> has no room, before any transport starts. Transport
/// requests carrying a connection id belong to a connection negotiate already admitted and pass.
/// </summary>
public static class HubAdmissionGate
{
    public static TBuilder RequireHubAdmission<TBuilder>(this TBuilder builder, HubAdmission admission) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"Endpoint {endpoint.DisplayName} has no request delegate.");
            endpoint.RequestDelegate = context => AdmitAsync(context, inner, admission);
        });
        return builder;
    }

    private static Task AdmitAsync(HttpContext context, RequestDelegate next, HubAdmission admission)
    {
        var negotiate = context.Request.Path.Value?.EndsWith("/negotiate", StringComparison.Ordinal) == true;
        // Without an id only a WebSocket that skips negotiation gets a connection (an HTTP/1.1 upgrade or an HTTP/2 CONNECT;
        // the WebSocket feature itself is added inside the hub's endpoint, after this runs), so every such request is checked.
        var startsConnection = negotiate || !context.Request.Query.ContainsKey("id");
        if (!startsConnection) return next(context);
        if (!admission.HasRoomFor(context.Connection.RemoteIpAddress)) return RefuseAsync(context, admission.RetryAfterSeconds);
        // The transport comes on a connection of its own; negotiate's, kept alive, would be a second descriptor per client.
        if (negotiate && HttpProtocol.IsHttp11(context.Request.Protocol)) context.Response.Headers.Connection = "close";
        return next(context);
    }

    private static Task RefuseAsync(HttpContext context, int retryAfterSeconds)
    {
        // Between N and 2N seconds, so a refused crowd does not come back in one wave; set when the response starts, after
        // the problem-details customization (which says 1 s for every 503).
        var retryAfter = (retryAfterSeconds + Random.Shared.Next(retryAfterSeconds + 1)).ToString(CultureInfo.InvariantCulture);
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.RetryAfter = retryAfter;
            return Task.CompletedTask;
        });
        return Problems.Of(ProblemCodes.TooManyConnections).ExecuteAsync(context);
    }
}
