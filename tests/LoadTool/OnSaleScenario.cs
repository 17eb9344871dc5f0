using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using TicketFlow.Domain;

namespace TicketFlow.LoadTool;

/// <summary>
/// An on-sale: buyers arrive (open loop at --rate, default a 10 s spike, or at most --concurrency at once), look at the event,
/// join its waiting room, poll their status until admitted in waves, hold 1–4 seats on a tier that still has some, and check
/// out with the simulated gateway. Some are declined (and try once more), some hit gateway errors (and retry with a new key),
/// some abandon their hold (release it or walk away), some resend a request with the same Idempotency-Key, some double-click.
/// Buyers still waiting leave once every seat is sold.
/// </summary>
public sealed class OnSaleScenario(Api api, Buyers buyers, LoadOptions options, Recorder recorder)
{
    private const string Status = "GET waiting-room/status";
    private static readonly TimeSpan MonitorPeriod = TimeSpan.FromMilliseconds(500);

    private readonly ScenarioResult result = new("onsale");
    private readonly Histogram waits = new();
    private readonly ConcurrentDictionary<string, string> effects = new(StringComparer.Ordinal); // Idempotency-Key -> hold or order id
    private readonly ConcurrentDictionary<string, long> outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> heldSeats = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<(string Token, string HoldId, int Seats)> unsettled = []; // checkouts whose answer never came
    private string eventId = "";
    private IReadOnlyList<Setup.Tier> tiers = [];
    private volatile int[] available = [];
    private long seatsBought, admitted, arrived, finished;
    private double? firstAdmittedAt, lastAdmittedAt, soldOutAt, allSoldAt;
    private volatile bool allSold;
    private ReservedSeating? seating; // --reserved: the seat map buyers click on
    private long seatTaken, notTogether, seatsClicked;

