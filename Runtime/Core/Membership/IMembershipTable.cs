namespace TicketFlow.Runtime.Membership;

/// <summary>The shared record of which silos exist. Every change bumps the table version.</summary>
public interface IMembershipTable
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Adds a new identity for this endpoint (status Joining); older generations at the same endpoint become Dead.</summary>
    Task<SiloAddress> RegisterAsync(string endpoint, CancellationToken cancellationToken);

    /// <summary>Moves the silo forward to <paramref name="status"/>; false if the row is already at or past it, or Dead.</summary>
    Task<bool> SetStatusAsync(SiloAddress silo, SiloStatus status, CancellationToken cancellationToken);

    Task<MembershipSnapshot> ReadAsync(CancellationToken cancellationToken);

    // The membership agent's calls. They block: the agent runs on a thread of its own so that a saturated thread pool
    // cannot delay heartbeats (see MembershipAgent).

    /// <summary>Records that the silo is alive; false if it has been declared dead (the silo must then stop).</summary>
    bool Heartbeat(SiloAddress silo);

    /// <summary>
    /// Declares the silo dead, only if its last heartbeat is older than <paramref name="timeout"/> and the
    /// <paramref name="judge"/>'s own is younger than half of it, by the same clock: a judge whose calls stalled with
    /// everyone else's (a database stall) declares no one.
    /// </summary>
    bool DeclareDead(SiloAddress silo, TimeSpan timeout, SiloAddress judge);

    MembershipSnapshot Read();
}
