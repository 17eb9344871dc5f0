using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketFlow.Browser.Tests;

/// <summary>The API reference at /docs/api, in chromium against the embedded WebFront.</summary>
[Collection(EmbeddedSite.Name)]
public sealed class ApiReferencePageTests(EmbeddedWebFront webFront, ITestOutputHelper output)
{
    [Fact]
    public async Task The_API_reference_renders_the_operations_from_its_own_origin_within_the_Content_Security_Policy()
    {
        await using var site = await webFront.OpenAsync(output);
        var page = await site.NewPageAsync();

        var response = await page.GotoAsync(site.Url("/docs/api"));

        Assert.Equal(200, response!.Status);
        Assert.Matches("script-src 'self' 'nonce-[A-Za-z0-9_-]+'", await response.HeaderValueAsync("content-security-policy"));
        await Expect(page.GetByText("Signing in: a bearer token").First).ToBeVisibleAsync(); // the introduction, from the OpenAPI document
        await Expect(page.GetByText("/api/v1/auth/login").First).ToBeAttachedAsync();       // an operation
        site.AssertNoCspViolationOrForeignRequest();
    }

    [Fact]
    public async Task The_API_reference_has_no_serious_accessibility_violation()
    {
        await using var site = await webFront.OpenAsync(output);
        var page = await site.NewPageAsync();
        await page.GotoAsync(site.Url("/docs/api"));
        await Expect(page.GetByText("Signing in: a bearer token").First).ToBeVisibleAsync();

        await BrowserSession.AssertAccessibleAsync(page);
        await BrowserSession.ScreenshotAsync(page, "api-reference");
        site.AssertNoCspViolationOrForeignRequest();
    }
}
