using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketFlow.Browser.Tests;

/// <summary>One run through the local cluster: a Silo process and a WebFront process in cluster mode.</summary>
public sealed class ClusterSmokeTests(ClusterWebFront cluster, ITestOutputHelper output) : IClassFixture<ClusterWebFront>
{
    [Fact]
    public async Task The_cluster_WebFront_is_ready_and_serves_the_API_reference_to_a_browser()
    {
        using var ready = await cluster.Api.GetAsync("/health/ready");
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);

        await using var site = await cluster.OpenAsync(output);
        var page = await site.NewPageAsync();
        var response = await page.GotoAsync(site.Url("/docs/api"));

        Assert.Equal(200, response!.Status);
        await Expect(page.GetByText("Signing in: a bearer token").First).ToBeVisibleAsync();
        site.AssertNoCspViolationOrForeignRequest();
    }

    [Fact]
    public async Task A_buyer_completes_the_whole_journey_through_the_cluster()
    {
        await using var session = await cluster.OpenAsync(output);
        await PurchaseJourney.RunAsync(cluster, session, screenshots: false);
    }
}
