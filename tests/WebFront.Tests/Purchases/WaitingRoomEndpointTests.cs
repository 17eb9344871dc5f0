using System.Net;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>Waiting-room endpoints in embedded mode: rate limits per user and per IP, and input that is refused.</summary>
public sealed class WaitingRoomEndpointTests : IAsyncLifetime
{
    private WebFrontHost host = null!;
    private PurchaseApi api = null!;

    public async Task InitializeAsync()
    {
        host = new WebFrontHost(("TICKETFLOW_ADMIN_EMAIL", "room@ticketflow.test"), ("TICKETFLOW_ADMIN_PASSWORD", "admin-password-1"),
            ("RateLimits:Auth:PermitLimit", "1000"), ("RateLimits:Register:PerIpPermitLimit", "1000"), ("RateLimits:Join:PerUserPermitLimit", "3"), ("RateLimits:Join:PerIpPermitLimit", "7"));
        api = new PurchaseApi(() => host.CreateClient(cookies: false), "room@ticketflow.test", "admin-password-1");
        await api.AdminTokenAsync();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<Response> JoinAsync(Buyer buyer, string eventId) => api.SendAsync(HttpMethod.Post, $"/api/v1/events/{eventId}/waiting-room/join", buyer.Token);

    [Fact]
    public async Task Joins_are_limited_per_user_and_per_ip_with_429_and_retry_after()
    {
        var (eventId, _) = await api.OnSaleEventAsync([10], highDemand: true);
        var first = await api.SignUpAsync();
        for (var i = 0; i < 3; i++) (await JoinAsync(first, eventId)).EnsureStatus(HttpStatusCode.OK);
        var perUser = await JoinAsync(first, eventId);
        Assert.Equal((HttpStatusCode.TooManyRequests, ProblemCodes.RateLimited), (perUser.Status, perUser.Code));
        Assert.NotNull(perUser.Headers.RetryAfter);

        // Other users from the same address share its limit of 7 joins a minute (a refused join may count against it too).
        var others = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => api.SignUpAsync()));
        var outcomes = new List<HttpStatusCode>();
        foreach (var buyer in others) outcomes.Add((await JoinAsync(buyer, eventId)).Status);
        Assert.Equal(HttpStatusCode.OK, outcomes[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, outcomes[^1]);
        Assert.True(3 + outcomes.Count(s => s == HttpStatusCode.OK) <= 7, string.Join(", ", outcomes));
    }

    [Fact]
    public async Task Only_high_demand_events_have_a_room_and_bad_tickets_or_settings_are_refused()
    {
        var (ordinary, _) = await api.OnSaleEventAsync([10]);
        var (eventId, _) = await api.OnSaleEventAsync([10], highDemand: true);
        var buyer = await api.SignUpAsync();
        var admin = await api.AdminTokenAsync();

        Assert.Equal((HttpStatusCode.NotFound, ProblemCodes.WaitingRoomNotFound), Outcome(await JoinAsync(buyer, ordinary)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.SendAsync(HttpMethod.Post, $"/api/v1/events/{eventId}/waiting-room/join", null)).Status);
        Assert.Equal((HttpStatusCode.BadRequest, ProblemCodes.BadRequest), Outcome(await api.SendAsync(HttpMethod.Get, $"/api/v1/events/{eventId}/waiting-room/status?ticket=abc", buyer.Token)));
        Assert.Equal((HttpStatusCode.BadRequest, ProblemCodes.Validation), Outcome(await api.SendAsync(HttpMethod.Get, $"/api/v1/events/{eventId}/waiting-room/status?ticket=-4", buyer.Token)));
        Assert.Equal((HttpStatusCode.NotFound, ProblemCodes.TicketNotFound), Outcome(await api.SendAsync(HttpMethod.Get, $"/api/v1/events/{eventId}/waiting-room/status?ticket=99", buyer.Token)));
        Assert.Equal(HttpStatusCode.Forbidden, (await api.SendAsync(HttpMethod.Post, $"/api/v1/admin/events/{eventId}/waiting-room", buyer.Token, new { paused = true })).Status);
        Assert.Equal((HttpStatusCode.BadRequest, ProblemCodes.Validation), Outcome(await api.SendAsync(HttpMethod.Post, $"/api/v1/admin/events/{eventId}/waiting-room", admin, new { waveSize = 0, maxActive = -1 })));

        var joined = (await JoinAsync(buyer, eventId)).EnsureStatus(HttpStatusCode.OK);
        var ticket = joined.Get("ticket");
        (await api.SendAsync(HttpMethod.Delete, $"/api/v1/events/{eventId}/waiting-room?ticket={ticket}", buyer.Token)).EnsureStatus(HttpStatusCode.NoContent);
        var status = await api.SendAsync(HttpMethod.Get, $"/api/v1/events/{eventId}/waiting-room/status?ticket={ticket}", buyer.Token);
        Assert.Equal("left", status.Get("state"));
        var view = (await api.SendAsync(HttpMethod.Get, $"/api/v1/admin/events/{eventId}/waiting-room", admin)).EnsureStatus(HttpStatusCode.OK);
        Assert.Equal(0, view.Body.GetProperty("waiting").GetInt32());
    }

    private static (HttpStatusCode, string?) Outcome(Response response) => (response.Status, response.Code);
}
