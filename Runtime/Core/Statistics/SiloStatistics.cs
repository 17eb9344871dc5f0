using System.Collections.Concurrent;

namespace TicketFlow.Runtime.Statistics;

/// <summary>Per grain type and method: calls, errors and latency; plus reminder ticks. Updated lock-free on every call.</summary>
public sealed class SiloStatistics
{
    private readonly ConcurrentDictionary<(string GrainType, string Method), MethodCounters> methods = new();
    private long remindersFired;
    private long groupCommits;
    private long groupCommitCalls;

    public void RecordCall(string grainType, string method, TimeSpan elapsed, bool failed)
    {
        var counters = methods.GetOrAdd((grainType, method), static _ => new MethodCounters());
        Interlocked.Increment(ref counters.Calls);
        if (failed) Interlocked.Increment(ref counters.Errors);
        counters.Latency.Record(elapsed);
    }

    public void RecordReminderFired() => Interlocked.Increment(ref remindersFired);

    public void RecordGroupCommit(int calls)
    {
        Interlocked.Increment(ref groupCommits);
        Interlocked.Add(ref groupCommitCalls, calls);
    }

    public long GroupCommits => Interlocked.Read(ref groupCommits);

    public long GroupCommitCalls => Interlocked.Read(ref groupCommitCalls);

    public long RemindersFired => Interlocked.Read(ref remindersFired);

    public IReadOnlyList<MethodStats> Methods() => methods
        .Select(m => new MethodStats(m.Key.GrainType, m.Key.Method, Interlocked.Read(ref m.Value.Calls), Interlocked.Read(ref m.Value.Errors),
            m.Value.Latency.PercentileMs(0.5), m.Value.Latency.PercentileMs(0.95), m.Value.Latency.PercentileMs(0.99)))
        .OrderBy(m => m.GrainType).ThenBy(m => m.Method)
        .ToList();

    public static ProcessStats Process()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new ProcessStats(process.TotalProcessorTime.TotalSeconds, process.WorkingSet64, GC.GetTotalMemory(false), Environment.ProcessorCount,
            (DateTime.Now - process.StartTime).TotalSeconds);
    }

    private sealed class MethodCounters
    {
        public long Calls;
        public long Errors;
        public readonly LatencyHistogram Latency = new();
    }
}

public sealed record MethodStats(string GrainType, string Method, long Calls, long Errors, double P50Ms, double P95Ms, double P99Ms);

public sealed record ProcessStats(double CpuSeconds, long WorkingSetBytes, long GcHeapBytes, int Processors, double UptimeSeconds);

/// <summary>What a silo reports at <c>GET /tf/stats</c>: the data a dashboard shows for it.</summary>
public sealed record SiloReport(
    string Silo,
    string Status,
    IReadOnlyDictionary<string, int> ActivationsByType,
    IReadOnlyList<MethodStats> Methods,
    long RemindersFired,
    long GroupCommits,
    long GroupCommitCalls,
    ProcessStats Process)
{
    /// <summary>State of the silo's own dependencies, by name (e.g. <c>payments: open</c>), from its <see cref="ISiloHealthSource"/>s.</summary>
    public IReadOnlyDictionary<string, string> Health { get; init; } = new Dictionary<string, string>();
}

/// <summary>A silo-side dependency whose state belongs in the silo's report (a circuit breaker, a connection); register it in the silo's services.</summary>
public interface ISiloHealthSource
{
    string Name { get; }

    /// <summary>A short state word, e.g. <c>closed</c>, <c>open</c>, <c>half_open</c>.</summary>
    string State { get; }
}
