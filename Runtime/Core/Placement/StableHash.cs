namespace TicketFlow.Runtime.Placement;

/// <summary>A hash that is the same in every process and on every run (string.GetHashCode is not).</summary>
public static class StableHash
{
    /// <summary>FNV-1a over the UTF-16 code units, then the murmur3 finalizer for good spread on the ring.</summary>
    public static ulong Compute(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
