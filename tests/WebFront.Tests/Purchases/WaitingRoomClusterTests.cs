using System.Diagnostics;
using System.Net;
using TicketFlow.Domain.Security;
using TicketFlow.Grains.WaitingRoom;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>The waiting room over HTTP against three silos: exact positions, waves, tokens, and a silo kill mid-sale.</summary>
[Collection(PurchaseClusterFixture.Collection)]
public sealed class WaitingRoomClusterTests(PurchaseClusterFixture fixture)
{
    private PurchaseApi Api => fixture.Api;


    private async Task ConfigureAsync(string eventId, object settings) =>
        (await Api.SendAsync(HttpMethod.Post, $"/api/v1/admin/events/{eventId}/waiting-room", await Api.AdminTokenAsync(), settings)).EnsureStatus(HttpStatusCode.OK);

    private async Task<Response> ViewAsync(string eventId) =>
        (await Api.SendAsync(HttpMethod.Get, $"/api/v1/admin/events/{eventId}/waiting-room", await Api.AdminTokenAsync())).EnsureStatus(HttpStatusCode.OK);

    private Task<Response> JoinAsync(Buyer buyer, string eventId) => Api.SendAsync(HttpMethod.Post, $"/api/v1/events/{eventId}/waiting-room/join", buyer.Token);

    private Task<Response> StatusAsync(Buyer buyer, string eventId, long ticket) =>
        Api.SendAsync(HttpMethod.Get, $"/api/v1/events/{eventId}/waiting-room/status?ticket={ticket}", buyer.Token);

