namespace TicketFlow.Domain.Seating;

/// <summary>A seat in a section, by position: row index (0 = nearest the stage) and index along the row (consecutive indexes are adjacent).</summary>
public readonly record struct SeatPosition(int Row, int Seat);

/// <summary>
/// Which free seats "best available" takes in a reserved-seating section, as a pure function of the free seats:
/// side by side in one row when any row has room (not stranding a single seat when that can be helped, then nearest the stage,
/// then nearest the row's centre); otherwise, unless the buyer wants them together, in the fewest rows, closest together, nearest the stage.
/// </summary>
public static class BestAvailable
{
    /// <param name="rows"><c>rows[r][s]</c> is true when seat <c>s</c> of row <c>r</c> may be taken (free and of the tier asked for); nearest the stage first.</param>
    /// <returns>Exactly <paramref name="quantity"/> distinct free positions, ordered by row then seat; null when there are fewer free
    /// seats than that, or when <paramref name="together"/> and no row has that many side by side.</returns>
    public static IReadOnlyList<SeatPosition>? Choose(IReadOnlyList<bool[]> rows, int quantity, bool together)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantity, 1);
        // Rule 1: one block in one row beats any split, so the split is only looked for when no row has room.
        if (OneRow(rows, quantity) is { } block) return block;
        return together ? null : FewestRows(rows, quantity);
    }

    /// <summary>One way to place a block in a row: where it starts, whether it strands a single seat, and how far it is off the row's centre.</summary>
    private readonly record struct Block(int Start, bool Strands, int OffCentre)
    {
        // Rule 2 within a row: not stranding, then nearest the centre, then leftmost.
        public bool IsBetterThan(Block other) =>
            Strands != other.Strands ? !Strands : OffCentre != other.OffCentre ? OffCentre < other.OffCentre : Start < other.Start;
    }

    // Rules 1 and 2: the first row (nearest the stage) with a block that strands no seat; only when none has one, the first row with any block.
    private static SeatPosition[]? OneRow(IReadOnlyList<bool[]> rows, int quantity)
    {
        (int Row, Block Block)? stranding = null;
        for (var r = 0; r < rows.Count; r++)
        {
            Block? best = null;
            for (var at = 0; NextRun(rows[r], at, out var start, out var end); at = end)
                best = BestIn(start, end, quantity, rows[r].Length, best);
            if (best is { Strands: false } fine) return Seats(r, fine.Start, quantity);
            if (best is { } strands) stranding ??= (r, strands);
        }
        return stranding is { } fallback ? Seats(fallback.Row, fallback.Block.Start, quantity) : null;
    }

    // Rule 3: split across rows only when no row has room, in as few rows and as few blocks as the free seats allow.
    private static SeatPosition[]? FewestRows(IReadOnlyList<bool[]> rows, int quantity)
    {
        var free = new int[rows.Count];
        for (var r = 0; r < rows.Count; r++) free[r] = rows[r].AsSpan().Count(true);
        // (a) The fewest rows that can hold the quantity: the fullest rows of the whole section, fullest first.
        var fullest = (int[])free.Clone();
        Array.Sort(fullest, (x, y) => y.CompareTo(x));
        int fewest = 0, held = 0;
        while (held < quantity && fewest < fullest.Length && fullest[fewest] > 0) held += fullest[fewest++];
        if (held < quantity) return null;

        // (b, c) From each first row, widen the window away from the stage until its `fewest` fullest rows hold the quantity;
        // keep the narrowest window, the one nearest the stage on a tie (first rows are tried nearest first and only a narrower one replaces it).
        var top = new int[fewest];
        int[]? chosen = null;
        var narrowest = int.MaxValue;
        for (var first = 0; first < rows.Count; first++)
        {
            int count = 0, inTop = 0;
            for (var last = first; last < rows.Count && last - first < narrowest; last++)
            {
                inTop = KeepFullest(top, ref count, free, last, inTop);
                if (inTop < quantity) continue;
                (narrowest, chosen) = (last - first, top[..count]);
                break;
            }
        }
        return chosen is null ? null : TakeLargestRuns(rows, chosen, quantity);
    }

    /// <summary>Adds row <paramref name="row"/> to <paramref name="top"/>, the rows seen with the most free seats (fullest first), when it
    /// is fuller than the emptiest kept; returns the free seats the kept rows hold.</summary>
    private static int KeepFullest(int[] top, ref int count, int[] free, int row, int held)
    {
        // A row only displaces a strictly emptier one, so a tie keeps the row nearer the stage.
        if (count == top.Length)
        {
            if (free[row] <= free[top[count - 1]]) return held;
            held -= free[top[--count]];
        }
        var at = count++;
        for (; at > 0 && free[top[at - 1]] < free[row]; at--) top[at] = top[at - 1];
        top[at] = row;
        return held + free[row];
    }

    // The chosen rows' free runs, largest first, so the seats fall in as few blocks as possible; only the last one taken may be partial.
    private static SeatPosition[] TakeLargestRuns(IReadOnlyList<bool[]> rows, int[] chosen, int quantity)
    {
        var runs = new List<(int Row, int Start, int End, int OffCentre)>();
        foreach (var r in chosen)
            for (var at = 0; NextRun(rows[r], at, out var start, out var end); at = end)
                runs.Add((r, start, end, Math.Abs(start + end - rows[r].Length)));
        // Equal runs: nearer the stage, then nearer the row's centre, then leftmost (a total order: List.Sort is not stable).
        runs.Sort((x, y) => (y.End - y.Start) != (x.End - x.Start) ? (y.End - y.Start).CompareTo(x.End - x.Start)
            : x.Row != y.Row ? x.Row.CompareTo(y.Row) : x.OffCentre != y.OffCentre ? x.OffCentre.CompareTo(y.OffCentre) : x.Start.CompareTo(y.Start));
        var seats = new List<SeatPosition>(quantity);
        foreach (var (row, start, end, _) in runs)
        {
            var take = Math.Min(end - start, quantity - seats.Count);
            if (take == 0) break;
            // A partial run is placed by the one-row rule: no stranded seat if it can be helped, then nearest the centre.
            var block = BestIn(start, end, take, rows[row].Length, null)!.Value;
            for (var s = block.Start; s < block.Start + take; s++) seats.Add(new SeatPosition(row, s));
        }
        seats.Sort((x, y) => x.Row != y.Row ? x.Row.CompareTo(y.Row) : x.Seat.CompareTo(y.Seat));
        return [.. seats];
    }

    /// <summary>The better of <paramref name="best"/> and every placement of <paramref name="quantity"/> seats in the free run [start, end).</summary>
    private static Block? BestIn(int start, int end, int quantity, int rowLength, Block? best)
    {
        for (var s = start; s + quantity <= end; s++)
        {
            // A lone free seat left between the block and a taken seat or the row's end is stranded: nobody buys a single seat next to a group.
            var strands = s - start == 1 || end - (s + quantity) == 1;
            // Twice the distance between the block's centre and the row's centre, to stay in integers.
            var candidate = new Block(s, strands, Math.Abs(2 * s + quantity - rowLength));
            if (best is not { } current || candidate.IsBetterThan(current)) best = candidate;
        }
        return best;
    }

    /// <summary>The first run of free seats at or after <paramref name="from"/>, as [start, end); false when there is none.</summary>
    private static bool NextRun(bool[] row, int from, out int start, out int end)
    {
        start = from;
        while (start < row.Length && !row[start]) start++;
        end = start;
        while (end < row.Length && row[end]) end++;
        return start < end;
    }

    private static SeatPosition[] Seats(int row, int start, int quantity)
    {
        var seats = new SeatPosition[quantity];
        for (var i = 0; i < quantity; i++) seats[i] = new SeatPosition(row, start + i);
        return seats;
    }
}
