using System.Text.Json;
using Npgsql;
using TicketFlow.Data.Journal;
using TicketFlow.Domain.Seating;
using TicketFlow.Grains.Journaling;
using TicketFlow.Grains.Purchases;
using TicketFlow.Grains.Seating;

namespace TicketFlow.LoadTool;

/// <summary>What the cluster says about one event's seat map now: each section's status bitmap with its journal version, and each
/// reserved tier's counts as the API reports them.</summary>
public sealed record LiveSeatMap(IReadOnlyDictionary<string, (long Version, byte[] Bits)> Sections,
    IReadOnlyDictionary<string, (int Available, int Held, int Sold, int Capacity)> Tiers);

/// <summary>Where the audit reads the live side of a seat map (the API for the load tool; the grains in tests).</summary>
public interface ISeatMapLiveView
{
    /// <returns>Null when the live side cannot be read (the failure goes to the check as an error).</returns>
    Task<LiveSeatMap?> ReadAsync(string eventId, CancellationToken cancellationToken);
}

/// <summary>The live side through the public API: <c>GET /events/{id}/seatmap/status</c> and <c>GET /events/{id}/availability</c>.</summary>
public sealed class ApiSeatMapLiveView(Api api) : ISeatMapLiveView
{
    public async Task<LiveSeatMap?> ReadAsync(string eventId, CancellationToken cancellationToken)
    {
        var status = await api.SendAsync("audit: GET seatmap/status", HttpMethod.Get, $"/api/v1/events/{eventId}/seatmap/status", cancellationToken: cancellationToken);
        var availability = await api.SendAsync("audit: GET availability", HttpMethod.Get, $"/api/v1/events/{eventId}/availability", cancellationToken: cancellationToken);
        if (!status.Ok || !availability.Ok) return null;
        var sections = status.Body.GetProperty("sections").EnumerateArray().ToDictionary(
            s => s.GetProperty("sectionId").GetString()!,
            s => (s.GetProperty("version").GetInt64(), Convert.FromBase64String(s.GetProperty("bits").GetString()!)), StringComparer.Ordinal);
        var tiers = availability.Body.GetProperty("tiers").EnumerateArray().ToDictionary(
            t => t.GetProperty("tierId").GetString()!,
            t => (t.GetProperty("available").GetInt32(), t.GetProperty("held").GetInt32(), t.GetProperty("sold").GetInt32(), t.GetProperty("capacity").GetInt32()),
            StringComparer.Ordinal);
        return new LiveSeatMap(sections, tiers);
    }
}

/// <summary>
/// The audit of reserved seating (every event with a seat map): section journals replayed with <see cref="SeatJournal.Replay"/> from
/// their first entry against the stored snapshots, the tickets, the orders, the catalog and the live seat map. Read-only.
/// </summary>
public static class SeatAudit
{
    private const int MaxExamples = 5;

    /// <summary>The seat checks alone, on a snapshot of the database of their own (tests; the <see cref="Auditor"/> loads <see cref="SeatStore"/>
    /// in its own transaction beside the rest).</summary>
    public static async Task<IReadOnlyList<Auditor.Check>> RunOnceAsync(NpgsqlDataSource database, string serviceId, ISeatMapLiveView? live,
        CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var store = await SeatStore.LoadAsync(connection, serviceId, cancellationToken);
        return await CheckAsync(store, live, cancellationToken);
    }

    public static async Task<IReadOnlyList<Auditor.Check>> CheckAsync(SeatStore data, ISeatMapLiveView? live, CancellationToken cancellationToken = default)
    {
        var checks = new List<Auditor.Check>();
        var (replayed, replayCheck) = Replay(data);
        checks.Add(replayCheck);
        checks.Add(SnapshotsMatch(data));
        checks.Add(SeatsSoldOnce(data, replayed));
        checks.Add(SoldSeatsAreTickets(data, replayed));
        var now = DateTimeOffset.UtcNow;
        var liveMaps = new Dictionary<string, LiveSeatMap?>(StringComparer.Ordinal);
        if (live is not null)
            foreach (var eventId in data.SeatMapEvents.Union(replayed.Keys.Select(k => SectionKey.Parse(k).EventId)).Order(StringComparer.Ordinal))
                liveMaps[eventId] = await live.ReadAsync(eventId, cancellationToken);
        checks.Add(TierCountsAgree(data, replayed, live is null ? null : liveMaps, now));
        if (live is not null) checks.Add(ReplayMatchesLive(data, replayed, liveMaps));
        return checks;
    }

