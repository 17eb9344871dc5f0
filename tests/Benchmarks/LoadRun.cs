using System.Diagnostics;

namespace TicketFlow.Benchmarks;

/// <summary>Closed-loop load: N callers each issue the next call as soon as the last one returns, for a fixed time.</summary>
public static class LoadRun
{
    /// <param name="CpuSeconds">CPU this process used during the run (callers and, for in-process benchmarks, the silo: not PostgreSQL).</param>
    /// <param name="AllocatedBytes">Bytes this process allocated during the run.</param>
    /// <param name="GcPauseSeconds">Time this process's threads were paused by the garbage collector during the run.</param>
    public sealed record Result(string Scenario, int Callers, long Operations, long Errors, double Seconds, double P50Ms, double P95Ms, double P99Ms,
        double CpuSeconds, long AllocatedBytes = 0, double GcPauseSeconds = 0)
    {
        public double OpsPerSecond => Operations / Seconds;

        /// <summary>Microseconds of this process's CPU per operation.</summary>
        public double CpuMicrosecondsPerOp => Operations == 0 ? 0 : CpuSeconds * 1e6 / Operations;

        public double AllocatedBytesPerOp => Operations == 0 ? 0 : (double)AllocatedBytes / Operations;

        /// <summary>Share of the run's wall time spent in GC pauses.</summary>
        public double GcPauseShare => Seconds == 0 ? 0 : GcPauseSeconds / Seconds;
    }

    public static async Task<Result> RunAsync(string scenario, int callers, TimeSpan duration, Func<Task> call)
    {
        // Warm up: connections, JIT, activation.
        var warmUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < warmUntil) await call();
        }));

        var latencies = new List<long>[callers];
        long errors = 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var (allocatedBefore, pausedBefore) = (GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration());
        var clock = Stopwatch.StartNew();
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async worker =>
        {
            var mine = latencies[worker] = new List<long>(1 << 14);
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                if (started >= stopAt) return;
                try
                {
                    // Each caller continues on the thread pool, as independent callers (a WebFront's requests, other
                    // grains) do; otherwise an in-process caller's next call would run inline on the thread that
                    // completed the last one, which for a grain is the activation's own turn.
                    await call().ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                    mine.Add(Stopwatch.GetTimestamp() - started);
                }
                catch
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var (allocated, paused) = (GC.GetTotalAllocatedBytes() - allocatedBefore, (GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new Result(scenario, callers, all.Length, errors, seconds, Percentile(0.50), Percentile(0.95), Percentile(0.99), cpu, allocated, paused);
    }
}
