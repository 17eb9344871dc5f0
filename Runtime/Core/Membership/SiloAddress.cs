namespace TicketFlow.Runtime.Membership;

/// <summary>A silo's identity: where it listens and which start of that process it is. A dead identity never returns.</summary>
public readonly record struct SiloAddress(string Endpoint, long Generation)
{
    public override string ToString() => $"{Endpoint}@{Generation}";
}

/// <summary>Lifecycle of a silo in the membership table; a row only ever moves forward.</summary>
public enum SiloStatus
{
    Joining = 0,
    Active = 1,
    ShuttingDown = 2,
    Dead = 3,
}

/// <param name="HeartbeatAge">How long ago the silo last heartbeated, by the table's clock.</param>
public sealed record MembershipEntry(SiloAddress Silo, SiloStatus Status, TimeSpan HeartbeatAge);

/// <summary>All rows of a cluster with the table version they were read at.</summary>
public sealed record MembershipSnapshot(long Version, IReadOnlyList<MembershipEntry> Entries);