    /// <summary>Every section journal that replays (the ones that do not are the replay check's failures).</summary>
    public static Dictionary<string, SectionSeats> ReplayAll(SeatStore data) => Replay(data).Replayed;

    /// <summary>Replays every section journal; a gap in the sequence or an entry the state machine refuses (a seat taken twice) fails.</summary>
    private static (Dictionary<string, SectionSeats> Replayed, Auditor.Check Check) Replay(SeatStore data)
    {
        var replayed = new Dictionary<string, SectionSeats>(StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var (key, entries) in data.Journals)
        {
            if (entries.Select((e, i) => e.Seq == i + 1).Any(dense => !dense)) errors.Add($"{key}: seqs {string.Join(',', entries.Take(10).Select(e => e.Seq))}...");
            try
            {
                var section = SeatJournal.Replay(entries.Select(e => e.Entry));
                if (!section.IsConfigured) errors.Add($"{key}: the journal does not start with the section's plan");
                else replayed[key] = section;
            }
            catch (Exception failure) { errors.Add($"{key}: {failure.Message}"); }
        }
        var unconfigured = data.SeatMapEvents.Where(e => !data.Journals.Keys.Any(k => SectionKey.Parse(k).EventId == e)).ToList();
        errors.AddRange(unconfigured.Select(e => $"{e}: published with a seat map, no section journal"));
        return (replayed, Make("section journals are dense and replay (no seat held or sold to two holds at once)", errors,
            $"{data.SeatMapEvents.Count} events with seat maps, {data.Journals.Count} section journals, {data.Journals.Sum(j => j.Value.Count):N0} entries, " +
            $"{replayed.Values.Sum(s => s.SeatCount):N0} seats"));
    }

    private static Auditor.Check SnapshotsMatch(SeatStore data)
    {
        var errors = new List<string>();
        foreach (var (key, (version, payload)) in data.Snapshots)
        {
            if (!data.Journals.TryGetValue(key, out var entries) || entries.Count < version) { errors.Add($"{key}: snapshot at {version}, journal shorter"); continue; }
            try
            {
                var expected = Describe(SeatJournal.Replay(entries.Take((int)version).Select(e => e.Entry)).ToSnapshot());
                var stored = Describe(SeatJournal.ReadSnapshot(payload));
                if (expected != stored) errors.Add($"{key} at {version}: replay and snapshot differ");
            }
            catch (Exception failure) { errors.Add($"{key} at {version}: {failure.Message}"); }
        }
        return Make("section journal replay = stored section snapshots", errors, $"{data.Snapshots.Count} section snapshots");

        // Order-free: holds and sales sorted by id, seat lists as stored.
        static string Describe(SectionSnapshot s) => JsonSerializer.Serialize(s with
        {
            Holds = s.Holds.OrderBy(h => h.HoldId, StringComparer.Ordinal).ToList(),
            Sales = s.Sales.OrderBy(x => x.HoldId, StringComparer.Ordinal).ToList(),
        }, JournalFormat.Json);
    }

    /// <summary>No seat on two valid tickets; no seat the journals count as sold belongs to two holds' sales.</summary>
    private static Auditor.Check SeatsSoldOnce(SeatStore data, Dictionary<string, SectionSeats> replayed)
    {
        var errors = new List<string>();
        foreach (var twice in data.SeatTickets.Where(t => t.State != "void").GroupBy(t => (t.EventId, t.SeatId)).Where(g => g.Count() > 1))
            errors.Add($"{twice.Key.EventId} seat {twice.Key.SeatId}: {twice.Count()} valid tickets ({string.Join(", ", twice.Select(t => $"{t.TicketId} of {t.OrderId}"))})");
        var soldSeats = 0;
        foreach (var (key, section) in replayed)
        {
            var owners = new Dictionary<int, List<string>>();
            foreach (var sale in section.ToSnapshot().Sales)
                foreach (var seat in sale.Seats.Except(sale.Returned))
                    (owners.TryGetValue(seat, out var list) ? list : owners[seat] = []).Add(sale.HoldId);
            soldSeats += owners.Count;
            foreach (var (seat, holds) in owners.Where(o => o.Value.Count > 1))
                errors.Add($"{key} seat {section.SeatId(seat)}: sold to {holds.Count} holds ({string.Join(", ", holds)})");
            var states = section.States.ToArray();
            foreach (var seat in owners.Keys.Where(s => states[s] != SeatState.Sold))
                errors.Add($"{key} seat {section.SeatId(seat)}: in a sale, but {SeatState.Name(states[seat])}");
        }
        return Make("every seat sold at most once (one valid ticket per seat; each sold seat in one hold's sale)", errors,
            $"{soldSeats:N0} seats sold in section journals, {data.SeatTickets.Count(t => t.State != "void"):N0} valid/used seat tickets, {data.SeatTickets.Count(t => t.State == "void"):N0} void");
    }

