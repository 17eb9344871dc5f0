using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using TicketFlow.Data.Journal;
using TicketFlow.Domain.Inventory;
using TicketFlow.Grains.Inventory;
using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.Seating;

namespace TicketFlow.LoadTool;

/// <summary>
/// Reads the database and the simulated gateway's store and checks that every seat, hold, payment and ticket is accounted
/// for (the invariants of docs/ARCHITECTURE.md). Read-only. Checks that can be transiently false while the cluster is
/// still finishing work (a saga between capture and tickets, a hold about to expire) are re-run until they pass or the
/// settle time is up.
/// </summary>
public sealed class Auditor(NpgsqlDataSource database, string serviceId, TimeSpan holdSlack, Api? api, string? adminToken)
{
    private const int MaxExamples = 5;

    public sealed record Check(string Name, bool Passed, string Detail, IReadOnlyList<string> Examples);

    public async Task<IReadOnlyList<Check>> RunAsync(TimeSpan settle)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var checks = await RunOnceAsync();
            var failing = checks.Count(c => !c.Passed);
            if (failing == 0 || clock.Elapsed >= settle) return checks;
            Console.Error.WriteLine($"[audit] {failing} check(s) failing; re-checking ({clock.Elapsed.TotalSeconds:0}/{settle.TotalSeconds:0} s: sagas, reminders and expiries may still be finishing)");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    public static bool Print(IReadOnlyList<Check> checks, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("Audit");
        foreach (var check in checks)
        {
            output.WriteLine($"  {(check.Passed ? "PASS" : "FAIL")}  {check.Name}: {check.Detail}");
            foreach (var example in check.Examples) output.WriteLine($"          e.g. {example}");
        }
        var passed = checks.All(c => c.Passed);
        output.WriteLine(passed ? $"  audit: all {checks.Count} checks passed" : $"  audit: {checks.Count(c => !c.Passed)} of {checks.Count} checks FAILED");
        return passed;
    }

    public async Task<IReadOnlyList<Check>> RunOnceAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var data = await Store.LoadAsync(database, serviceId);
        var checks = new List<Check>();

        // Tiers: the journal is dense, replays, and its counts add up.
        var replayed = new Dictionary<string, Inventory>(StringComparer.Ordinal);
        var gaps = new List<string>();
        var replayErrors = new List<string>();
        foreach (var (key, entries) in data.Journals)
        {
            if (entries.Select((e, i) => e.Seq == i + 1).Any(dense => !dense)) gaps.Add($"{key}: seqs {string.Join(',', entries.Take(10).Select(e => e.Seq))}...");
            try { replayed[key] = InventoryJournal.Replay(entries.Select(e => e.Entry)); }
            catch (Exception failure) { replayErrors.Add($"{key}: {failure.Message}"); }
        }
        checks.Add(Make("tier journals are dense and replay", gaps.Concat(replayErrors).ToList(),
            $"{data.Journals.Count} tier journals, {data.Journals.Sum(j => j.Value.Count):N0} entries"));

        var countErrors = new List<string>();
        foreach (var (key, inventory) in replayed)
        {
            var (available, held, sold) = inventory.CountsAt(now);
            if (sold > inventory.Capacity || available < 0 || held < 0 || available + held + sold != inventory.Capacity)
                countErrors.Add($"{key}: available {available} + held {held} + sold {sold} vs capacity {inventory.Capacity}");
            if (data.CatalogCapacity.TryGetValue(key, out var catalog) && catalog != inventory.Capacity)
                countErrors.Add($"{key}: capacity {inventory.Capacity} in the journal, {catalog} in the catalog");
        }
        checks.Add(Make("every tier: sold ≤ capacity and available + held + sold = capacity (= the catalog's)", countErrors,
            $"{replayed.Count} tiers, {replayed.Values.Sum(i => i.Sold):N0} seats sold, {replayed.Values.Sum(i => i.Held):N0} held, capacity {replayed.Values.Sum(i => (long)i.Capacity):N0}"));

        // Reserved tiers have no tier journal: their seats, holds and sales live in section journals (SeatAudit's checks below).
        var sections = SeatAudit.ReplayAll(data.Seats);
        checks.Add(SnapshotsMatch(data, replayed));
        if (api is not null && adminToken is not null) checks.Add(await LiveCountsMatchAsync(data, replayed));
        checks.AddRange(await SeatAudit.CheckAsync(data.Seats, api is null ? null : new ApiSeatMapLiveView(api)));

