using System.Net;
using Npgsql;
using TicketFlow.Data.Journal;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Purchases;
using TicketFlow.Testing;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>The purchase path over HTTP against three silos: invariants under concurrency, retries, expiry and crashes.</summary>
[Collection(PurchaseClusterFixture.Collection)]
public sealed class PurchaseClusterTests(PurchaseClusterFixture fixture)
{
    private PurchaseApi Api => fixture.Api;

    [Fact]
    public async Task Two_thousand_concurrent_holds_for_a_hundred_seats_grant_exactly_a_hundred_and_storage_agrees()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([100], perUserLimit: 100);
        // 200 buyers with 10 requests each: a shopper serves its own requests one at a time, so fewer buyers would
        // measure queueing behind one shopper rather than the race for the tier.
        var buyers = await fixture.MintBuyersAsync(Enumerable.Range(0, 200).Select(_ => TestDatabase.UniqueId("buyer")));

        var responses = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Api.HoldAsync(buyers[i % buyers.Length], eventId, [(tiers[0], 1)])));

        var outcomes = responses.GroupBy(r => $"{(int)r.Status} {r.Code}").ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["201 "] = 100, ["409 sold_out"] = 1900 }, outcomes);
        await Api.CountsBecomeAsync(eventId, tiers[0], (0, 100, 0));
        var stored = await ReplayJournalAsync(eventId, tiers[0]);
        Assert.Equal((100, 100, 0, 100), (stored.Capacity, stored.Held, stored.Sold, stored.HoldsPlaced));
    }

    [Fact]
    public async Task A_hold_across_tiers_is_all_or_nothing()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([10, 1]);
        var buyer = await Api.SignUpAsync();

        var refused = await Api.HoldAsync(buyer, eventId, [(tiers[0], 2), (tiers[1], 2)]);

        Assert.Equal((HttpStatusCode.Conflict, ProblemCodes.SoldOut), (refused.Status, refused.Code));
        await Api.CountsBecomeAsync(eventId, tiers[0], (10, 0, 0));
        var held = (await Api.HoldAsync(buyer, eventId, [(tiers[0], 2), (tiers[1], 1)])).EnsureStatus(HttpStatusCode.Created);
        Assert.Equal(15_000, held.Body.GetProperty("totalMinor").GetInt64());
        await Api.CountsBecomeAsync(eventId, tiers[0], (8, 2, 0));
    }

    [Fact]
    public async Task The_per_user_limit_for_an_event_counts_active_holds_across_tiers()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([50, 50], perUserLimit: 100);
        var buyer = await Api.SignUpAsync();
        for (var i = 0; i < 16; i++) (await Api.HoldAsync(buyer, eventId, [(tiers[0], 3), (tiers[1], 3)])).EnsureStatus(HttpStatusCode.Created);

        var over = await Api.HoldAsync(buyer, eventId, [(tiers[0], 3), (tiers[1], 2)]);

        Assert.Equal((HttpStatusCode.Conflict, ProblemCodes.LimitExceeded), (over.Status, over.Code));
    }

    [Fact]
    public async Task Replayed_and_concurrent_duplicate_holds_and_checkouts_make_one_hold_one_charge_one_order()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([20]);
        var buyer = await Api.SignUpAsync();
        var holdKey = Guid.NewGuid().ToString("N");

        var holds = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Api.HoldAsync(buyer, eventId, [(tiers[0], 2)], holdKey)));
        var again = await Api.HoldAsync(buyer, eventId, [(tiers[0], 2)], holdKey);

        var holdIds = holds.Append(again).Where(h => h.Status == HttpStatusCode.Created).Select(h => h.Get("holdId")).Distinct().ToList();
        Assert.Single(holdIds);
        Assert.All(holds, h => Assert.True(h.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{h.Status} {h.Body}"));
        await Api.CountsBecomeAsync(eventId, tiers[0], (18, 2, 0));

        var checkoutKey = Guid.NewGuid().ToString("N");
        var checkouts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Api.CheckoutAsync(buyer, holdIds[0], key: i % 2 == 0 ? checkoutKey : null)));
        var replay = await Api.CheckoutAsync(buyer, holdIds[0], key: checkoutKey);

        var orders = checkouts.Append(replay).Where(c => c.Status == HttpStatusCode.Created).Select(c => c.Get("id")).Distinct().ToList();
        Assert.Single(orders);
        await Api.CountsBecomeAsync(eventId, tiers[0], (18, 0, 2));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tf_gateway_payments WHERE payment_id = $1", orders[0]));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM tf_orders WHERE id = $1", orders[0]));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM tf_tickets WHERE order_id = $1", orders[0]));
    }

    [Fact]
    public async Task A_declined_payment_releases_the_hold_and_answers_402()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([5]);
        var buyer = await Api.SignUpAsync();
        var hold = (await Api.HoldAsync(buyer, eventId, [(tiers[0], 3)])).EnsureStatus(HttpStatusCode.Created);

        var declined = await Api.CheckoutAsync(buyer, hold.Get("holdId"), "decline");

        Assert.Equal((HttpStatusCode.PaymentRequired, ProblemCodes.PaymentDeclined), (declined.Status, declined.Code));
        await Api.CountsBecomeAsync(eventId, tiers[0], (5, 0, 0));
        var after = await Api.SendAsync(HttpMethod.Get, $"/api/v1/holds/{hold.Get("holdId")}", buyer.Token);
        Assert.Equal("released", after.Get("state"));
        var again = await Api.CheckoutAsync(buyer, hold.Get("holdId"), "success");
        Assert.Equal(HttpStatusCode.PaymentRequired, again.Status);
    }

    [Fact]
    public async Task A_client_that_gives_up_during_its_checkout_gets_the_order_when_it_retries_with_the_same_key()
    {
        var (_, _, buyer, holdId, orderId) = await HeldAsync(seats: 2);
        var release = new TaskCompletionSource();
        var captured = fixture.Gateway.PauseAfterCapture(orderId, release.Task);
        var key = Guid.NewGuid().ToString("N");
        using var gaveUp = new CancellationTokenSource();

        var first = Api.CheckoutAsync(buyer, holdId, key: key, cancellationToken: gaveUp.Token);
        await captured;
        await gaveUp.CancelAsync(); // the client's timeout: the connection closes while the server still works on the checkout
        release.SetResult();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var retry = await Api.CheckoutAsync(buyer, holdId, key: key);

        retry.EnsureStatus(HttpStatusCode.Created);
        Assert.Equal(orderId, retry.Get("id"));
        Assert.Equal(2, retry.Body.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("quantity").GetInt32()));
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task A_capture_followed_by_a_lost_hold_ends_in_a_refund_and_no_tickets()
    {
        var (eventId, tiers, buyer, holdId, orderId) = await HeldAsync(seats: 2);
        var release = new TaskCompletionSource();
        var captured = fixture.Gateway.PauseAfterCapture(orderId, release.Task);

        var checkout = Api.CheckoutAsync(buyer, holdId);
        await captured;
        // While the money is taken, the seats go (as if the hold expired): confirm must fail and the saga refund.
        Assert.True(await fixture.Grains.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, tiers[0])).Release(holdId));
        release.SetResult();
        var reply = await checkout;

        Assert.Equal((HttpStatusCode.Gone, ProblemCodes.HoldExpired), (reply.Status, reply.Code));
        Assert.Equal("refunded", await ScalarAsync("SELECT status FROM tf_gateway_payments WHERE payment_id = $1", orderId));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tf_orders WHERE id = $1", orderId));
        await Api.CountsBecomeAsync(eventId, tiers[0], (4, 0, 0));
        var stats = await Api.SendAsync(HttpMethod.Get, $"/api/v1/admin/events/{eventId}/stats", await Api.AdminTokenAsync());
        Assert.Equal(1, stats.Body.GetProperty("checkoutFailures").GetInt32());
    }

    [Fact]
    public async Task A_checkout_racing_the_events_cancellation_is_refunded_not_sold()
    {
        var (eventId, tiers, buyer, holdId, orderId) = await HeldAsync(seats: 2);
        var release = new TaskCompletionSource();
        var captured = fixture.Gateway.PauseAfterCapture(orderId, release.Task);

        var checkout = Api.CheckoutAsync(buyer, holdId);
        await captured;
        // The cancel closes the tiers and finds no paid order yet; the checkout then must not sell.
        (await Api.SendAsync(HttpMethod.Post, $"/api/v1/events/{eventId}/cancel", await Api.AdminTokenAsync())).EnsureStatus(HttpStatusCode.OK);
        release.SetResult();
        var reply = await checkout;

        Assert.Equal((HttpStatusCode.Conflict, ProblemCodes.EventClosed), (reply.Status, reply.Code));
        Assert.Equal("refunded", await ScalarAsync("SELECT status FROM tf_gateway_payments WHERE payment_id = $1", orderId));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM tf_orders WHERE id = $1", orderId));
        await Api.CountsBecomeAsync(eventId, tiers[0], (4, 0, 0));
    }

    [Fact]
    public async Task Nobody_but_the_holds_owner_can_start_its_checkout()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([4]);
        var owner = await Api.SignUpAsync();
        var thief = await Api.SignUpAsync();
        var holdId = (await Api.HoldAsync(owner, eventId, [(tiers[0], 1)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");

        Assert.Equal(HttpStatusCode.NotFound, (await Api.CheckoutAsync(thief, holdId)).Status);
        (await Api.CheckoutAsync(owner, holdId)).EnsureStatus(HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_crash_between_capture_and_confirm_is_resumed_by_the_reminder_into_tickets_charged_once()
    {
        var (eventId, tiers, buyer, holdId, orderId) = await HeldAsync(seats: 2);
        fixture.Gateway.FailWriteAfterCapture(orderId); // the saga's "paid" step is never stored; its memory is lost

        var failed = await Api.CheckoutAsync(buyer, holdId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        await Eventually.Get(() => CountAsync("SELECT count(*) FROM tf_tickets WHERE order_id = $1", orderId), n => n == 2, TimeSpan.FromSeconds(20),
            "the resume reminder finishes the checkout");
        Assert.Equal("captured", await ScalarAsync("SELECT status FROM tf_gateway_payments WHERE payment_id = $1", orderId));
        await Api.CountsBecomeAsync(eventId, tiers[0], (2, 0, 2));
        var retried = await Api.CheckoutAsync(buyer, holdId);
        Assert.Equal((HttpStatusCode.Created, orderId), (retried.Status, retried.Get("id")));
    }

    [Fact]
    public async Task Killing_the_silo_that_runs_a_checkout_after_capture_ends_in_tickets_or_a_refund_never_neither_never_both()
    {
        var (eventId, tiers, buyer, holdId, orderId) = await HeldAsync(seats: 1);
        var proceed = new TaskCompletionSource();
        var captured = fixture.Gateway.PauseAfterCapture(orderId, proceed.Task);

        var checkout = Api.CheckoutAsync(buyer, holdId);
        await captured;
        var owner = await fixture.Cluster.HostOfAsync(fixture.Grains.GetGrain<ICheckoutGrain>(orderId));
        var killed = fixture.Cluster.KillSiloAsync(owner); // mid-capture: the saga's silo dies with the payment taken
        proceed.SetResult();
        await killed;
        await fixture.Cluster.StartAdditionalSiloAsync();
        await checkout; // whatever the first caller saw, the outcome below is what counts

        await Eventually.Get(async () => (await CountAsync("SELECT count(*) FROM tf_tickets WHERE order_id = $1", orderId),
                (string?)await ScalarAsync("SELECT status FROM tf_gateway_payments WHERE payment_id = $1", orderId)),
            s => (s.Item1 == 1 && s.Item2 == "captured") || (s.Item1 == 0 && s.Item2 == "refunded"), TimeSpan.FromSeconds(30),
            "tickets with the capture kept, or no tickets and the capture refunded");
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();
    }

    [Fact]
    public async Task Refunding_an_order_voids_its_tickets_returns_the_seats_and_refunds_the_payment_once()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([6]);
        var buyer = await Api.SignUpAsync();
        var stranger = await Api.SignUpAsync();
        var holdId = (await Api.HoldAsync(buyer, eventId, [(tiers[0], 3)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        var orderId = (await Api.CheckoutAsync(buyer, holdId)).EnsureStatus(HttpStatusCode.Created).Get("id");

        var notYours = await Api.SendAsync(HttpMethod.Post, $"/api/v1/orders/{orderId}/refund", stranger.Token, idempotencyKey: "k1");
        Assert.Equal(HttpStatusCode.NotFound, notYours.Status);

        var refunded = (await Api.SendAsync(HttpMethod.Post, $"/api/v1/orders/{orderId}/refund", buyer.Token, idempotencyKey: "r1")).EnsureStatus(HttpStatusCode.OK);
        var twice = await Api.SendAsync(HttpMethod.Post, $"/api/v1/orders/{orderId}/refund", buyer.Token, idempotencyKey: "r2");

        Assert.Equal(("refunded", "15000"), (refunded.Get("state"), refunded.Get("refundedMinor")));
        Assert.Equal((HttpStatusCode.Conflict, ProblemCodes.TicketTransferred), (twice.Status, twice.Code)); // nothing is left to refund
        await Api.CountsBecomeAsync(eventId, tiers[0], (6, 0, 0));
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM tf_tickets WHERE order_id = $1 AND state = 'void'", orderId));
        Assert.Equal("refunded", await ScalarAsync("SELECT status FROM tf_gateway_payments WHERE payment_id = $1", orderId));
    }

    [Fact]
    public async Task Cancelling_an_event_closes_its_tiers_and_refunds_every_paid_order()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([10]);
        var orderIds = new List<string>();
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var buyer = await Api.SignUpAsync();
            var holdId = (await Api.HoldAsync(buyer, eventId, [(tiers[0], 2)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
            orderIds.Add((await Api.CheckoutAsync(buyer, holdId)).EnsureStatus(HttpStatusCode.Created).Get("id"));
        }

        (await Api.SendAsync(HttpMethod.Post, $"/api/v1/events/{eventId}/cancel", await Api.AdminTokenAsync())).EnsureStatus(HttpStatusCode.OK);

        foreach (var orderId in orderIds) Assert.Equal("refunded", await ScalarAsync("SELECT status FROM tf_gateway_payments WHERE payment_id = $1", orderId));
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM tf_orders WHERE event_id = $1 AND state = 'refunded'", eventId));
        await Api.CountsBecomeAsync(eventId, tiers[0], (10, 0, 0));
        var late = await fixture.Grains.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, tiers[0]))
            .Hold(new TierHoldRequest("late", "someone", 1, DateTimeOffset.UtcNow.AddMinutes(5), new TierTerms(10, 6)));
        Assert.Equal(ProblemCodes.EventClosed, late.Error);
    }

    [Fact]
    public async Task A_hold_expires_with_no_traffic_even_after_the_hosting_silo_is_killed_and_a_new_watcher_gets_the_counts()
    {
        var key = TierKey.For("evt_expiry_" + Guid.NewGuid().ToString("N")[..8], "t1");
        var tier = fixture.Grains.GetGrain<IEventInventoryGrain>(key);
        var reply = await tier.Hold(new TierHoldRequest("h1", "ann", 3, DateTimeOffset.UtcNow.AddSeconds(3), new TierTerms(10, 6)));
        Assert.True(reply.Granted);

        await fixture.Cluster.KillSiloAsync(await fixture.Cluster.HostOfAsync(tier));

        // Only storage is watched (no grain calls): the reminder, now fired by a surviving silo, stores the expiry.
        await Eventually.Get(() => JournalKindsAsync(key), kinds => kinds.Contains("HoldExpired"), TimeSpan.FromSeconds(30), "the hold expired by reminder");
        // A WebFront renewing its watch after the silo died (as it does when gateways change) is pushed the counts again.
        var watcher = new CountsWatcher();
        var counts = await tier.Watch(fixture.Grains.CreateObjectReference<IAvailabilityObserver>(watcher));
        Assert.Equal((10, 0), (counts.Available, counts.Held));
        await tier.Hold(new TierHoldRequest("h2", "bob", 2, DateTimeOffset.UtcNow.AddMinutes(5), new TierTerms(10, 6)));
        await Eventually.True(() => watcher.Last is { Held: 2, Available: 8 }, TimeSpan.FromSeconds(10), "the next change was pushed to the watcher");
        await fixture.Cluster.StartAdditionalSiloAsync();
        await fixture.Cluster.WaitForLivenessToStabilizeAsync();
    }

    private sealed class CountsWatcher : IAvailabilityObserver
    {
        public TierCounts? Last { get; private set; }

        public Task CountsChanged(TierCounts counts)
        {
            Last = counts;
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_high_demand_event_needs_the_buyers_own_valid_admission_token()
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([10], highDemand: true);
        var buyer = await Api.SignUpAsync();
        var other = await Api.SignUpAsync();
        var tokens = new Domain.Security.AdmissionTokens(fixture.SigningKey);

        var without = await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)]);
        var othersToken = await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)], admissionToken: tokens.Issue(eventId, other.Id, DateTimeOffset.UtcNow.AddMinutes(5)));
        var expired = await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)], admissionToken: tokens.Issue(eventId, buyer.Id, DateTimeOffset.UtcNow.AddSeconds(-1)));
        var valid = tokens.Issue(eventId, buyer.Id, DateTimeOffset.UtcNow.AddMinutes(5));
        var tampered = await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)], admissionToken: valid[..^2] + (valid[^2] == 'A' ? "BB" : "AA"));
        var admitted = await Api.HoldAsync(buyer, eventId, [(tiers[0], 1)], admissionToken: valid);

        Assert.All(new[] { without, othersToken, expired, tampered }, r => Assert.Equal((HttpStatusCode.Forbidden, ProblemCodes.NotAdmitted), (r.Status, r.Code)));
        admitted.EnsureStatus(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Replaying_a_tiers_journal_from_storage_recomputes_the_grains_counts_after_a_randomized_run()
    {
        var eventId = "evt_audit_" + Guid.NewGuid().ToString("N")[..8];
        var tier = fixture.Grains.GetGrain<IEventInventoryGrain>(TierKey.For(eventId, "t1"));
        await tier.Configure(new TierTerms(40, 8));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var i = 0; i < 150; i++)
            {
                var holdId = $"h{random.Next(60)}";
                switch (random.Next(5))
                {
                    case 0 or 1:
                        await tier.Hold(new TierHoldRequest(holdId, $"u{random.Next(10)}", random.Next(1, 4),
                            DateTimeOffset.UtcNow.AddMilliseconds(random.Next(50, 2000)), new TierTerms(40 + random.Next(3), 8)));
                        break;
                    case 2: await tier.Release(holdId); break;
                    case 3: await tier.Confirm(holdId); break;
                    default: await tier.Refund(holdId); break;
                }
            }
        })));

        // A hold's reminder may still expire it while this reads (holds last up to 2 s): compare a grain and a journal that agree.
        var (grain, replayed, stored) = await Eventually.Get(
            async () => (await tier.GetStatistics(), await ReplayJournalAsync(eventId, "t1"), (await JournalKindsAsync(TierKey.For(eventId, "t1"))).Count),
            s => s.Item1.JournalVersion == s.Item3 && s.Item1.HoldsExpired == s.Item2.HoldsExpired, TimeSpan.FromSeconds(30), "the grain and its journal agree");
        Assert.Equal(grain.JournalVersion, stored); // every change was stored
        Assert.Equal((grain.Counts.Capacity, grain.HoldsPlaced, grain.HoldsReleased, grain.HoldsExpired, grain.HoldsSold, grain.Refunds),
            (replayed.Capacity, replayed.HoldsPlaced, replayed.HoldsReleased, replayed.HoldsExpired, replayed.HoldsSold, replayed.Refunds));
        var (available, held, sold) = replayed.CountsAt(grain.Counts.AsOf);
        Assert.Equal((grain.Counts.Available, grain.Counts.Held, grain.Counts.Sold), (available, held, sold));
        Assert.Equal(grain.Counts.Capacity, available + held + sold);
    }

    /// <summary>An on-sale event of 4 seats, a buyer holding some of them, and the id their checkout (and order) will have.</summary>
    private async Task<(string EventId, string[] Tiers, Buyer Buyer, string HoldId, string OrderId)> HeldAsync(int seats)
    {
        var (eventId, tiers) = await Api.OnSaleEventAsync([4]);
        var buyer = await Api.SignUpAsync();
        var holdId = (await Api.HoldAsync(buyer, eventId, [(tiers[0], seats)])).EnsureStatus(HttpStatusCode.Created).Get("holdId");
        return (eventId, tiers, buyer, holdId, CheckoutIds.ForHold(holdId));
    }

    private async Task<Inventory> ReplayJournalAsync(string eventId, string tierId) =>
        InventoryJournal.Replay((await Journal().ReadAsync(InventoryJournal.For(TierKey.For(eventId, tierId)), CancellationToken.None)).Entries);

    private async Task<List<string>> JournalKindsAsync(string key) =>
        (await Journal().ReadAsync(InventoryJournal.For(key), CancellationToken.None)).Entries
            .Select(entry => InventoryJournal.Read(entry).GetType().Name).ToList();

    private PostgresJournalStore Journal() => new(TestDatabase.DataSourceAsync().GetAwaiter().GetResult(), fixture.Cluster.Options.ServiceId);

    private async Task<long> CountAsync(string sql, string parameter) => Convert.ToInt64(await ScalarAsync(sql, parameter));

    private async Task<object?> ScalarAsync(string sql, string parameter)
    {
        await using var command = (await TestDatabase.DataSourceAsync()).CreateCommand(sql);
        command.Parameters.AddWithValue(parameter);
        return await command.ExecuteScalarAsync();
    }
}