    /// <summary>Every seat a section journal has sold is on exactly one valid ticket of the paid order its hold's checkout issued, in that
    /// section and tier, and every valid seat ticket is a seat sold to its order's hold.</summary>
    private static Auditor.Check SoldSeatsAreTickets(SeatStore data, Dictionary<string, SectionSeats> replayed)
    {
        var errors = new List<string>();
        var sold = new Dictionary<(string EventId, string SeatId), (string SectionKey, string TierId, string OrderId)>();
        foreach (var (key, section) in replayed)
        {
            var eventId = SectionKey.Parse(key).EventId;
            foreach (var sale in section.ToSnapshot().Sales)
                foreach (var seat in sale.Seats.Except(sale.Returned))
                    sold[(eventId, section.SeatId(seat))] = (key, sale.TierId, CheckoutIds.ForHold(sale.HoldId));
        }
        var tickets = data.SeatTickets.Where(t => t.State != "void").ToLookup(t => (t.EventId, t.SeatId));
        foreach (var ((eventId, seatId), (key, tierId, orderId)) in sold)
        {
            var onTickets = tickets[(eventId, seatId)].ToList();
            if (onTickets.Count == 0) { errors.Add($"{key} seat {seatId}: sold (order {orderId}), on no valid ticket"); continue; }
            foreach (var ticket in onTickets)
            {
                var order = data.Orders.GetValueOrDefault(ticket.OrderId);
                if (ticket.OrderId != orderId) errors.Add($"{key} seat {seatId}: sold to order {orderId}, ticket {ticket.TicketId} is of order {ticket.OrderId}");
                else if (order != "paid") errors.Add($"{key} seat {seatId}: ticket {ticket.TicketId}'s order {ticket.OrderId} is {order ?? "missing"}, not paid");
                if (ticket.TierId != tierId) errors.Add($"{key} seat {seatId}: sold on tier {tierId}, ticket {ticket.TicketId} says {ticket.TierId}");
                if (SectionKey.For(eventId, ticket.SectionId) != key) errors.Add($"{key} seat {seatId}: ticket {ticket.TicketId} says section {ticket.SectionId}");
            }
        }
        foreach (var ticket in data.SeatTickets.Where(t => t.State != "void" && !sold.ContainsKey((t.EventId, t.SeatId))))
            errors.Add($"{ticket.EventId} seat {ticket.SeatId}: valid ticket {ticket.TicketId} of order {ticket.OrderId}, but the section journal has the seat {StateOf(ticket)}");
        return Make("every sold seat (section journal replay) is on exactly one valid ticket of its paid order, and vice versa", errors,
            $"{sold.Count:N0} sold seats, {data.SeatTickets.Count(t => t.State != "void"):N0} valid/used seat tickets");

        string StateOf(SeatStore.SeatTicket ticket)
        {
            if (!replayed.TryGetValue(SectionKey.For(ticket.EventId, ticket.SectionId), out var section)) return "in no section journal";
            var index = section.Plan!.Rows.SelectMany(r => r.Seats).Select((s, i) => (s.Id, i)).FirstOrDefault(s => s.Id == ticket.SeatId);
            return index.Id is null ? "not in its section" : SeatState.Name(section.States[index.i]);
        }
    }

