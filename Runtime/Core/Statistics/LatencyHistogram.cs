namespace TicketFlow.Runtime.Statistics;

/// <summary>Lock-free latency histogram with power-of-two microsecond buckets: cheap enough to leave on.</summary>
public sealed class LatencyHistogram
{
    private const int Buckets = 32; // bucket i holds latencies below 2^i µs; the last is open-ended
    private readonly long[] counts = new long[Buckets];

    public void Record(TimeSpan elapsed)
    {
        var micros = (ulong)Math.Max(1, elapsed.Ticks / 10);
        var bucket = Math.Min(Buckets - 1, 64 - System.Numerics.BitOperations.LeadingZeroCount(micros));
        Interlocked.Increment(ref counts[bucket]);
    }

    /// <summary>Upper bound of the bucket holding the given quantile, in milliseconds (0 if empty).</summary>
    public double PercentileMs(double quantile)
    {
        var snapshot = new long[Buckets];
        for (var i = 0; i < Buckets; i++) snapshot[i] = Volatile.Read(ref counts[i]);
        var total = snapshot.Sum();
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += snapshot[i];
            if (seen >= rank) return (1L << i) / 1000.0;
        }
        return (1L << (Buckets - 1)) / 1000.0;
    }
}
