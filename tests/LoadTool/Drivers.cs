using System.Diagnostics;

namespace TicketFlow.LoadTool;

/// <summary>How requests are issued: closed loop (C callers, each sends when its last call returned) or open loop (R calls a
/// second on a fixed schedule, whatever the latency: the way real arrivals behave and the only way to see queueing).</summary>
public static class Drivers
{
    /// <summary>Calls beyond this many in flight are counted as not sent rather than piling up in the tool.</summary>
    public const int MaxInFlight = 20_000;

    /// <returns>0: a closed loop never skips a call (the same shape as <see cref="OpenLoopAsync"/>).</returns>
    public static async Task<long> ClosedLoopAsync(int callers, TimeSpan duration, Func<long, Task> call)
    {
        long next = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < stopAt) await call(Interlocked.Increment(ref next));
        }));
        return 0;
    }

    /// <returns>How many scheduled calls were skipped because <see cref="MaxInFlight"/> were already waiting.</returns>
    public static async Task<long> OpenLoopAsync(double rate, TimeSpan duration, Func<long, Task> call)
    {
        var running = new List<Task>();
        long inFlight = 0, skipped = 0;
        var clock = Stopwatch.StartNew();
        var total = (long)(rate * duration.TotalSeconds);
        for (long n = 1; n <= total; n++)
        {
            var wait = TimeSpan.FromSeconds((n - 1) / rate) - clock.Elapsed; // one reading: two could make it negative
            if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            if (Interlocked.Read(ref inFlight) >= MaxInFlight) { skipped++; continue; }
            Interlocked.Increment(ref inFlight);
            var number = n;
            running.Add(Task.Run(async () =>
            {
                try { await call(number); }
                finally { Interlocked.Decrement(ref inFlight); }
            }));
            if (running.Count > 50_000) running.RemoveAll(t => t.IsCompleted);
        }
        await Task.WhenAll(running);
        return skipped;
    }

    /// <summary>One status line a second on stderr while <paramref name="until"/> runs.</summary>
    public static async Task ProgressAsync(Recorder recorder, Func<string> detail, Task until)
    {
        long lastRequests = 0;
        var lastSecond = 0;
        while (await Task.WhenAny(until, Task.Delay(1000)) != until)
        {
            var requests = recorder.TotalRequests;
            var second = (int)recorder.Elapsed.TotalSeconds - 1;
            var p95 = recorder.Timeline.Where(s => s.Second == second).Select(s => s.Stats.Latency.PercentileMs(0.95)).FirstOrDefault();
            var rate = (requests - lastRequests) / Math.Max(1, second + 1 - lastSecond);
            Console.Error.WriteLine($"[{recorder.Elapsed.TotalSeconds,6:0}s] {requests,10:N0} requests  {rate,8:N0}/s  p95 {p95,7:0.0} ms  {detail()}");
            (lastRequests, lastSecond) = (requests, second + 1);
        }
    }
}