    /// <summary>Per reserved tier: the sections' replayed counts add up, equal the catalog's capacity, the valid tickets, and what the API
    /// reports (held may differ only by holds that lapsed and are not yet expired in a journal).</summary>
    private static Auditor.Check TierCountsAgree(SeatStore data, Dictionary<string, SectionSeats> replayed, Dictionary<string, LiveSeatMap?>? live, DateTimeOffset now)
    {
        var errors = new List<string>();
        var tiers = new Dictionary<(string EventId, string TierId), (int Capacity, int Available, int Held, int Sold, int Lapsed)>();
        foreach (var (key, section) in replayed)
        {
            var eventId = SectionKey.Parse(key).EventId;
            var journaled = section.ToSnapshot().Holds;
            foreach (var counts in section.CountsAt(now))
            {
                var sum = tiers.GetValueOrDefault((eventId, counts.TierId));
                var lapsed = journaled.Where(h => h.TierId == counts.TierId && h.ExpiresAt <= now).Sum(h => h.Seats.Length);
                tiers[(eventId, counts.TierId)] = (sum.Capacity + counts.Capacity, sum.Available + counts.Available, sum.Held + counts.Held, sum.Sold + counts.Sold, sum.Lapsed + lapsed);
                if (counts.Available < 0 || counts.Held < 0 || counts.Available + counts.Held + counts.Sold != counts.Capacity)
                    errors.Add($"{key} tier {counts.TierId}: available {counts.Available} + held {counts.Held} + sold {counts.Sold} vs capacity {counts.Capacity}");
            }
        }
        var ticketsByTier = data.SeatTickets.Where(t => t.State != "void").GroupBy(t => (t.EventId, t.TierId)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var ((eventId, tierId), (capacity, available, held, sold, lapsed)) in tiers.OrderBy(t => t.Key))
        {
            if (data.ReservedCapacity.TryGetValue((eventId, tierId), out var catalog) && catalog != capacity)
                errors.Add($"{eventId} tier {tierId}: the sections have {capacity} seats, the catalog says capacity {catalog}");
            var tickets = ticketsByTier.GetValueOrDefault((eventId, tierId));
            if (tickets != sold) errors.Add($"{eventId} tier {tierId}: the sections sold {sold} seats, {tickets} valid/used tickets");
            if (live is null) continue;
            if (live.GetValueOrDefault(eventId) is not { } map) { errors.Add($"{eventId}: the live seat map and availability could not be read"); continue; }
            if (!map.Tiers.TryGetValue(tierId, out var reported)) { errors.Add($"{eventId} tier {tierId}: not in the API's availability"); continue; }
            var heldOk = reported.Held >= held && reported.Held <= held + lapsed && reported.Available == available - (reported.Held - held);
            if (reported.Capacity != capacity || reported.Sold != sold || !heldOk)
                errors.Add($"{eventId} tier {tierId}: the API says available/held/sold/capacity {reported}, the sections' journals {(available, held, sold, capacity)}" +
                    (lapsed > 0 ? $" ({lapsed} seats in lapsed holds not yet expired)" : ""));
        }
        foreach (var ((eventId, tierId), count) in ticketsByTier.Where(t => !tiers.ContainsKey(t.Key)))
            errors.Add($"{eventId} tier {tierId}: {count} valid seat tickets, no section sells the tier");
        return Make("per reserved tier: sum of its sections' counts = the catalog's capacity = the API's /availability, sold = valid tickets", errors,
            $"{tiers.Count} reserved tiers, {tiers.Values.Sum(t => t.Sold):N0} sold, {tiers.Values.Sum(t => t.Held):N0} held, capacity {tiers.Values.Sum(t => t.Capacity):N0}" +
            (live is null ? " (the API not read)" : ""));
    }

