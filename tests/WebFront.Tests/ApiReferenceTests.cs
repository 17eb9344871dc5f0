using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TicketFlow.WebFront.Tests;

/// <summary>The API reference at /docs/api: Scalar's page from the package, within the site's Content-Security-Policy.</summary>
public sealed class ApiReferenceTests : IAsyncLifetime
{
    private WebFrontHost host = null!;

    public Task InitializeAsync()
    {
        host = new WebFrontHost();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task The_reference_page_is_HTML_whose_scripts_are_same_origin_and_allowed_only_by_this_responses_nonce()
    {
        var client = host.CreateClient();
        using var page = await client.GetAsync("/docs/api/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();

        var policy = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self'", policy);
        var nonce = Regex.Match(policy, "script-src 'self' 'nonce-([A-Za-z0-9_-]{20,})'(;|$)");
        Assert.True(nonce.Success, policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", policy);

        // Every script is either same-origin (a relative src) or inline carrying this response's nonce.
        var scripts = Regex.Matches(html, "<script(?<attributes>[^>]*)>").Select(m => m.Groups["attributes"].Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, attributes => Assert.Contains($"nonce=\"{nonce.Groups[1].Value}\"", attributes));
        var sources = Regex.Matches(html, "(?:src|href)=\"(?<url>[^\"]+)\"").Select(m => m.Groups["url"].Value).ToList();
        Assert.All(sources, url => Assert.False(Uri.TryCreate(url, UriKind.Absolute, out _) || url.StartsWith("//"), $"{url} is on another origin"));
        Assert.Contains("<html lang=\"en\">", html);

        // The assets are served by the WebFront itself, from the package.
        foreach (var asset in Regex.Matches(html, "src=\"(?<url>[^\"]+)\"").Select(m => m.Groups["url"].Value))
        {
            using var script = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, "/docs/api/"), asset));
            Assert.True(script.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)script.StatusCode}");
        }

        // Another request gets another nonce; other pages keep the plain policy.
        using var again = await client.GetAsync("/docs/api/");
        Assert.DoesNotContain(nonce.Groups[1].Value, Assert.Single(again.Headers.GetValues("Content-Security-Policy")));
        using var other = await client.GetAsync("/health/live");
        Assert.Equal("default-src 'self'; frame-ancestors 'none'; base-uri 'self'", Assert.Single(other.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme_and_requires_it_where_a_user_must_be_signed_in()
    {
        var client = host.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Contains("POST /api/v1/auth/login", document.GetProperty("info").GetProperty("description").GetString());

        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/v1/me").GetProperty("get").TryGetProperty("security", out var security), "GET /me needs a signed-in user");
        Assert.True(security[0].TryGetProperty("bearer", out _));
        Assert.False(paths.GetProperty("/api/v1/auth/login").GetProperty("post").TryGetProperty("security", out _), "logging in needs no token");
    }
}
