using Microsoft.AspNetCore.Antiforgery;

namespace TicketFlow.WebFront.Security;

/// <summary>
/// A browser sends the session cookie with every request to this site, also with a form another site posts here. So a
/// state-changing request that the cookie authenticates must show it comes from TicketFlow's own pages: an
/// <c>Origin</c> (or <c>Sec-Fetch-Site</c>) saying so, or else a valid antiforgery token (the <c>X-CSRF-TOKEN</c> header
/// the pages' scripts send, or the form field of a server-rendered form). A request from another origin is refused even
/// with a token. Bearer-token requests carry no ambient credential and are not checked; neither are anonymous ones.
/// </summary>
public sealed class CrossSiteRequestMiddleware(RequestDelegate next, IAntiforgery antiforgery)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (IsSafe(http.Request.Method) || http.User.Identity?.IsAuthenticated != true || UsesBearerToken(http.Request))
        {
            await next(http);
            return;
        }
        var origin = SameOrigin(http.Request);
        if (origin == false || (origin is null && !await antiforgery.IsRequestValidAsync(http)))
        {
            await Problems.Of(ProblemCodes.CrossSiteRequest).ExecuteAsync(http);
            return;
        }
        await next(http);
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static bool UsesBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the browser says the request comes from this origin, false when it says another, null when it says
    /// nothing (an older browser or not a browser: the antiforgery token decides).</summary>
    public static bool? SameOrigin(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0 && fetchSite is not ("same-origin" or "none")) return false;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return fetchSite.Length > 0 ? true : null;
        // Behind a proxy, scheme and host are the client's (forwarded headers run first).
        return string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }
}