    /// <summary>The live status bitmap of each section is the replayed journal's, at the same journal version.</summary>
    private static Auditor.Check ReplayMatchesLive(SeatStore data, Dictionary<string, SectionSeats> replayed, Dictionary<string, LiveSeatMap?> live)
    {
        var errors = new List<string>();
        var compared = 0;
        foreach (var (key, section) in replayed.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var (eventId, sectionId) = SectionKey.Parse(key);
            if (live.GetValueOrDefault(eventId) is not { } map) { errors.Add($"{eventId}: the live seat map could not be read"); continue; }
            if (!map.Sections.TryGetValue(sectionId, out var status)) { errors.Add($"{key}: not in the live seat map"); continue; }
            compared++;
            var expected = SeatBits.Pack(section.States);
            var differing = Enumerable.Range(0, section.SeatCount).Where(s => s >> 2 >= status.Bits.Length || SeatBits.StateAt(status.Bits, s) != section.States[s]).ToList();
            if (status.Bits.Length != expected.Length || differing.Count > 0)
                errors.Add($"{key}: {differing.Count} seats differ (e.g. {string.Join(", ", differing.Take(3).Select(s => $"{section.SeatId(s)} journal {SeatState.Name(section.States[s])}, live {(s >> 2 < status.Bits.Length ? SeatState.Name(SeatBits.StateAt(status.Bits, s)) : "missing")}"))}); " +
                    $"live at version {status.Version}, journal at {data.Journals[key].Count}");
        }
        return Make("section journal replay = the live seat states (GET /seatmap/status bitmaps)", errors, $"{compared} sections compared");
    }

    private static Auditor.Check Make(string name, List<string> errors, string detail) =>
        new(name, errors.Count == 0, errors.Count == 0 ? detail : $"{errors.Count} problem(s); {detail}", errors.Take(MaxExamples).ToList());
}

/// <summary>What the seat audit reads, in one pass per table, inside the caller's transaction.</summary>
public sealed class SeatStore
{
    public sealed record SeatTicket(string TicketId, string OrderId, string EventId, string TierId, string SeatId, string SectionId, string State);

    public Dictionary<string, List<(long Seq, byte[] Entry)>> Journals { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, (long Version, byte[] Payload)> Snapshots { get; } = new(StringComparer.Ordinal);
    public HashSet<string> SeatMapEvents { get; } = new(StringComparer.Ordinal);
    public Dictionary<(string EventId, string TierId), int> ReservedCapacity { get; } = [];
    public HashSet<string> ReservedTierIds { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Orders { get; } = new(StringComparer.Ordinal); // order id -> state
    public List<SeatTicket> SeatTickets { get; } = [];

    public static async Task<SeatStore> LoadAsync(NpgsqlConnection connection, string serviceId, CancellationToken cancellationToken = default)
    {
        var store = new SeatStore();
        await Read(connection, "SELECT grain_key, first_seq, entries FROM tf_journal WHERE service_id = $1 AND grain_type = $2 AND journal = $3 ORDER BY grain_key, first_seq",
            r =>
            {
                var journal = store.Journals.TryGetValue(r.GetString(0), out var found) ? found : store.Journals[r.GetString(0)] = [];
                journal.AddRange(JournalBatch.Decode((byte[])r[2]).Select((entry, i) => (r.GetInt64(1) + i, entry)));
            }, cancellationToken, serviceId, SeatJournal.GrainType, SeatJournal.Name);
        await Read(connection, "SELECT grain_key, version, payload FROM tf_journal_snapshot WHERE service_id = $1 AND grain_type = $2 AND journal = $3",
            r => store.Snapshots.TryAdd(r.GetString(0), (r.GetInt64(1), (byte[])r[2])), cancellationToken, serviceId, SeatJournal.GrainType, SeatJournal.Name);
        await Read(connection, "SELECT id FROM tf_events WHERE venue_id IS NOT NULL AND layout_version IS NOT NULL AND status <> 'draft'",
            r => store.SeatMapEvents.Add(r.GetString(0)), cancellationToken);
        await Read(connection, "SELECT t.event_id, t.id, t.capacity FROM tf_tiers t JOIN tf_events e ON e.id = t.event_id WHERE t.reserved AND e.status <> 'draft'",
            r => { store.ReservedCapacity[(r.GetString(0), r.GetString(1))] = r.GetInt32(2); store.ReservedTierIds.Add(r.GetString(1)); }, cancellationToken);
        await Read(connection, "SELECT id, state FROM tf_orders", r => store.Orders[r.GetString(0)] = r.GetString(1), cancellationToken);
        await Read(connection, "SELECT id, order_id, event_id, tier_id, seat_id, section_id, state FROM tf_tickets WHERE seat_id IS NOT NULL",
            r => store.SeatTickets.Add(new SeatTicket(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6))),
            cancellationToken);
        return store;
    }

    private static async Task Read(NpgsqlConnection connection, string sql, Action<NpgsqlDataReader> row, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) row(reader);
    }
}
