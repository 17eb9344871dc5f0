namespace TicketFlow.Grains.Diagnostics;

[GrainType("cluster-health")]
public sealed class ClusterHealthGrain(TimeProvider time) : Grain, IClusterHealthGrain
{
    private readonly Dictionary<(string Silo, string Dependency), DependencyReport> reports = [];

    public Task Report(DependencyReport report)
    {
        reports[(report.Silo, report.Dependency)] = report;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DependencyReport>> GetReports()
    {
        var since = time.GetUtcNow() - DependencyReport.Lifetime;
        foreach (var stale in reports.Where(r => r.Value.At < since).Select(r => r.Key).ToList()) reports.Remove(stale);
        return Task.FromResult<IReadOnlyList<DependencyReport>>(reports.Values.OrderBy(r => r.Silo).ThenBy(r => r.Dependency).ToList());
    }
}
