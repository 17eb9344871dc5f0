using System.Collections.Concurrent;
using System.Diagnostics;

namespace TicketFlow.LoadTool;

/// <summary>Everything measured during a run: per endpoint latencies and outcomes, and a per-second timeline for the chart.</summary>
public sealed class Recorder
{
    public const string HoldEndpoint = "POST /holds";

    private long startedAt = Stopwatch.GetTimestamp();
    private long? stoppedAt;
    private readonly ConcurrentDictionary<string, EndpointStats> endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, Second> timeline = new();

    /// <summary>Time since the start (or the last <see cref="Reset"/>), up to <see cref="Stop"/> once called.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(startedAt, stoppedAt ?? Stopwatch.GetTimestamp());

    /// <summary>Ends the measured period: rates are per second of load, not of the audit or a baseline that follows.</summary>
    public void Stop() => stoppedAt ??= Stopwatch.GetTimestamp();

    public bool Stopped => stoppedAt is not null;

    // ToArray first: ConcurrentDictionary.ToArray is atomic, while LINQ over it sizes a buffer by Count and then copies,
    // which throws when a buyer adds an entry in between (a CI run failed on exactly that).
    public IEnumerable<(string Endpoint, EndpointStats Stats)> Endpoints =>
        endpoints.ToArray().OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, e.Value));

    public IEnumerable<(int Second, Second Stats)> Timeline => timeline.ToArray().OrderBy(s => s.Key).Select(s => (s.Key, s.Value));

    /// <param name="outcome">"2xx" for success, else e.g. "409 sold_out", "503 grain_unavailable" or "transport: timeout".</param>
    public void Record(string endpoint, TimeSpan latency, bool success, string outcome)
    {
        var stats = endpoints.GetOrAdd(endpoint, _ => new EndpointStats());
        stats.Latency.Record(latency);
        stats.Outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        var second = timeline.GetOrAdd((int)Elapsed.TotalSeconds, _ => new Second());
        Interlocked.Increment(ref second.Requests);
        if (!success)
        {
            Interlocked.Increment(ref second.Failures);
            second.FailuresByOutcome.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        }
        else if (endpoint.StartsWith(HoldEndpoint, StringComparison.Ordinal)) Interlocked.Increment(ref second.HoldsGranted);
        second.Latency.Record(latency);
        if (endpoint == HoldEndpoint) second.HoldLatency.Record(latency);
    }

    /// <summary>Forgets everything recorded so far (after a warm-up) and restarts the clock.</summary>
    public void Reset()
    {
        endpoints.Clear();
        timeline.Clear();
        startedAt = Stopwatch.GetTimestamp();
        stoppedAt = null;
    }

    public EndpointStats? For(string endpoint) => endpoints.GetValueOrDefault(endpoint);

    public long TotalRequests => endpoints.ToArray().Sum(e => e.Value.Latency.Count);

    public sealed class EndpointStats
    {
        public Histogram Latency { get; } = new();

        /// <summary>Responses by outcome ("2xx", "409 sold_out", ...).</summary>
        public ConcurrentDictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);

        public long Successes => Outcomes.GetValueOrDefault("2xx");
    }

    public sealed class Second
    {
        public long Requests;
        public long Failures;
        public long HoldsGranted;
        public ConcurrentDictionary<string, long> FailuresByOutcome { get; } = new(StringComparer.Ordinal);
        public Histogram Latency { get; } = new();
        public Histogram HoldLatency { get; } = new();
    }
}
