using System.Net;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>The queue page polls at the <c>pollAfterMs</c> each answer asks for; a loaded WebFront asks for longer intervals.</summary>
public sealed class WaitingRoomPollingTests : IAsyncLifetime
{
    private WebFrontHost host = null!;
    private PurchaseApi api = null!;

    public async Task InitializeAsync()
    {
        // A budget of 20 polls a second, so that a test's own polls load this WebFront.
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "pacing@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"),
            ("RateLimits:Auth:PermitLimit", "1000"), ("RateLimits:Register:PerIpPermitLimit", "1000"), ("WaitingRoom:StatusPollBudget", "20"));
        api = new PurchaseApi(() => host.CreateClient(cookies: false), "pacing@ticketflow.test", "admin-password-1");
        await api.AdminTokenAsync();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_fan_near_the_front_is_asked_to_poll_every_second_and_a_loaded_WebFront_stretches_the_interval()
    {
        var (eventId, _) = await api.OnSaleEventAsync([10], highDemand: true);
        await api.SendAsync(HttpMethod.Post, $"/api/v1/admin/events/{eventId}/waiting-room", await api.AdminTokenAsync(), new { paused = true });
        var fan = await api.SignUpAsync();
        var joined = (await api.SendAsync(HttpMethod.Post, $"/api/v1/events/{eventId}/waiting-room/join", fan.Token)).EnsureStatus(HttpStatusCode.OK);
        var status = $"/api/v1/events/{eventId}/waiting-room/status?ticket={joined.Get("ticket")}";

        var quiet = (await api.SendAsync(HttpMethod.Get, status, fan.Token)).EnsureStatus(HttpStatusCode.OK);
        Assert.Equal("1000", quiet.Get("pollAfterMs")); // first in line, an idle WebFront

        // 200 polls at once, then again, until an answer reflects a whole second of them: 10× the budget of 20.
        var loaded = await Eventually.Get(async () =>
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => api.SendAsync(HttpMethod.Get, status, fan.Token)));
            return answers.Max(a => int.Parse(a.EnsureStatus(HttpStatusCode.OK).Get("pollAfterMs")));
        }, ms => ms >= 5_000, TimeSpan.FromSeconds(20), "the interval stretched under load");
        Assert.InRange(loaded, 5_000, 30_000);
    }
}