        var overdue = replayed.Where(r => r.Value.NextExpiry is { } expiry && expiry + holdSlack < now)
            .Select(r => $"{r.Key}: a hold expired at {r.Value.NextExpiry:O}, still active at {now:O}")
            .Concat(sections.Where(s => s.Value.NextExpiry is { } expiry && expiry + holdSlack < now)
                .Select(s => $"section {s.Key}: a hold expired at {s.Value.NextExpiry:O}, still active at {now:O}")).ToList();
        checks.Add(Make($"no active hold past its expiry + {holdSlack.TotalSeconds:0} s (tiers and sections)", overdue,
            $"{replayed.Values.Sum(i => i.ActiveHolds):N0} active holds on tiers, {sections.Values.Sum(s => s.ActiveHolds):N0} on sections"));

        // One hold id, one hold at a time: placed again only after it ended without a sale (released or expired). A
        // request that failed with 503 may have placed and released its hold (the shopper gives back an unknown outcome),
        // and its retry with the same Idempotency-Key then places it anew: seen in the chaos run, and correct.
        var holdIds = new HashSet<string>(StringComparer.Ordinal);
        var twice = new List<string>();
        var replaced = 0;
        foreach (var (key, entries) in data.Journals)
        {
            var active = new HashSet<string>(StringComparer.Ordinal);
            var sold = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in entries.Select(e => InventoryJournal.Read(e.Entry)))
            {
                switch (entry)
                {
                    case HoldPlaced held when active.Contains(held.HoldId) || sold.Contains(held.HoldId):
                        twice.Add($"{key}: hold {held.HoldId} placed again while {(sold.Contains(held.HoldId) ? "sold" : "still active")}");
                        break;
                    case HoldPlaced held:
                        if (!holdIds.Add(held.HoldId)) replaced++;
                        active.Add(held.HoldId);
                        break;
                    case HoldReleased released: active.Remove(released.HoldId); break;
                    case HoldExpired expired: active.Remove(expired.HoldId); break;
                    case SaleConfirmed confirmed: active.Remove(confirmed.HoldId); sold.Add(confirmed.HoldId); break;
                }
            }
        }
        checks.Add(Make("no hold placed twice at once on a tier, none placed again once sold", twice,
            $"{holdIds.Count:N0} holds, {replaced:N0} placed again after they were released or expired"));
        foreach (var entries in data.Seats.Journals.Values)
            foreach (var (_, entry) in entries)
                if (SeatJournal.Read(entry) is Domain.Seating.SeatsHeld held) holdIds.Add(held.HoldId);

        checks.Add(SalesMatchOrders(data, replayed, sections));
        checks.Add(TicketsMatchLines(data, replayed));
        checks.Add(PaymentsSettled(data, holdIds));
        checks.Add(IdempotentEffects(data, holdIds));
        return checks;
    }

    private static Check SnapshotsMatch(Store data, Dictionary<string, Inventory> replayed)
    {
        var errors = new List<string>();
        foreach (var (key, (version, payload)) in data.Snapshots)
        {
            if (!data.Journals.TryGetValue(key, out var entries) || entries.Count < version) { errors.Add($"{key}: snapshot at {version}, journal shorter"); continue; }
            var expected = InventoryJournal.Replay(entries.Take((int)version).Select(e => e.Entry)).ToSnapshot();
            var stored = InventoryJournal.ReadSnapshot(payload);
            if (Describe(expected) != Describe(stored)) errors.Add($"{key} at {version}: replay {Describe(expected)}, snapshot {Describe(stored)}");
        }
        return Make("journal replay = stored snapshots", errors, $"{data.Snapshots.Count} snapshots");

        static string Describe(InventorySnapshot s) =>
            $"capacity {s.Capacity}, closed {s.Closed}, {s.Holds.Count} holds ({s.Holds.Sum(h => h.Quantity)} seats, ids {Hash(s.Holds.Select(h => h.HoldId + h.Quantity + h.ExpiresAt.ToUnixTimeMilliseconds()))}), " +
            $"{s.Sales.Count} sales ({s.Sales.Where(x => !x.Refunded).Sum(x => x.Quantity - x.Returned)} seats, ids {Hash(s.Sales.Select(x => x.HoldId + x.Quantity + x.Refunded + x.Returned))}), " +
            $"placed {s.HoldsPlaced} released {s.HoldsReleased} expired {s.HoldsExpired} sold {s.HoldsSold} refunds {s.Refunds}";

        static string Hash(IEnumerable<string> items) =>
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('|', items.Order(StringComparer.Ordinal)))))[..12];
    }

    private async Task<Check> LiveCountsMatchAsync(Store data, Dictionary<string, Inventory> replayed)
    {
        var errors = new List<string>();
        var compared = 0;
        foreach (var eventId in data.CatalogCapacity.Keys.Select(k => TierKey.Parse(k).EventId).Distinct())
        {
            var reply = await api!.SendAsync("audit: GET admin stats", HttpMethod.Get, $"/api/v1/admin/events/{eventId}/stats", token: adminToken);
            if (!reply.Ok) { errors.Add($"{eventId}: admin stats answered {reply.Status} {reply.Code}"); continue; }
            var now = DateTimeOffset.UtcNow;
            foreach (var tier in reply.Body.GetProperty("tiers").EnumerateArray())
            {
                var key = TierKey.For(eventId, tier.GetProperty("tierId").GetString()!);
                if (!replayed.TryGetValue(key, out var inventory)) continue;
                compared++;
                var (available, held, sold) = inventory.CountsAt(now);
                var live = (tier.GetProperty("available").GetInt32(), tier.GetProperty("held").GetInt32(), tier.GetProperty("sold").GetInt32());
                if (live != (available, held, sold))
                    errors.Add($"{key}: grain says available/held/sold {live}, journal replay {(available, held, sold)}");
            }
        }
        return Make("journal replay = the live grains' counts", errors, $"{compared} tiers compared through GET /admin/events/{{id}}/stats");
    }

    // Every seat a tier still counts as sold is a live ticket of the order its checkout issued, and nothing else is: a
    // partial refund gives back exactly the seats of the tickets it voided.
    private static Check SalesMatchOrders(Store data, Dictionary<string, Inventory> replayed, Dictionary<string, Domain.Seating.SectionSeats> sections)
    {
        var errors = new List<string>();
        var sales = new Dictionary<(string OrderId, string TierId), (int Quantity, int Returned)>();
        foreach (var (key, inventory) in replayed)
        {
            var tierId = TierKey.Parse(key).TierId;
            foreach (var sale in inventory.ToSnapshot().Sales)
                sales[(CheckoutIds.ForHold(sale.HoldId), tierId)] = (sale.Quantity, sale.Refunded ? sale.Quantity : sale.Returned);
        }
        // A reserved line's sale is the hold's sales over the sections of its tier (a best-available line may span sections).
        foreach (var section in sections.Values)
            foreach (var sale in section.ToSnapshot().Sales)
            {
                var line = (CheckoutIds.ForHold(sale.HoldId), sale.TierId);
                var (quantity, returned) = sales.GetValueOrDefault(line);
                sales[line] = (quantity + sale.Seats.Length, returned + sale.Returned.Length);
            }
        foreach (var ((orderId, tierId), (quantity, returned)) in sales)
        {
            var kept = quantity - returned;
            data.Orders.TryGetValue(orderId, out var order);
            if (order is null)
            {
                if (kept > 0) errors.Add($"{orderId}: {kept} seats sold on {tierId}, no order");
                continue;
            }
            if (!data.Lines.TryGetValue((orderId, tierId), out var line) || line.Quantity != quantity)
                errors.Add($"{orderId}: {quantity} seats sold on {tierId}, order line says {(data.Lines.TryGetValue((orderId, tierId), out var l) ? l.Quantity : 0)}");
            var live = data.LiveTickets.GetValueOrDefault((orderId, tierId));
            if (live != kept) errors.Add($"{orderId}: {kept} seats still sold on {tierId} ({returned} refunded), {live} valid/used tickets (order {order.State})");
        }
        foreach (var ((orderId, tierId), line) in data.Lines)
        {
            if (data.LiveTickets.GetValueOrDefault((orderId, tierId)) == 0) continue;
            if (!sales.TryGetValue((orderId, tierId), out var sale) || sale.Quantity == sale.Returned)
                errors.Add($"{orderId}: live tickets of a line of {line.Quantity} on {tierId} the tier never sold (or refunded)");
        }
        var sold = sales.Values.Sum(s => s.Quantity - s.Returned);
        var partial = data.Orders.Values.Count(o => o.State == "paid" && o.RefundedMinor > 0);
        return Make("seats still sold = live tickets of their order's lines (one order per checkout; partial refunds return exactly theirs)", errors,
            $"{sold:N0} seats sold in {sales.Count(s => s.Value.Quantity > s.Value.Returned):N0} sales; {data.Orders.Values.Count(o => o.State == "paid"):N0} paid orders ({partial:N0} partly refunded), {data.Orders.Values.Count(o => o.State == "refunded"):N0} refunded");
    }

    private static Check TicketsMatchLines(Store data, Dictionary<string, Inventory> replayed)
    {
        var errors = new List<string>();
        foreach (var ((orderId, tierId), line) in data.Lines)
        {
            var live = data.LiveTickets.GetValueOrDefault((orderId, tierId));
            var all = live + data.VoidTicketsByLine.GetValueOrDefault((orderId, tierId));
            if (all != line.Quantity) errors.Add($"{orderId} on {tierId}: {all} tickets for a line of {line.Quantity}");
            if (live > 0 && data.Orders.GetValueOrDefault(orderId)?.State != "paid") errors.Add($"{orderId} on {tierId}: {live} valid/used tickets, order not paid");
        }
        foreach (var ((orderId, tierId), count) in data.LiveTickets.Where(t => !data.Lines.ContainsKey(t.Key)))
            errors.Add($"{count} tickets of {orderId} on {tierId}: no such order line");
        foreach (var (key, inventory) in replayed)
        {
            var (eventId, tierId) = TierKey.Parse(key);
            var tickets = data.LiveTicketsByTier.GetValueOrDefault((eventId, tierId));
            if (tickets != inventory.Sold) errors.Add($"{key}: {tickets} valid/used tickets, the tier sold {inventory.Sold} seats");
        }
        return Make("every valid ticket belongs to exactly one paid order line, one ticket per seat (and tickets per tier = seats sold)", errors,
            $"{data.LiveTickets.Values.Sum():N0} valid/used tickets, {data.VoidTickets:N0} void");
    }

    private static Check PaymentsSettled(Store data, HashSet<string> holdIds)
    {
        var errors = new List<string>();
        var checkouts = holdIds.Select(CheckoutIds.ForHold).ToHashSet(StringComparer.Ordinal);
        var ordersByPayment = data.Orders.Values.ToDictionary(o => o.PaymentId, StringComparer.Ordinal);
        var paymentsById = data.Payments.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var linesByOrder = data.Lines.Keys.ToLookup(l => l.OrderId, StringComparer.Ordinal);
        foreach (var payment in data.Payments)
        {
            if (payment.Captures != 1) errors.Add($"{payment.Id}: {payment.Captures} captures");
            if (payment.Status != "declined" && !checkouts.Contains(payment.Id)) errors.Add($"{payment.Id}: {payment.Status} for no hold's checkout");
            ordersByPayment.TryGetValue(payment.Id, out var order);
            var tickets = order is null ? 0 : linesByOrder[order.Id].Sum(l => data.LiveTickets.GetValueOrDefault(l));
            // What the buyer keeps paying for: the live tickets at their lines' prices; the gateway refunded exactly the rest.
            var kept = order is null ? 0 : linesByOrder[order.Id].Sum(l => data.LiveTickets.GetValueOrDefault(l) * data.Lines[l].PriceMinor);
            if (payment.RefundedMinor > payment.AmountMinor) errors.Add($"{payment.Id}: refunded {payment.RefundedMinor}, more than the {payment.AmountMinor} captured");
            switch (payment.Status)
            {
                case "captured" when order is null: errors.Add($"{payment.Id}: captured {payment.AmountMinor}, no tickets and no refund"); break;
                case "captured" when order.State != "paid" || tickets == 0: errors.Add($"{payment.Id}: captured, order {order.State} with {tickets} tickets"); break;
                case "captured" when order.TotalMinor != payment.AmountMinor: errors.Add($"{payment.Id}: captured {payment.AmountMinor}, order total {order.TotalMinor}"); break;
                case "captured" when payment.AmountMinor - payment.RefundedMinor != kept || payment.RefundedMinor != order.RefundedMinor:
                    errors.Add($"{payment.Id}: captured {payment.AmountMinor}, refunded {payment.RefundedMinor} (order says {order.RefundedMinor}), live tickets worth {kept}"); break;
                case "refunded" when order is { State: "paid" } || tickets > 0: errors.Add($"{payment.Id}: refunded and {tickets} valid tickets (both)"); break;
                case "refunded" when payment.RefundedMinor != payment.AmountMinor: errors.Add($"{payment.Id}: refunded, but {payment.RefundedMinor} of {payment.AmountMinor}"); break;
                case "declined" when order is not null: errors.Add($"{payment.Id}: declined yet order {order.Id} exists"); break;
            }
        }
        foreach (var order in data.Orders.Values.Where(o => o.State == "paid"))
        {
            var payment = paymentsById.GetValueOrDefault(order.PaymentId);
            if (payment?.Status != "captured") errors.Add($"{order.Id}: paid order, payment {order.PaymentId} {payment?.Status ?? "missing"}");
        }
        var byStatus = data.Payments.GroupBy(p => p.Status).ToDictionary(g => g.Key, g => g.Count());
        return Make("every captured payment has tickets or a refund, never both (a partial refund = the voided tickets' price); one capture per checkout", errors,
            $"{byStatus.GetValueOrDefault("captured"):N0} captured ({data.Payments.Count(p => p.Status == "captured" && p.RefundedMinor > 0):N0} partly refunded), {byStatus.GetValueOrDefault("refunded"):N0} refunded, {byStatus.GetValueOrDefault("declined"):N0} declined");
    }

    private static Check IdempotentEffects(Store data, HashSet<string> holdIds)
    {
        var errors = new List<string>();
        int holds = 0, orders = 0, problems = 0, other = 0;
        foreach (var (user, key, status, contentType, body) in data.StoredResponses)
        {
            // The middleware's own rule: a content type without a body is a response cut short, never to be stored.
            if (body.Length == 0 && contentType is not null)
            {
                errors.Add($"{user}/{key}: a stored {status} response without its body (a retry would get neither the effect nor the problem)");
                continue;
            }
            if (status is < 200 or > 299)
            {
                problems++;
                continue;
            }
            if (body.Length == 0)
            {
                other++;
                continue;
            }
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("holdId", out var hold) && !root.TryGetProperty("lines", out _))
            {
                holds++;
                if (!holdIds.Contains(hold.GetString()!)) errors.Add($"{user}/{key}: answered hold {hold.GetString()}, which no tier holds");
            }
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) && root.TryGetProperty("lines", out _))
            {
                orders++;
                if (!data.Orders.ContainsKey(id.GetString()!)) errors.Add($"{user}/{key}: answered order {id.GetString()}, which does not exist");
            }
            else other++;
        }
        return Make("every Idempotency-Key maps to one effect that exists", errors,
            $"{data.StoredResponses.Count:N0} stored responses: {holds:N0} holds, {orders:N0} orders, {other:N0} other 2xx, {problems:N0} problems");
    }

    private static Check Make(string name, List<string> errors, string detail) =>
        new(name, errors.Count == 0, errors.Count == 0 ? detail : $"{errors.Count} problem(s); {detail}", errors.Take(MaxExamples).ToList());

    /// <summary>What the audit reads, in one pass per table.</summary>
    private sealed class Store
    {
        public Dictionary<string, List<(long Seq, byte[] Entry)>> Journals { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, (long Version, byte[] Payload)> Snapshots { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, int> CatalogCapacity { get; } = new(StringComparer.Ordinal); // tier key -> capacity
        public Dictionary<string, Order> Orders { get; } = new(StringComparer.Ordinal);
        public Dictionary<(string OrderId, string TierId), (int Quantity, long PriceMinor)> Lines { get; } = [];
        public Dictionary<(string OrderId, string TierId), int> LiveTickets { get; } = [];
        public Dictionary<(string EventId, string TierId), int> LiveTicketsByTier { get; } = [];
        public Dictionary<(string OrderId, string TierId), int> VoidTicketsByLine { get; } = [];
        public long VoidTickets { get; set; }
        public List<Payment> Payments { get; } = [];
        public List<(string User, string Key, int Status, string? ContentType, byte[] Body)> StoredResponses { get; } = [];
        public SeatStore Seats { get; private set; } = new();

        public static async Task<Store> LoadAsync(NpgsqlDataSource database, string serviceId)
        {
            var store = new Store();
            await using var connection = await database.OpenConnectionAsync();
            // One snapshot of the whole database, so the checks compare tables as of the same instant.
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
            // One row per append: entries first_seq..last_seq as one JSON array.
            await Read(connection, "SELECT grain_key, first_seq, entries FROM tf_journal WHERE service_id = $1 AND grain_type = $2 AND journal = $3 ORDER BY grain_key, first_seq",
                r =>
                {
                    var journal = store.Journals.TryGetValue(r.GetString(0), out var found) ? found : store.Journals[r.GetString(0)] = [];
                    journal.AddRange(JournalBatch.Decode((byte[])r[2]).Select((entry, i) => (r.GetInt64(1) + i, entry)));
                    return true;
                },
                serviceId, InventoryJournal.GrainType, InventoryJournal.Name);
            await Read(connection, "SELECT grain_key, version, payload FROM tf_journal_snapshot WHERE service_id = $1 AND grain_type = $2 AND journal = $3",
                r => store.Snapshots.TryAdd(r.GetString(0), (r.GetInt64(1), (byte[])r[2])), serviceId, InventoryJournal.GrainType, InventoryJournal.Name);
            await Read(connection, "SELECT t.event_id, t.id, t.capacity FROM tf_tiers t JOIN tf_events e ON e.id = t.event_id WHERE e.status <> 'draft'",
                r => store.CatalogCapacity.TryAdd(TierKey.For(r.GetString(0), r.GetString(1)), r.GetInt32(2)));
            await Read(connection, "SELECT id, event_id, state, total_minor, payment_id, refunded_minor FROM tf_orders",
                r => store.Orders.TryAdd(r.GetString(0), new Order(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetInt64(5))));
            await Read(connection, "SELECT order_id, tier_id, quantity, price_minor FROM tf_order_lines",
                r => store.Lines.TryAdd((r.GetString(0), r.GetString(1)), (r.GetInt32(2), r.GetInt64(3))));
            await Read(connection, "SELECT order_id, event_id, tier_id, state, count(*) FROM tf_tickets GROUP BY order_id, event_id, tier_id, state", r =>
            {
                var count = (int)r.GetInt64(4);
                if (r.GetString(3) == "void")
                {
                    store.VoidTickets += count;
                    store.VoidTicketsByLine[(r.GetString(0), r.GetString(2))] = store.VoidTicketsByLine.GetValueOrDefault((r.GetString(0), r.GetString(2))) + count;
                    return true;
                }
                store.LiveTickets[(r.GetString(0), r.GetString(2))] = store.LiveTickets.GetValueOrDefault((r.GetString(0), r.GetString(2))) + count;
                store.LiveTicketsByTier[(r.GetString(1), r.GetString(2))] = store.LiveTicketsByTier.GetValueOrDefault((r.GetString(1), r.GetString(2))) + count;
                return true;
            });
            await Read(connection, "SELECT payment_id, status, amount_minor, captures, refunded_minor FROM tf_gateway_payments",
                r => Add(store.Payments, new Payment(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt32(3), r.GetInt64(4))));
            await Read(connection, "SELECT user_id, key, status_code, content_type, body FROM tf_idempotency_keys WHERE status_code IS NOT NULL",
                r => Add(store.StoredResponses, (r.GetString(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? [] : (byte[])r[4])));
            store.Seats = await SeatStore.LoadAsync(connection, serviceId);
            return store;
        }

        private static bool Add<T>(List<T> list, T item)
        {
            list.Add(item);
            return true;
        }

        private static async Task Read(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, bool> row, params object[] parameters)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) row(reader);
        }
    }

    private sealed record Order(string Id, string EventId, string State, long TotalMinor, string PaymentId, long RefundedMinor);

    private sealed record Payment(string Id, string Status, long AmountMinor, int Captures, long RefundedMinor);
}
