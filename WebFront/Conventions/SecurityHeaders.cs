using System.Buffers.Text;
using System.Security.Cryptography;

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
            headers["Content-Security-Policy"] = ContentSecurityPolicy.For(http,
                http.Request.Path.StartsWithSegments(TicketFlow.Hosting.ClusterDashboard.Path) ? DashboardPolicy : Policy);
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            return Task.CompletedTask;
        });
        return next(http);
    }
}

/// <summary>
/// The per-response parts of the Content-Security-Policy: a page that must run an inline script asks for a nonce while it
/// renders (<see cref="NonceFor"/>), and only that response's policy allows scripts carrying it; every other response
/// keeps the plain policy.
/// </summary>
public static class ContentSecurityPolicy
{
    private static readonly object NonceKey = new();
    private static readonly object ExtraKey = new();

    /// <summary>This response's nonce (128 random bits, base64url: nothing for HTML to escape), made on first use: put it on
    /// the page's inline scripts.</summary>
    public static string NonceFor(HttpContext http)
    {
        if (http.Items.TryGetValue(NonceKey, out var existing)) return (string)existing!;
        var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        http.Items[NonceKey] = nonce;
        return nonce;
    }

    /// <summary>Directives this response adds to the policy (e.g. <c>style-src 'self' 'unsafe-inline'</c>), for a page whose
    /// third-party markup needs them; other responses are not affected.</summary>
    public static void Allow(HttpContext http, string directive) =>
        http.Items[ExtraKey] = http.Items.TryGetValue(ExtraKey, out var extra) ? $"{extra}; {directive}" : directive;

    /// <summary>The policy for this response: <paramref name="basePolicy"/>, plus the nonce and directives the page asked for.</summary>
    public static string For(HttpContext http, string basePolicy)
    {
        var policy = basePolicy;
        if (http.Items.TryGetValue(NonceKey, out var nonce)) policy += $"; script-src 'self' 'nonce-{nonce}'";
        if (http.Items.TryGetValue(ExtraKey, out var extra)) policy += $"; {extra}";
        return policy;
    }
}
