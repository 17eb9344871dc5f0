using TicketFlow.Runtime.Invocation;
using TicketFlow.Runtime.Placement;

namespace TicketFlow.Runtime.Membership;

/// <summary>One reading of the membership table, with the ring of active silos that places grains.</summary>
public sealed class MembershipView
{
    public static readonly MembershipView Empty = new(new MembershipSnapshot(-1, []));

    private readonly HashRing ring;

    public MembershipView(MembershipSnapshot snapshot)
    {
        Version = snapshot.Version;
        Entries = snapshot.Entries;
        Active = snapshot.Entries.Where(e => e.Status == SiloStatus.Active).Select(e => e.Silo).OrderBy(s => s.ToString()).ToArray();
        ring = new HashRing(Active);
    }

    public long Version { get; }

    public IReadOnlyList<MembershipEntry> Entries { get; }

    public IReadOnlyList<SiloAddress> Active { get; }

    public SiloAddress? OwnerOf(GrainId grain) => ring.OwnerOf(grain);

    public SiloStatus? StatusOf(SiloAddress silo) => Entries.FirstOrDefault(e => e.Silo == silo)?.Status;

    public bool SameSilosAs(MembershipView other) =>
        Entries.Select(e => (e.Silo, e.Status)).SequenceEqual(other.Entries.Select(e => (e.Silo, e.Status)));
}
