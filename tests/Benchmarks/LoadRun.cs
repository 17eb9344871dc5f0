using System.Diagnostics;

namespace TicketFlow.Benchmarks;

/// <summary>Closed-loop load: N callers each issue the next call as soon as the last one returns, for a fixed time.</summary>
public static class LoadRun
{
    /// <param name="CpuSeconds">CPU this process used during the run (callers and, for in-process benchmarks, the silo: not PostgreSQL).</param>
    public sealed record Result(string Scenario, int Callers, long Operations, long Errors, double Seconds, double P50Ms, double P95Ms, double P99Ms,
        double CpuSeconds)
    {
        public double OpsPerSecond => Operations / Seconds;

        /// <summary>Microseconds of this process's CPU per operation.</summary>
        public double CpuMicrosecondsPerOp => Operations == 0 ? 0 : CpuSeconds * 1e6 / Operations;
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
                    await call();
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
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new Result(scenario, callers, all.Length, errors, seconds, Percentile(0.50), Percentile(0.95), Percentile(0.99), cpu);
    }
}
