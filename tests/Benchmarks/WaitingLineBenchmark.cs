using System.Diagnostics;
using TicketFlow.Domain.WaitingRoom;
using TicketFlow.Grains.WaitingRoom;

namespace TicketFlow.Benchmarks;

/// <summary>
/// One <see cref="WaitingLine"/> in memory on one thread (no runtime, no storage): joins/s, status reads/s, and GC heap
/// per waiting user at a million users, for users joining after on-sale (FIFO) and before it (shuffled at opening).
/// </summary>
public static class WaitingLineBenchmark
{
    private static readonly DateTimeOffset OnSale = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private const int JournalBatch = 1_000; // changes taken per group commit, as the grain would

    public static IReadOnlyList<Row> Run(int users)
    {
        var rows = new List<Row>();
        Console.WriteLine($"waiting line: {users:N0} users; {Environment.ProcessorCount} cores; load {LoadAverage()}; .NET {Environment.Version}; server GC {System.Runtime.GCSettings.IsServerGC}");

        // After on-sale: joins go straight into the Fenwick tree in join order.
        var (line, joinsPerSecond, _, bytes) = Fill(users, OnSale.AddSeconds(1), open: true);
        rows.Add(new($"joins/s, after on-sale, 1 thread, {users:N0} joins", $"{joinsPerSecond:N0}", "≥ 50,000", joinsPerSecond >= 50_000));
        rows.Add(new($"bytes per waiting user at {users:N0}, after on-sale", $"{bytes:N1}", "≤ 200", bytes <= 200));
        var statusPerSecond = Status(line!, users, OnSale.AddSeconds(60));
        rows.Add(new("status/s (exact position + ETA, touch), random tickets", $"{statusPerSecond:N0}", "fast", null));
        var clock = Stopwatch.StartNew();
        var tick = line!.Tick(OnSale.AddMinutes(2).AddSeconds(1)); // the random status reads missed ~13% of users: they are dropped
        rows.Add(new($"tick: abandonment scan of {users:N0} waiting, {tick.Dropped:N0} dropped", $"{clock.Elapsed.TotalMilliseconds:N1} ms", "—", null));
        GC.KeepAlive(line);
        line = null;

        // Before on-sale: the pre-queue gets its slots when the line opens.
        (line, joinsPerSecond, var openMs, bytes) = Fill(users, OnSale.AddSeconds(-60), open: false);
        rows.Add(new($"joins/s, pre-queue, 1 thread, {users:N0} joins", $"{joinsPerSecond:N0}", "≥ 50,000", joinsPerSecond >= 50_000));
        rows.Add(new($"opening: shuffle {users:N0} pre-queue users into slots", $"{openMs:N1} ms", "—", null));
        rows.Add(new($"bytes per waiting user at {users:N0}, pre-queue after opening", $"{bytes:N1}", "≤ 200", bytes <= 200));
        GC.KeepAlive(line);

        Console.WriteLine();
        Console.WriteLine("| waiting line (in memory, one thread) | measured | target | met |");
        Console.WriteLine("|---|---:|---|---|");
        foreach (var row in rows) Console.WriteLine($"| {row.Measure} | {row.Value} | {row.Target} | {row.Met switch { true => "yes", false => "NO", null => "" }} |");
        return rows;
    }

    public sealed record Row(string Measure, string Value, string Target, bool? Met);

    /// <summary>Joins <paramref name="users"/> new users; the heap growth counts the user ids too (the line keeps them).</summary>
    private static (WaitingLine? Line, double JoinsPerSecond, double OpenMs, double BytesPerUser) Fill(int users, DateTimeOffset joinAt, bool open)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var ids = UserIds(users);
        var line = new WaitingLine(OnSale, new WaitingRoomSettings { Paused = true }, () => 20261122);
        if (open) line.Tick(OnSale);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < ids.Length; i++)
        {
            line.Join(ids[i], joinAt);
            if (i % JournalBatch == 0) line.TakeChanges();
        }
        line.TakeChanges();
        var joinsPerSecond = users / clock.Elapsed.TotalSeconds;
        var openMs = 0.0;
        if (!open)
        {
            clock.Restart();
            line.Tick(OnSale);
            line.TakeChanges();
            openMs = clock.Elapsed.TotalMilliseconds;
        }
        ids = null;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        if (line.Waiting != users) throw new InvalidOperationException($"{line.Waiting} waiting, expected {users}.");
        return (line, joinsPerSecond, openMs, (after - before) / (double)users);
    }

    private static double Status(WaitingLine line, int users, DateTimeOffset now)
    {
        var random = new Random(7);
        var reads = 2 * users;
        long positions = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < reads; i++) positions += line.Status(random.Next(1, users + 1), now, touch: true)!.Position ?? 0;
        var perSecond = reads / clock.Elapsed.TotalSeconds;
        if (positions == 0) throw new InvalidOperationException("No positions read.");
        return perSecond;
    }

    /// <summary>"usr_" + 32 lowercase hex chars, the product's id format.</summary>
    private static string[] UserIds(int users)
    {
        var random = new Random(42);
        Span<byte> bytes = stackalloc byte[16];
        var ids = new string[users];
        for (var i = 0; i < users; i++)
        {
            random.NextBytes(bytes);
            ids[i] = "usr_" + Convert.ToHexStringLower(bytes);
        }
        return ids;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
