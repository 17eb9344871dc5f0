namespace TicketFlow.LoadTool;

/// <summary>
/// Per fault of a chaos run, from the recorder's per-second timeline: how long no hold was granted after it, and the
/// requests that failed from the fault until the next one (or the end), by outcome. "No hold granted" is the outage a
/// buyer sees: a fault that leaves holds flowing on the other silos shows 0 s.
/// </summary>
public static class FaultRecovery
{
    public sealed record Row(string Fault, double At, int NoHoldSeconds, IReadOnlyList<(string Outcome, long Count)> Failed);

    /// <param name="faults">When each fault began (seconds into the run) and what it was.</param>
    public static IReadOnlyList<Row> Compute(IReadOnlyList<(double At, string Fault)> faults, Recorder recorder)
    {
        var timeline = recorder.Timeline.ToDictionary(t => t.Second, t => t.Stats);
        var end = timeline.Count == 0 ? 0 : timeline.Keys.Max();
        var rows = new List<Row>();
        for (var i = 0; i < faults.Count; i++)
        {
            var (at, fault) = faults[i];
            var from = (int)at;
            var until = i + 1 < faults.Count ? (int)faults[i + 1].At : end + 1;
            long Granted(int second) => timeline.TryGetValue(second, out var s) ? Interlocked.Read(ref s.HoldsGranted) : 0;
            // the longest run of whole seconds without a granted hold, from the fault until the next one
            int longest = 0, run = 0;
            for (var second = from + 1; second < until; second++)
            {
                run = Granted(second) == 0 ? run + 1 : 0;
                longest = Math.Max(longest, run);
            }
            var failed = Enumerable.Range(from, Math.Max(0, until - from))
                .SelectMany(second => timeline.TryGetValue(second, out var s) ? s.FailuresByOutcome.ToArray() : [])
                .GroupBy(f => f.Key).Select(g => (g.Key, g.Sum(f => f.Value))).Where(f => f.Key != "409 sold_out")
                .OrderByDescending(f => f.Item2).ToList();
            rows.Add(new Row(fault, at, longest, failed));
        }
        return rows;
    }

    public static void Print(IReadOnlyList<Row> rows, TextWriter output)
    {
        output.WriteLine("| fault (at s)                                       | longest stretch with no hold granted | failed requests until the next fault (not counting 409 sold_out) |");
        output.WriteLine("|----------------------------------------------------|-------------------------------------:|-------------------------------------------------------------------|");
        foreach (var row in rows)
        {
            var failed = row.Failed.Count == 0 ? "none" : string.Join(", ", row.Failed.Take(5).Select(f => $"{f.Count:N0} {f.Outcome}"));
            output.WriteLine($"| {row.At,6:0.0}s {Truncate(row.Fault, 42),-42} | {row.NoHoldSeconds,34} s | {failed} |");
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
