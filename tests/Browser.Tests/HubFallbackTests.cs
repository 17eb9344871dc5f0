using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketFlow.Browser.Tests;

/// <summary>An embedded WebFront whose availability hub admits one connection at a time.</summary>
public sealed class OneHubConnectionWebFront : EmbeddedWebFront
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Hub__MaxConnections"] = "1",
        ["Hub__RetryAfterSeconds"] = "1",
    };
}

/// <summary>Past the hub's connection limit a page is refused (503) and keeps its counts moving by polling /availability.</summary>
public sealed class HubFallbackTests(OneHubConnectionWebFront site, ITestOutputHelper output) : IClassFixture<OneHubConnectionWebFront>
{
    [Fact]
    public async Task A_page_the_full_hub_refuses_polls_the_availability_endpoint_and_its_counts_still_move()
    {
        var (eventId, tiers) = await site.OnSaleEventAsync($"Full hub {Guid.NewGuid():N}"[..20], [8]);
        await using var first = await site.OpenAsync(output);
        await using var second = await site.OpenAsync(output);

        var live = await first.NewPageAsync();
        await live.GotoAsync(first.Url($"/events/{eventId}"));
        await Expect(live.Locator("#live-state")).ToContainTextAsync("Live"); // it holds the one connection

        var refused = await second.NewPageAsync();
        var negotiate = refused.WaitForResponseAsync(r => r.Url.Contains("/hubs/availability/negotiate"));
        await refused.GotoAsync(second.Url($"/events/{eventId}"));
        Assert.Equal(503, (await negotiate).Status);
        await Expect(refused.Locator("#live-state")).ToContainTextAsync("refresh every few seconds");
        var polled = refused.WaitForResponseAsync(r => r.Url.EndsWith($"/api/v1/events/{eventId}/availability") && r.Status == 200);

        await site.HoldAsync(await site.RegisterAsync(), eventId, tiers[0], 3);

        var selector = $"tr[data-tier-id='{tiers[0]}'] [data-available]";
        await Expect(live.Locator(selector)).ToHaveTextAsync("5"); // pushed
        await polled;
        await Expect(refused.Locator(selector)).ToHaveTextAsync("5"); // polled (every 5 s; Expect waits up to 10 s)
        first.AssertNoCspViolationOrForeignRequest();
    }
}
