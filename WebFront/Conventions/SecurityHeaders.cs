namespace TicketFlow.WebFront.Conventions;

/// <summary>Headers every response carries: no MIME sniffing, no framing, no referrer leaks, same-origin content only.</summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    private const string Policy = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'";

    // The Orleans Dashboard's bundle sets inline styles and embeds its icon font as data: (seen blocked in chromium);
    // its pages are admins' only, and scripts stay same-origin.
    private const string DashboardPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'";

    public Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers["X-Content-Type-Options"] = "nosniff";
            headers["X-Frame-Options"] = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Content-Security-Policy"] = http.Request.Path.StartsWithSegments(TicketFlow.Hosting.ClusterDashboard.Path) ? DashboardPolicy : Policy;
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            return Task.CompletedTask;
        });
        return next(http);
    }
}