    private static async Task<T[]> InParallel<T>(int count, int parallelism, Func<int, Task<T>> work)
    {
        var results = new T[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, _) => results[i] = await work(i));
        return results;
    }

    [Fact]
    public async Task Ten_thousand_join_positions_match_the_true_order_and_waves_admit_exactly_wave_size_per_interval()
    {
        var (eventId, _) = await Api.OnSaleEventAsync([100], highDemand: true);
        await ConfigureAsync(eventId, new { paused = true, waveSize = 1000, waveIntervalSeconds = 1, maxActive = 100_000 });
        var buyers = await fixture.MintBuyersAsync(Enumerable.Range(0, 10_000).Select(i => $"usr_wr_{eventId[^6..]}_{i}"));

        var joins = await InParallel(buyers.Length, 64, i => JoinAsync(buyers[i], eventId));
        Assert.All(joins, j => j.EnsureStatus(HttpStatusCode.OK));
        var tickets = joins.Select(j => long.Parse(j.Get("ticket"))).ToArray();
        Assert.Equal(buyers.Length, tickets.Distinct().Count());
        var again = await JoinAsync(buyers[42], eventId);
        Assert.Equal(tickets[42], long.Parse(again.Get("ticket")));

        // The true order is the join order (tickets); every reported position is that rank, exactly.
        var statuses = await InParallel(buyers.Length, 64, i => StatusAsync(buyers[i], eventId, tickets[i]));
        var rank = tickets.Order().Select((ticket, index) => (ticket, index)).ToDictionary(p => p.ticket, p => p.index + 1);
        for (var i = 0; i < buyers.Length; i++) Assert.Equal(rank[tickets[i]], int.Parse(statuses[i].Get("position")));

        var clock = Stopwatch.StartNew();
        await ConfigureAsync(eventId, new { paused = false });
        var samples = new List<(double Seconds, long Admitted)>();
        await Eventually.Get(async () =>
        {
            var admitted = (await ViewAsync(eventId)).Body.GetProperty("admittedTotal").GetInt64();
            samples.Add((clock.Elapsed.TotalSeconds, admitted));
            return admitted;
        }, admitted => admitted >= 3000, TimeSpan.FromSeconds(30));
        await ConfigureAsync(eventId, new { paused = true });
        var elapsed = clock.Elapsed.TotalSeconds;

        var view = (await ViewAsync(eventId)).Body;
        var admittedTotal = view.GetProperty("admittedTotal").GetInt64();
        Assert.All(samples, s => Assert.Equal(0, s.Admitted % 1000)); // whole waves only
        Assert.True(admittedTotal / 1000 <= Math.Floor(elapsed) + 1, $"{admittedTotal} admitted in {elapsed:0.0} s: at most one wave per second");
        Assert.Equal(buyers.Length - admittedTotal, view.GetProperty("waiting").GetInt32());

        // The first tickets were admitted, in order; the rest moved up by exactly the number admitted.
        foreach (var i in new[] { 0, 1, 17, 4999, 9998, 9999 })
        {
            var status = await StatusAsync(buyers[i], eventId, tickets[i]);
            if (rank[tickets[i]] <= admittedTotal)
            {
                Assert.Equal("admitted", status.Get("state"));
                Assert.False(string.IsNullOrEmpty(status.Get("admissionToken")));
            }
            else
            {
                Assert.Equal(("waiting", rank[tickets[i]] - admittedTotal), (status.Get("state"), long.Parse(status.Get("position"))));
            }
        }
        await Eventually.Get(async () => PrometheusText.Value(await fixture.MetricsAsync(), "ticketflow_waiting_room_queue_length", ("event", eventId)),
            length => length == buyers.Length - admittedTotal, TimeSpan.FromSeconds(10), "the queue length is exported per event");
    }

    [Fact]
    public async Task An_admission_token_works_for_its_user_and_event_only_and_not_once_expired_or_tampered()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([100], highDemand: true);
        var (otherEventId, otherTiers) = await Api.OnSaleEventAsync([100], highDemand: true);
        await ConfigureAsync(eventId, new { waveSize = 10, waveIntervalSeconds = 1 });
        var buyer = await Api.SignUpAsync();
        var other = await Api.SignUpAsync();
        var ticket = long.Parse((await JoinAsync(buyer, eventId)).EnsureStatus(HttpStatusCode.OK).Get("ticket"));

        var admitted = await Eventually.Get(() => StatusAsync(buyer, eventId, ticket), s => s.Get("state") == "admitted", TimeSpan.FromSeconds(15));
        var token = admitted.Get("admissionToken");

        Assert.Equal((HttpStatusCode.Forbidden, ProblemCodes.NotAdmitted), Outcome(await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)])));
        Assert.Equal((HttpStatusCode.Forbidden, ProblemCodes.NotAdmitted), Outcome(await Api.HoldAsync(other, eventId, [(tiers[0], 1)], admissionToken: token)));
        Assert.Equal((HttpStatusCode.Forbidden, ProblemCodes.NotAdmitted), Outcome(await Api.HoldAsync(buyer, otherEventId, [(otherTiers[0], 1)], admissionToken: token)));
        Assert.Equal((HttpStatusCode.Forbidden, ProblemCodes.NotAdmitted), Outcome(await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)], admissionToken: token[..^3] + "AAA")));
        var expired = new AdmissionTokens(fixture.SigningKey).Issue(eventId, buyer.Id, DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.Equal((HttpStatusCode.Forbidden, ProblemCodes.NotAdmitted), Outcome(await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)], admissionToken: expired)));
        (await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)], admissionToken: token)).EnsureStatus(HttpStatusCode.Created);
        (await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)], admissionToken: token)).EnsureStatus(HttpStatusCode.Created); // reusable until it expires
        Assert.Equal(HttpStatusCode.NotFound, (await StatusAsync(other, eventId, ticket)).Status); // a ticket is its owner's
    }

    [Fact]
    public async Task Killing_the_silo_that_hosts_the_room_loses_and_reorders_nobody_and_the_waves_go_on()
    {
        var (eventId, _) = await Api.OnSaleEventAsync([100], highDemand: true);
        await ConfigureAsync(eventId, new { paused = true, waveSize = 50, waveIntervalSeconds = 1, maxActive = 10_000 });
        var buyers = await fixture.MintBuyersAsync(Enumerable.Range(0, 500).Select(i => $"usr_kill_{eventId[^6..]}_{i}"));
        var tickets = (await InParallel(buyers.Length, 32, i => JoinAsync(buyers[i], eventId))).Select(j => long.Parse(j.Get("ticket"))).ToArray();
        var before = (await InParallel(buyers.Length, 32, i => StatusAsync(buyers[i], eventId, tickets[i]))).Select(s => s.Get("position")).ToArray();

        await fixture.Cluster.KillSiloAsync(await fixture.Cluster.HostOfAsync(fixture.Grains.GetGrain<IWaitingRoomGrain>(eventId)));
        await fixture.Cluster.WaitForLivenessToStabilizeAsync(didKill: true);

        var after = await Eventually.Get(async () => (await InParallel(buyers.Length, 32, i => StatusAsync(buyers[i], eventId, tickets[i]))).Select(s => s.Get("position")).ToArray(),
            positions => positions.SequenceEqual(before), TimeSpan.FromSeconds(30), "every user keeps their exact position on the new silo");
        await ConfigureAsync(eventId, new { paused = false });
        await Eventually.Get(async () => (await ViewAsync(eventId)).Body.GetProperty("admittedTotal").GetInt64(), admitted => admitted >= 100, TimeSpan.FromSeconds(20));
        await fixture.Cluster.StartAdditionalSiloAsync();
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();
    }

    private static (HttpStatusCode, string?) Outcome(Response response) => (response.Status, response.Code);
}
