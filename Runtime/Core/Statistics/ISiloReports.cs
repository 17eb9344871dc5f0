namespace TicketFlow.Runtime.Statistics;

/// <summary>Statistics of every live silo, for dashboards: gathered over HTTP by a client, read in-process by an embedded silo.</summary>
public interface ISiloReports
{
    Task<IReadOnlyList<SiloReport>> GetSiloReportsAsync(CancellationToken cancellationToken);
}
