namespace TicketFlow.Runtime.Membership;

/// <summary>The shared record of which silos exist. Every change bumps the table version.</summary>
public interface IMembershipTable
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Adds a new identity for this endpoint (status Joining); older generations at the same endpoint become Dead.</summary>
    Task<SiloAddress> RegisterAsync(string endpoint, CancellationToken cancellationToken);

    /// <summary>Moves the silo forward to <paramref name="status"/>; false if the row is already at or past it, or Dead.</summary>
    Task<bool> SetStatusAsync(SiloAddress silo, SiloStatus status, CancellationToken cancellationToken);

    /// <summary>Records that the silo is alive; false if it has been declared dead (the silo must then stop).</summary>
    Task<bool> HeartbeatAsync(SiloAddress silo, CancellationToken cancellationToken);

    /// <summary>Declares the silo dead, only if its last heartbeat is older than <paramref name="timeout"/>.</summary>
    Task<bool> DeclareDeadAsync(SiloAddress silo, TimeSpan timeout, CancellationToken cancellationToken);

    Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken);
}
