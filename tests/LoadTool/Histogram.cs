namespace TicketFlow.LoadTool;

/// <summary>
/// Lock-free latency histogram with log-spaced buckets 2% wide (1 µs to ~10 min): percentiles to within 2%, fixed memory,
/// safe to record from every request task at once.
/// </summary>
public sealed class Histogram
{
    private const double Growth = 1.02;
    private static readonly double LogGrowth = Math.Log(Growth);
    private static readonly int BucketCount = (int)Math.Ceiling(Math.Log(600e6) / LogGrowth) + 1;
    private readonly long[] counts = new long[BucketCount];
    private long total;
    private long maxMicros;

    public long Count => Volatile.Read(ref total);

    public double MaxMs => Volatile.Read(ref maxMicros) / 1000.0;

    public void Record(TimeSpan elapsed)
    {
        var micros = Math.Max(1L, elapsed.Ticks / 10);
        Interlocked.Increment(ref counts[Math.Min(BucketCount - 1, (int)(Math.Log(micros) / LogGrowth))]);
        Interlocked.Increment(ref total);
        long seen;
        while (micros > (seen = Volatile.Read(ref maxMicros)) && Interlocked.CompareExchange(ref maxMicros, micros, seen) != seen) { }
    }

    public void Add(Histogram other)
    {
        for (var i = 0; i < BucketCount; i++) Interlocked.Add(ref counts[i], Volatile.Read(ref other.counts[i]));
        Interlocked.Add(ref total, other.Count);
        var micros = Volatile.Read(ref other.maxMicros);
        long seen;
        while (micros > (seen = Volatile.Read(ref maxMicros)) && Interlocked.CompareExchange(ref maxMicros, micros, seen) != seen) { }
    }

    /// <summary>The latency below which <paramref name="quantile"/> of the recorded ones fall, in ms (upper bucket edge; 0 if empty).</summary>
    public double PercentileMs(double quantile)
    {
        var n = Count;
        if (n == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(quantile * n));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += Volatile.Read(ref counts[i]);
            if (seen >= rank) return Math.Min(Math.Pow(Growth, i + 1), Volatile.Read(ref maxMicros)) / 1000.0;
        }
        return MaxMs;
    }
}
