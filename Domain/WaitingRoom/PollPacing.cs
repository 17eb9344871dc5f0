namespace TicketFlow.Domain.WaitingRoom;

/// <summary>
/// When a waiting fan's page should ask for its status again (<c>pollAfterMs</c>). A room may hold a million open queue
/// pages, each polling; so the interval grows with the polls the answering WebFront takes per second, keeping its load
/// near <c>budget</c> however many fans wait. A fan near the front asks sooner, so an admission is seen within a second
/// or two; one still far back, or before the line opens, asks rarely.
/// </summary>
public static class PollPacing
{
    public const int MinMs = 1_000;
    public const int MaxMs = 30_000;

    /// <param name="waiting">Still in the line (not admitted, left, dropped).</param>
    /// <param name="aheadOfYou">Fans ahead; null before the line opens (the order is drawn at on-sale time).</param>
    /// <param name="pollsPerSecond">Status polls this WebFront answered in the last second.</param>
    /// <param name="budget">Status polls per second this WebFront should answer at most (its configured capacity).</param>
    public static int IntervalMs(bool waiting, int? aheadOfYou, double pollsPerSecond, int budget)
    {
        var baseMs = !waiting ? 5_000
            : aheadOfYou is null ? 5_000
            : aheadOfYou < 100 ? MinMs
            : aheadOfYou < 10_000 ? 2_000
            : 5_000;
        var load = Math.Max(1.0, pollsPerSecond / Math.Max(1, budget));
        return (int)Math.Clamp(Math.Round(baseMs * load), MinMs, MaxMs);
    }
}
