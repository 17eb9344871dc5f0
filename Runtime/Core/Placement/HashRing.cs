using TicketFlow.Runtime.Invocation;
using TicketFlow.Runtime.Membership;

namespace TicketFlow.Runtime.Placement;

/// <summary>Consistent hashing: a grain belongs to the first silo point at or after its hash on the ring.</summary>
public sealed class HashRing
{
    public const int PointsPerSilo = 64;

    private readonly ulong[] points;
    private readonly SiloAddress[] owners;

    public HashRing(IEnumerable<SiloAddress> silos)
    {
        var ring = silos
            .SelectMany(silo => Enumerable.Range(0, PointsPerSilo).Select(i => (Point: StableHash.Compute($"{silo}#{i}"), Silo: silo)))
            .OrderBy(p => p.Point)
            .ToArray();
        points = ring.Select(p => p.Point).ToArray();
        owners = ring.Select(p => p.Silo).ToArray();
    }

    public bool IsEmpty => points.Length == 0;

    public SiloAddress? OwnerOf(GrainId grain)
    {
        if (points.Length == 0) return null;
        var index = Array.BinarySearch(points, StableHash.Compute(grain.ToString()));
        if (index < 0) index = ~index;
        return owners[index == points.Length ? 0 : index];
    }
}
