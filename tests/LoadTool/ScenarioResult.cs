namespace TicketFlow.LoadTool;

/// <summary>What a scenario reports beside the per-endpoint table: its settings, headline figures and client-side checks.</summary>
public sealed class ScenarioResult(string scenario)
{
    public string Scenario => scenario;

    public Dictionary<string, string> Parameters { get; } = new(StringComparer.Ordinal);

    /// <summary>Headline figures in the order they are printed, e.g. "time to sell out (s)".</summary>
    public List<(string Name, double Value, string Unit)> Figures { get; } = [];

    /// <summary>Client-side checks that failed (an Idempotency-Key that produced two different effects, ...).</summary>
    public List<string> Violations { get; } = [];

    public void Figure(string name, double value, string unit = "") => Figures.Add((name, value, unit));
}
