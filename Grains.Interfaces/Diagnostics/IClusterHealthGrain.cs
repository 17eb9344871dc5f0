namespace TicketFlow.Grains.Diagnostics;

/// <summary>
/// What every silo reports of its own dependencies (the payment gateway's circuit breaker), so any WebFront's
/// <c>/health/ready</c> can show them in cluster mode. One grain, key <see cref="Key"/>, in memory only: silos report every
/// few seconds and on every change, and a report older than <see cref="DependencyReport.Lifetime"/> (a dead silo's) is dropped.
/// </summary>
[Alias("TicketFlow.IClusterHealthGrain")]
public interface IClusterHealthGrain : IGrainWithStringKey
{
    public const string Key = "cluster";

    [Alias("Report")]
    Task Report(DependencyReport report);

    [ReadOnly, Alias("GetReports")]
    Task<IReadOnlyList<DependencyReport>> GetReports();
}

/// <param name="State">A short state word, e.g. <c>closed</c>, <c>open</c>, <c>half_open</c>.</param>
[GenerateSerializer, Immutable, Alias("TicketFlow.DependencyReport")]
public sealed record DependencyReport([property: Id(0)] string Silo, [property: Id(1)] string Dependency, [property: Id(2)] string State,
    [property: Id(3)] DateTimeOffset At)
{
    /// <summary>Silos report every <see cref="Period"/>.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(20);
}