    public async Task<ScenarioResult> RunAsync()
    {
        var capacities = Enumerable.Range(0, options.Tiers).Select(i => options.Seats / options.Tiers + (i < options.Seats % options.Tiers ? 1 : 0)).ToList();
        var admin = await buyers.AdminTokenAsync();
        await buyers.PrepareAsync(options.Users);
        if (options.Reserved)
            (eventId, tiers, seating) = await ReservedSeating.CreateEventAsync(api, admin, $"Reserved on-sale {buyers.RunId}", options.HoldSeconds, capacities, 4);
        else (eventId, tiers) = await Setup.CreateEventAsync(api, admin, $"On-sale {buyers.RunId}", true, options.HoldSeconds, capacities, 4);
        await Setup.ConfigureWaitingRoomAsync(api, admin, eventId, options.WaveSize, options.WaveIntervalSeconds, options.MaxActive);
        available = [.. capacities];
        var rate = options.Rate ?? (options.Concurrency is null ? options.Users / 10.0 : double.PositiveInfinity);
        result.Parameters["event"] = eventId;
        result.Parameters["users"] = options.Users.ToString();
        result.Parameters["seats"] = $"{options.Seats} in {options.Tiers} tiers" + (seating is null ? "" : $", reserved: {seating.Sections.Count} sections of a seat map");
        result.Parameters["arrivals"] = options.Concurrency is { } c ? $"closed loop, {c} buyers at once" : $"open loop, {rate:0}/s";
        result.Parameters["waiting room"] = $"waves of {options.WaveSize} every {options.WaveIntervalSeconds} s, at most {options.MaxActive} shopping";

        recorder.Reset();
        using var stopMonitor = new CancellationTokenSource();
        var monitor = MonitorAsync(stopMonitor.Token);
        var sale = ArriveAsync(rate);
        await Drivers.ProgressAsync(recorder, Progress, sale);
        await sale;
        await stopMonitor.CancelAsync();
        await monitor;
        recorder.Stop();
        await ReconcileAsync(new Api(api.Http, new Recorder()), admin);

        var holds = recorder.For(Recorder.HoldEndpoint);
        var checkouts = recorder.For("POST /checkout");
        var browse = recorder.Endpoints.Where(e => e.Endpoint.StartsWith("GET /events", StringComparison.Ordinal)).Select(e => e.Stats.Latency)
            .Aggregate(new Histogram(), (all, h) => { all.Add(h); return all; });
        result.Figure("sale duration", recorder.Elapsed.TotalSeconds, "s");
        result.Figure("time to sell out (no seat available)", soldOutAt ?? double.NaN, "s");
        result.Figure("time to sell every seat", allSoldAt ?? double.NaN, "s");
        result.Figure("seats bought (client view)", seatsBought);
        result.Figure("hold p95", holds?.Latency.PercentileMs(0.95) ?? double.NaN, "ms");
        result.Figure("checkout p95", checkouts?.Latency.PercentileMs(0.95) ?? double.NaN, "ms");
        result.Figure("browse p95", browse.PercentileMs(0.95), "ms");
        result.Figure("admitted", admitted);
        result.Figure("admission rate", firstAdmittedAt is { } first && lastAdmittedAt > first ? admitted / (lastAdmittedAt.Value - first) : double.NaN, "/s");
        foreach (var (name, q) in new[] { ("wait p50", 0.5), ("wait p95", 0.95), ("wait p99", 0.99) }) result.Figure(name, waits.PercentileMs(q) / 1000, "s");
        result.Figure("wait max", waits.MaxMs / 1000, "s");
        if (seating is not null)
        {
            result.Figure("holds of seats clicked on the map", seatsClicked);
            result.Figure("seat_taken (seat gone since the map was loaded)", seatTaken);
            result.Figure("not_together (best available, together)", notTogether);
        }
        foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value)) result.Figure("buyers: " + outcome, count);
        return result;
    }

    /// <summary>
    /// What buyers were told must be what the tiers sold. A buyer whose checkout never answered looks the hold up, as a
    /// client would; the tiers are read until they agree or the settle time is up (sagas may still be finishing).
    /// </summary>
    private async Task ReconcileAsync(Api api, string adminToken)
    {
        foreach (var (token, holdId, seats) in unsettled)
        {
            var hold = await api.SendAsync("GET /holds/{id}", HttpMethod.Get, $"/api/v1/holds/{holdId}", token: token);
            if (hold.Ok && hold.Text("state") == "purchased") Interlocked.Add(ref seatsBought, seats);
        }
        var clock = Stopwatch.StartNew();
        long sold = -1;
        while (clock.Elapsed < options.Settle)
        {
            // Reserved tiers: /availability sums their sections; the admin stats read inventory grains, which reserved tiers do not have.
            var stats = seating is null
                ? await api.SendAsync("audit: GET admin stats", HttpMethod.Get, $"/api/v1/admin/events/{eventId}/stats", token: adminToken)
                : await api.SendAsync("audit: GET availability", HttpMethod.Get, $"/api/v1/events/{eventId}/availability");
            if (stats.Ok) sold = stats.Body.GetProperty("tiers").EnumerateArray().Sum(t => t.GetProperty("sold").GetInt64());
            if (sold == Interlocked.Read(ref seatsBought)) break;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        result.Figure("seats sold (tiers)", sold);
        if (sold != Interlocked.Read(ref seatsBought))
            result.Violations.Add($"buyers were told they bought {seatsBought} seats; the tiers sold {sold}");
    }

    private string Progress() =>
        $"arrived {Interlocked.Read(ref arrived):N0}  admitted {Interlocked.Read(ref admitted):N0}  done {Interlocked.Read(ref finished):N0}  " +
        $"seats bought {Interlocked.Read(ref seatsBought):N0}/{options.Seats:N0}  available {available.Sum():N0}";

    private async Task ArriveAsync(double rate)
    {
        var buyersRunning = new List<Task>(options.Users);
        using var slots = new SemaphoreSlim(options.Concurrency ?? int.MaxValue);
        var clock = Stopwatch.StartNew();
        for (var buyer = 0; buyer < options.Users; buyer++)
        {
            if (!double.IsInfinity(rate))
            {
                // One reading of the clock: read twice, a stall between the reads made the wait negative (and Task.Delay throw).
                var wait = TimeSpan.FromSeconds(buyer / rate) - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            }
            await slots.WaitAsync();
            var number = buyer;
            buyersRunning.Add(Task.Run(async () =>
            {
                try { await BuyerAsync(number); }
                catch (Exception failure)
                {
                    // A bug in the tool must not pass for a quiet run.
                    Count("tool error: " + failure.GetType().Name);
                    lock (result) result.Violations.Add($"buyer {number}: the tool failed: {failure}");
                }
                finally { slots.Release(); Interlocked.Increment(ref finished); }
            }));
        }
        await Task.WhenAll(buyersRunning);
    }

    private async Task BuyerAsync(int buyer)
    {
        Interlocked.Increment(ref arrived);
        var random = new Random(buyer);
        var (token, address) = (await buyers.TokenAsync(buyer), Buyers.Address(buyer));
        await api.SendAsync("GET /events/{id}", HttpMethod.Get, $"/api/v1/events/{eventId}", clientIp: address);
        await api.SendAsync("GET /events/{id}/availability", HttpMethod.Get, $"/api/v1/events/{eventId}/availability", clientIp: address);

        var join = await Persist(() => api.SendAsync("POST waiting-room/join", HttpMethod.Post, $"/api/v1/events/{eventId}/waiting-room/join", token: token, clientIp: address));
        if (!join.Ok) { Count($"join failed ({join.Status} {join.Code})"); return; }
        var ticket = join.Body.GetProperty("ticket").GetInt64();
        var admission = await WaitForAdmissionAsync(ticket, join, token, address);
        if (admission is null) return;

        var bought = false;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var holdId = await HoldAsync(buyer, attempt, random, admission, token, address);
            if (holdId is null) break;
            if (random.NextDouble() < options.Abandons)
            {
                if (random.Next(2) == 0) await api.SendAsync("DELETE /holds/{id}", HttpMethod.Delete, $"/api/v1/holds/{holdId}", token: token, clientIp: address);
                Count("abandoned the hold");
                break;
            }
            // The first attempt may be declined or hit a gateway error; a second attempt pays with a card that works.
            var draw = random.NextDouble();
            var simulate = attempt > 0 ? "success" : draw < options.Declines ? "decline" : draw < options.Declines + options.PaymentErrors ? "error" : "success";
            var paid = await CheckoutAsync(buyer, attempt, holdId, simulate, random, token, address);
            if (paid.StartsWith("checkout gave up", StringComparison.Ordinal) || paid.StartsWith("checkout failed (0", StringComparison.Ordinal)
                || paid.StartsWith("checkout failed (5", StringComparison.Ordinal))
                unsettled.Add((token, holdId, heldSeats[holdId]));
            if (paid != "declined") { Count(paid); bought = paid == "bought"; break; }
            if (attempt == 1) Count("declined twice");
        }
        // A buyer who bought is done in the room already (the order told it); anyone else gives their place back.
        if (!bought) await api.SendAsync("DELETE waiting-room", HttpMethod.Delete, $"/api/v1/events/{eventId}/waiting-room?ticket={ticket}", token: token, clientIp: address);
    }

    /// <returns>The admission token, or null if the buyer left the queue.</returns>
    private async Task<string?> WaitForAdmissionAsync(long ticket, Reply reply, string token, string address)
    {
        var joinedAt = recorder.Elapsed;
        var pollEvery = TimeSpan.FromSeconds(2);
        while (true)
        {
            var state = reply.Text("state");
            if (state == "admitted" && reply.Text("admissionToken") is { } admission)
            {
                var now = recorder.Elapsed.TotalSeconds;
                waits.Record(recorder.Elapsed - joinedAt);
                Interlocked.Increment(ref admitted);
                lock (waits) { firstAdmittedAt ??= now; lastAdmittedAt = now; }
                return admission;
            }
            if (reply.Ok && state is not ("waiting" or "admitted")) { Count("queue: " + state); return null; }
            if (allSold || recorder.Elapsed - joinedAt > options.MaxWait)
            {
                await api.SendAsync("DELETE waiting-room", HttpMethod.Delete, $"/api/v1/events/{eventId}/waiting-room?ticket={ticket}", token: token, clientIp: address);
                Count(allSold ? "left the queue: sold out" : "left the queue: waited too long");
                return null;
            }
            // Poll as the queue page would: often when close, rarely when far back; a failed poll keeps the pace (or
            // Retry-After, if longer), so an outage does not turn every queued tab into a poll every 2 s.
            pollEvery = reply.Ok && reply.Body.TryGetProperty("etaSeconds", out var e) && e.ValueKind == JsonValueKind.Number
                ? TimeSpan.FromSeconds(Math.Clamp(e.GetInt32() / 4.0, 2, 60))
                : TimeSpan.FromSeconds(Math.Max(reply.RetryAfter?.TotalSeconds ?? 0, pollEvery.TotalSeconds));
            await Task.Delay(pollEvery * (0.8 + Random.Shared.NextDouble() * 0.4));
            reply = await api.SendAsync(Status, HttpMethod.Get, $"/api/v1/events/{eventId}/waiting-room/status?ticket={ticket}", token: token, clientIp: address);
        }
    }

    /// <returns>The hold id, or null when none could be placed (sold out, limits, errors).</returns>
    private async Task<string?> HoldAsync(int buyer, int attempt, Random random, string admission, string token, string address)
    {
        if (seating is not null) return await HoldSeatsAsync(buyer, attempt, random, admission, token, address);
        var quantity = random.NextDouble() switch { < 0.4 => 1, < 0.75 => 2, < 0.9 => 3, _ => 4 };
        for (var tierTry = 0; tierTry < 3; tierTry++)
        {
            var counts = available;
            var candidates = Enumerable.Range(0, tiers.Count).Where(i => counts[i] >= quantity).ToList();
            if (candidates.Count == 0) candidates = Enumerable.Range(0, tiers.Count).Where(i => counts[i] > 0).ToList();
            if (candidates.Count == 0) candidates = Enumerable.Range(0, tiers.Count).ToList(); // held seats may come back
            var index = candidates[random.Next(candidates.Count)];
            var key = $"hold-{buyers.RunId}-{buyer}-{attempt}-{tierTry}";
            var body = new { eventId, items = new[] { new { tierId = tiers[index].Id, quantity = Math.Min(quantity, Math.Max(1, counts[index])) } }, admissionToken = admission };
            var reply = await SendPurchase(Recorder.HoldEndpoint, "/api/v1/holds", body, key, random, token, address);
            if (reply.Ok)
            {
                var holdId = Effect(key, reply.Text("holdId")!);
                heldSeats[holdId] = reply.Body.GetProperty("items").EnumerateArray().Sum(i => i.GetProperty("quantity").GetInt32());
                return holdId;
            }
            if (reply.Code == ProblemCodes.SoldOut) { await Task.Delay(TimeSpan.FromMilliseconds(200 + random.Next(800))); continue; }
            Count($"hold refused ({reply.Status} {reply.Code})");
            return null;
        }
        Count("hold refused: sold out");
        return null;
    }

    /// <summary>
    /// --reserved: the buyer loads the seat map status, looks at it for a moment, clicks seats of a tier that were free in it
    /// (someone may have taken them since: 409 <c>seat_taken</c>), and then asks for the best available instead, together or not
    /// (409 <c>not_together</c>: asks again, apart).
    /// </summary>
    /// <returns>The hold id, or null when none could be placed.</returns>
    private async Task<string?> HoldSeatsAsync(int buyer, int attempt, Random random, string admission, string token, string address)
    {
        var quantity = random.NextDouble() switch { < 0.4 => 1, < 0.75 => 2, < 0.9 => 3, _ => 4 };
        for (var tierTry = 0; tierTry < 3; tierTry++)
        {
            var counts = available;
            var candidates = Enumerable.Range(0, tiers.Count).Where(i => counts[i] >= quantity).ToList();
            if (candidates.Count == 0) candidates = Enumerable.Range(0, tiers.Count).Where(i => counts[i] > 0).ToList();
            if (candidates.Count == 0) candidates = Enumerable.Range(0, tiers.Count).ToList();
            var tierId = tiers[candidates[random.Next(candidates.Count)]].Id;
            var key = $"hold-{buyers.RunId}-{buyer}-{attempt}-{tierTry}";
            var status = await api.SendAsync("GET /events/{id}/seatmap/status", HttpMethod.Get, $"/api/v1/events/{eventId}/seatmap/status", clientIp: address);
            await Task.Delay(TimeSpan.FromMilliseconds(300 + random.Next(1200))); // looking at the map: others click meanwhile
            var seats = status.Ok ? seating!.PickFree(status.Body, tierId, quantity, random) : [];
            Reply reply = new(0, default, null, null);
            var usedKey = key;
            var clicked = seats.Count == quantity;
            if (clicked)
            {
                reply = await SendPurchase(Recorder.HoldEndpoint, "/api/v1/holds", new { eventId, items = new object[] { new { tierId, seats } }, admissionToken = admission },
                    key, random, token, address);
                if (reply.Ok) Interlocked.Increment(ref seatsClicked);
                if (reply.Code == ProblemCodes.SeatTaken) Interlocked.Increment(ref seatTaken);
            }
            if (!clicked || reply.Code == ProblemCodes.SeatTaken)
            {
                var together = random.Next(2) == 0;
                usedKey = key + "-best";
                reply = await SendPurchase(Recorder.HoldEndpoint, "/api/v1/holds",
                    new { eventId, items = new object[] { new { tierId, quantity, together } }, admissionToken = admission }, usedKey, random, token, address);
                if (reply.Code == ProblemCodes.NotTogether)
                {
                    Interlocked.Increment(ref notTogether);
                    usedKey = key + "-apart";
                    reply = await SendPurchase(Recorder.HoldEndpoint, "/api/v1/holds",
                        new { eventId, items = new object[] { new { tierId, quantity, together = false } }, admissionToken = admission }, usedKey, random, token, address);
                }
            }
            if (reply.Ok)
            {
                var holdId = Effect(usedKey, reply.Text("holdId")!);
                heldSeats[holdId] = reply.Body.GetProperty("items").EnumerateArray().Sum(i => i.GetProperty("quantity").GetInt32());
                return holdId;
            }
            if (reply.Code is ProblemCodes.SoldOut or ProblemCodes.SeatTaken) { await Task.Delay(TimeSpan.FromMilliseconds(200 + random.Next(800))); continue; }
            Count($"hold refused ({reply.Status} {reply.Code})");
            return null;
        }
        Count("hold refused: sold out");
        return null;
    }

    /// <returns>The buyer's outcome: "bought", "declined", or what stopped the checkout.</returns>
    private async Task<string> CheckoutAsync(int buyer, int attempt, string holdId, string simulate, Random random, string token, string address)
    {
        for (var payTry = 0; payTry < 4; payTry++)
        {
            var key = $"pay-{buyers.RunId}-{buyer}-{attempt}-{payTry}";
            var body = new { holdId, payment = new { method = "card-sim", simulate } };
            var reply = await SendPurchase("POST /checkout", "/api/v1/checkout", body, key, random, token, address);
            if (reply.Ok)
            {
                var orderId = Effect(key, reply.Text("id")!);
                var seats = reply.Body.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("quantity").GetInt32());
                Interlocked.Add(ref seatsBought, seats);
                if (random.NextDouble() < options.Retries) // the response was "lost": the client sends the same request again
                {
                    var again = await Persist(() => api.SendAsync("POST /checkout (same key again)", HttpMethod.Post, "/api/v1/checkout", body, token, key, address));
                    if (again.Ok) Effect(key, again.Text("id")!);
                    else lock (result) result.Violations.Add($"checkout replay with key {key} answered {again.Status} {again.Code}, not the order");
                }
                return orderId == CheckoutId(holdId) ? "bought" : "bought (unexpected order id)";
            }
            if (reply.Code == ProblemCodes.PaymentDeclined) return "declined";
            if (reply.Code != ProblemCodes.PaymentUnavailable) return $"checkout failed ({reply.Status} {reply.Code})";
            // The gateway failed: the buyer tries again a moment later with a new request, and this time the card goes through.
            simulate = "success";
            await Task.Delay(reply.RetryAfter is { } wait && wait < TimeSpan.FromSeconds(5) ? wait : TimeSpan.FromSeconds(1));
        }
        return "checkout gave up (gateway errors)";
    }

    /// <summary>A purchase call as a client library sends it: a double-click sends it twice at once; timeouts, 503s and
    /// "in progress" are retried with the same key until an answer comes.</summary>
    private async Task<Reply> SendPurchase(string endpoint, string path, object body, string key, Random random, string token, string address)
    {
        Reply reply;
        if (random.NextDouble() < options.DoubleClicks)
        {
            var both = await Task.WhenAll(
                api.SendAsync(endpoint, HttpMethod.Post, path, body, token, key, address),
                api.SendAsync(endpoint + " (double-click)", HttpMethod.Post, path, body, token, key, address));
            foreach (var r in both.Where(r => r.Ok)) Effect(key, r.Text("holdId") ?? r.Text("id")!);
            reply = both.FirstOrDefault(r => r.Ok) ?? both.FirstOrDefault(r => r.Status is not (0 or 409 or 503) || r.Code is ProblemCodes.SoldOut or ProblemCodes.LimitExceeded) ?? both[0];
        }
        else reply = await api.SendAsync(endpoint, HttpMethod.Post, path, body, token, key, address);

        // Anything but an answer about the purchase itself is retried with the same key: no answer, 5xx, 429, "in progress".
        // "In progress" is retried until the first request ends (it may wait out a grain call to a silo that died, up to
        // Orleans' response timeout), so the buyer learns the one outcome; the rest up to 8 times.
        var retrying = Stopwatch.StartNew();
        for (var retry = 1;
             reply.Code is ProblemCodes.IdempotencyInProgress && retrying.Elapsed < InProgressPatience ||
             retry <= 8 && reply.Status is 0 or 429 or >= 500 && reply.Code != ProblemCodes.PaymentUnavailable;
             retry++)
        {
            await Task.Delay(reply.RetryAfter is { } wait && wait < TimeSpan.FromSeconds(5) ? wait : TimeSpan.FromMilliseconds(250 * Math.Min(retry, 8)));
            reply = await api.SendAsync(endpoint + " (retry)", HttpMethod.Post, path, body, token, key, address);
        }
        return reply;
    }

    /// <summary>How long a buyer keeps asking about a request the server says is still in progress.</summary>
    private static readonly TimeSpan InProgressPatience = TimeSpan.FromMinutes(2);

    /// <summary>Retries a call that got no answer, 429 or 5xx, after Retry-After (or a short backoff), up to 6 times.</summary>
    private static Task<Reply> Persist(Func<Task<Reply>> call) => Api.RetryAsync(call, reply => reply.Status is 0 or 429 or >= 500, attempts: 7);

    /// <summary>Records what a key produced; a key that produced two different holds or orders is a violation.</summary>
    private string Effect(string key, string id)
    {
        var first = effects.GetOrAdd(key, id);
        if (first != id) lock (result) result.Violations.Add($"Idempotency-Key {key} produced {first} and {id}");
        return id;
    }

    private static string CheckoutId(string holdId) => TicketFlow.Grains.Purchases.CheckoutIds.ForHold(holdId);

    private void Count(string outcome) => outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);

    private async Task MonitorAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var reply = await api.SendAsync("GET availability (monitor)", HttpMethod.Get, $"/api/v1/events/{eventId}/availability", cancellationToken: CancellationToken.None);
            if (reply.Ok)
            {
                var rows = reply.Body.GetProperty("tiers").EnumerateArray().ToDictionary(t => t.GetProperty("tierId").GetString()!);
                available = [.. tiers.Select(t => rows.TryGetValue(t.Id, out var row) ? row.GetProperty("available").GetInt32() : 0)];
                var sold = tiers.Sum(t => rows.TryGetValue(t.Id, out var row) ? row.GetProperty("sold").GetInt32() : 0);
                var now = recorder.Elapsed.TotalSeconds;
                if (available.Sum() == 0) soldOutAt ??= now;
                if (sold >= options.Seats) { allSoldAt ??= now; allSold = true; }
            }
            try { await Task.Delay(MonitorPeriod, stop); }
            catch (OperationCanceledException) { return; }
        }
    }
}
