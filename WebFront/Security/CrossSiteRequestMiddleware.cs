using Microsoft.AspNetCore.Antiforgery;

namespace TicketFlow.WebFront.Security;

/// <summary>
/// A browser sends the session cookie with every request to this site, also with a form another site posts here. So a
/// state-changing request that the cookie authenticates must show it comes from TicketFlow's own pages: it carries a
/// valid antiforgery token (the <c>X-CSRF-TOKEN</c> header the pages' scripts send, or the form field of a
/// server-rendered form), and the browser does not say it comes from another origin (<c>Origin</c>,
/// <c>Sec-Fetch-Site</c>; a leaked token is no use to another site). Bearer-token requests carry no ambient credential
/// and are not checked; neither are anonymous ones (SameSite=Strict keeps the cookie off cross-site requests besides).
/// </summary>
public sealed class CrossSiteRequestMiddleware(RequestDelegate next, IAntiforgery antiforgery)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (IsSafe(http.Request.Method) || http.User.Identity?.IsAuthenticated != true || UsesBearerToken(http.Request) || IsHub(http.Request))
        {
            await next(http);
            return;
        }
        if (FromAnotherOrigin(http.Request) || !await antiforgery.IsRequestValidAsync(http))
        {
            await Problems.Of(ProblemCodes.CrossSiteRequest).ExecuteAsync(http);
            return;
        }
        await next(http);
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>The availability hub's negotiate and transport POSTs: its methods only subscribe to public counts, and the
    /// SignalR client cannot add a header to a WebSocket; nothing a forged request could make it do.</summary>
    private static bool IsHub(HttpRequest request) => request.Path.StartsWithSegments("/hubs");

    private static bool UsesBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    /// <summary>The browser says the request comes from another origin (a page elsewhere, or an opaque "null" one).</summary>
    /// <remarks>Sec-Fetch-Site, when sent, decides: a form our own page posts carries <c>Origin: null</c> under our
    /// <c>Referrer-Policy: no-referrer</c> (the Fetch standard hides the origin of a navigation then), with
    /// <c>Sec-Fetch-Site: same-origin</c>. Origin decides only for browsers that send no Sec-Fetch-Site.</remarks>
    public static bool FromAnotherOrigin(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0) return fetchSite is not ("same-origin" or "none");
        var origin = request.Headers.Origin.ToString();
        // Behind a proxy, scheme and host are the client's (forwarded headers run first).
        return origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }
}
