namespace TicketFlow.Domain.WaitingRoom;

/// <summary>
/// Counts over slots 0..n−1 (a binary indexed tree): add at a slot, count through a slot, find the k-th counted
/// slot, all in O(log n) and 4 bytes per slot. The size is a power of two so it can double without a rebuild.
/// </summary>
internal sealed class FenwickTree
{
    private int[] nodes; // nodes[i - 1] holds the count of slots (i − lowbit(i), i], 1-based

    public FenwickTree(int size)
    {
        if (size < 1 || !int.IsPow2(size)) throw new ArgumentOutOfRangeException(nameof(size), size, "A power of two.");
        nodes = new int[size];
    }

    public int Size => nodes.Length;

    /// <summary>The sum over all slots: the root node of a power-of-two tree covers them all.</summary>
    public int Total => nodes[^1];

    public void Add(int slot, int delta)
    {
        for (var i = slot + 1; i <= nodes.Length; i += i & -i) nodes[i - 1] += delta;
    }

    /// <summary>The sum over slots 0..slot, inclusive.</summary>
    public int CountThrough(int slot)
    {
        var sum = 0;
        for (var i = slot + 1; i > 0; i -= i & -i) sum += nodes[i - 1];
        return sum;
    }

    /// <summary>The slot where the running count reaches <paramref name="k"/> (1-based); requires 1 ≤ k ≤ <see cref="Total"/>.</summary>
    public int FindKth(int k)
    {
        var position = 0;
        for (var step = nodes.Length; step > 0; step >>= 1)
        {
            if (position + step <= nodes.Length && nodes[position + step - 1] < k)
            {
                position += step;
                k -= nodes[position - 1];
            }
        }
        return position;
    }

    /// <summary>Doubles the slots. The new slots are empty, so only the new root needs a value: the old root's total.</summary>
    public void Grow()
    {
        var old = nodes.Length;
        Array.Resize(ref nodes, old * 2);
        nodes[^1] = nodes[old - 1];
    }
}
