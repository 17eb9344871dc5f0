using FsCheck;
using FsCheck.Fluent;
using TicketFlow.Domain.Seating;

namespace TicketFlow.Domain.Tests.Seating;

/// <summary>Sections are drawn one string a row, nearest the stage first: '.' a seat that may be taken, 'X' one that may not;
/// in expected answers '#' marks a chosen seat.</summary>
public sealed class BestAvailableTests
{
    private static bool[][] Section(params string[] rows) => rows.Select(row => row.Select(c => c == '.').ToArray()).ToArray();

    /// <summary>The section with the chosen seats drawn as '#' ('!' if a taken seat was chosen); null when nothing is chosen.</summary>
    private static string[]? Pick(string[] rows, int quantity, bool together = false)
    {
        if (BestAvailable.Choose(Section(rows), quantity, together) is not { } chosen) return null;
        var drawn = rows.Select(row => row.ToCharArray()).ToArray();
        foreach (var (row, seat) in chosen) drawn[row][seat] = drawn[row][seat] == '.' ? '#' : '!';
        return drawn.Select(row => new string(row)).ToArray();
    }

    private static string[] Picked(string[] rows, int quantity) => Pick(rows, quantity) ?? ["(nothing chosen)"];

    // ---- Rule 1: side by side in one row when some row has room.

    [Fact]
    public void Seats_are_adjacent_in_one_row_when_some_row_has_room()
    {
        Assert.Equal(["X.X.X.", "..X###"], Picked(["X.X.X.", "..X..."], 3));
    }

    [Fact]
    public void Seats_are_adjacent_in_one_row_even_when_a_split_would_be_nearer_the_stage()
    {
        Assert.Equal(["..X..", "X..X.", "XXX..", "#####"], Picked(["..X..", "X..X.", "XXX..", "....."], 5));
    }

    // ---- Rule 2: no stranded single seat when avoidable, then nearest the stage, then nearest the row's centre (ties leftmost).

    [Fact]
    public void The_row_nearest_the_stage_wins_over_a_more_central_row_further_back()
    {
        Assert.Equal(["..##X", "........"], Picked(["....X", "........"], 2));
    }

    [Fact]
    public void A_block_that_would_strand_a_single_seat_gives_way_to_a_row_further_back()
    {
        // Row 0 has room for two only as "##." or ".##" between taken seats: each strands one.
        Assert.Equal(["X...X", "..##.."], Picked(["X...X", "......"], 2));
    }

    [Fact]
    public void The_row_end_counts_as_a_boundary_so_a_single_seat_at_the_end_is_stranded()
    {
        // Four in five seats always leaves one alone at an end; four in six can leave two together.
        Assert.Equal([".....", "####.."], Picked([".....", "......"], 4));
    }

    [Fact]
    public void Within_a_row_a_block_that_strands_no_seat_wins_over_a_more_central_one()
    {
        // Five of seven: the central ".#####." strands a seat at each end; "#####.." and "..#####" leave a pair, the leftmost wins.
        Assert.Equal(["#####.."], Picked(["......."], 5));
    }

    [Fact]
    public void A_stranding_block_is_accepted_only_when_every_row_strands_and_then_nearest_the_stage()
    {
        Assert.Equal(["X##.X", "X...X"], Picked(["X...X", "X...X"], 2));
    }

    [Fact]
    public void Within_the_row_the_block_nearest_the_centre_is_taken()
    {
        Assert.Equal(["..###.."], Picked(["......."], 3));
    }

    [Fact]
    public void Two_blocks_equally_near_the_centre_resolve_to_the_leftmost()
    {
        Assert.Equal(["..###..."], Picked(["........"], 3));
    }

    // ---- Rule 3: no row has room.

    [Fact]
    public void Together_returns_null_when_no_row_has_enough_adjacent_seats()
    {
        Assert.Null(Pick(["..X..", "X..X."], 3, together: true));
        Assert.NotNull(Pick(["..X..", "X..X."], 3, together: false));
    }

    [Fact]
    public void Fewer_free_seats_than_wanted_returns_null_together_or_not()
    {
        Assert.Null(Pick(["X.X", ".XX"], 3, together: false));
        Assert.Null(Pick(["X.X", ".XX"], 3, together: true));
    }

    [Fact]
    public void Split_seats_use_the_fewest_rows_even_when_further_from_the_stage()
    {
        Assert.Equal(["X.X.X", "##X##X"], Picked(["X.X.X", "..X..X"], 4));
    }

    [Fact]
    public void Split_seats_keep_the_rows_closest_together_before_nearest_the_stage()
    {
        Assert.Equal(["..X", "XXX", "XXX", "#X#", "##X"], Picked(["..X", "XXX", "XXX", ".X.", "..X"], 4));
    }

    [Fact]
    public void Split_seats_take_the_rows_nearest_the_stage_among_equally_close_windows()
    {
        Assert.Equal(["##X", "##X", "..X"], Picked(["..X", "..X", "..X"], 4));
    }

    [Fact]
    public void Split_seats_fill_the_largest_runs_first_and_place_the_remainder_without_stranding()
    {
        // Four from the run of four, then one more from the run of three: its middle seat would strand, its left end is further off-centre.
        Assert.Equal([".X..#X####"], Picked([".X...X...."], 5));
    }

    [Fact]
    public void A_quantity_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BestAvailable.Choose(Section("..."), 0, together: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => BestAvailable.Choose(Section("..."), -1, together: true));
    }

    [Fact]
    public void A_full_size_section_with_no_room_in_any_row_is_split_over_free_seats_only()
    {
        // 60 rows of 100 seats with every other seat taken: no row has room for two, so every call splits across rows.
        var checkerboard = Enumerable.Range(0, 60).Select(r => Enumerable.Range(0, 100).Select(s => (r + s) % 2 == 0).ToArray()).ToArray();
        for (var quantity = 2; quantity <= 20; quantity++)
        {
            var chosen = BestAvailable.Choose(checkerboard, quantity, together: false)!;
            Assert.Equal(quantity, chosen.Distinct().Count());
            Assert.All(chosen, p => Assert.True(checkerboard[p.Row][p.Seat]));
            Assert.Null(BestAvailable.Choose(checkerboard, quantity, together: true));
        }
    }

    // Speed is a benchmark figure (tests/Benchmarks), never a timed test.

    // ---- Properties over random sections: an independent, brute-force reading of the rules.

    /// <summary>1 to 12 rows of 1 to 30 seats, each row with its own share of taken seats (from none to nearly all).</summary>
    private static Gen<string[]> Sections => SectionsTaken(0, 10, 25, 50, 75, 95);

    /// <summary>Sections at least half taken: about half of them have no row with room for 1 to 8, so they exercise the split.</summary>
    private static Gen<string[]> CrowdedSections => SectionsTaken(50, 75, 95);

    private static Gen<string[]> SectionsTaken(params int[] takenPercents) =>
        from count in Gen.Choose(1, 12)
        from rows in Gen.ArrayOf(
            from length in Gen.Choose(1, 30)
            from takenPercent in Gen.Elements(takenPercents)
            from rolls in Gen.ArrayOf(Gen.Choose(0, 99), length)
            select new string(rolls.Select(roll => roll < takenPercent ? 'X' : '.').ToArray()), count)
        select rows;

    private static Arbitrary<int> Quantities => Arb.From(Gen.Choose(1, 8));

    private static Config Runs(ulong seed, ulong gamma) => Config.QuickThrowOnFailure.WithMaxTest(1000).WithReplay(seed, gamma);

    private static int FreeSeats(string[] rows) => rows.Sum(row => row.Count(c => c == '.'));

    private static int LongestRun(string row) => row.Split('X').Max(run => run.Length);

    /// <summary>Every placement of <paramref name="quantity"/> side-by-side free seats in one row, with whether it strands a lone seat.</summary>
    private static IEnumerable<(int Row, int Start, bool Strands)> Placements(string[] rows, int quantity) =>
        from r in Enumerable.Range(0, rows.Length)
        from s in Enumerable.Range(0, Math.Max(0, rows[r].Length - quantity + 1))
        where rows[r].Substring(s, quantity).All(c => c == '.')
        select (r, s, Strands(rows[r], s, quantity));

    // Counts the free seats walking away from the block on each side until a taken seat or the row's end.
    private static bool Strands(string row, int start, int quantity) =>
        row[..start].Reverse().TakeWhile(c => c == '.').Count() == 1 || row[(start + quantity)..].TakeWhile(c => c == '.').Count() == 1;

    /// <summary>The chosen seats as one block in one row, or null when they are not side by side in a single row.</summary>
    private static (int Row, int Start)? AsOneBlock(IReadOnlyList<SeatPosition> seats)
    {
        var ordered = seats.OrderBy(p => p.Row).ThenBy(p => p.Seat).ToList();
        var first = ordered[0];
        return ordered.Select((p, i) => p == new SeatPosition(first.Row, first.Seat + i)).All(same => same) ? (first.Row, first.Seat) : null;
    }

    [Fact]
    public void Chosen_seats_are_always_free_distinct_and_exactly_the_quantity_or_null_only_when_too_few_are_free()
    {
        Prop.ForAll(Arb.From(Sections), Quantities, (rows, quantity) =>
        {
            var chosen = BestAvailable.Choose(Section(rows), quantity, together: false);
            if (chosen is null) return FreeSeats(rows) < quantity;
            return chosen.Count == quantity && chosen.Distinct().Count() == quantity
                && chosen.All(p => p.Row >= 0 && p.Row < rows.Length && p.Seat >= 0 && p.Seat < rows[p.Row].Length && rows[p.Row][p.Seat] == '.');
        }).Check(Runs(2026, 1123));
    }

    [Fact]
    public void Seats_are_one_block_in_one_row_whenever_some_row_has_a_long_enough_run()
    {
        Prop.ForAll(Arb.From(Sections), Quantities, (rows, quantity) =>
        {
            var roomy = rows.Any(row => LongestRun(row) >= quantity);
            var chosen = BestAvailable.Choose(Section(rows), quantity, together: false);
            return !roomy || chosen is not null && AsOneBlock(chosen) is not null;
        }).Check(Runs(4242, 1717));
    }

    [Fact]
    public void The_chosen_row_is_the_nearest_the_stage_with_a_block_that_strands_no_seat()
    {
        Prop.ForAll(Arb.From(Sections), Quantities, (rows, quantity) =>
        {
            var placements = Placements(rows, quantity).ToList();
            if (placements.Count == 0) return true;
            var (row, start) = AsOneBlock(BestAvailable.Choose(Section(rows), quantity, together: false)!)!.Value;
            var strands = Strands(rows[row], start, quantity);
            return !placements.Any(p => p.Row < row && !p.Strands) && (!strands || placements.All(p => p.Strands));
        }).Check(Runs(7, 31337));
    }

    [Fact]
    public void A_single_seat_is_never_stranded_when_some_placement_avoids_it()
    {
        Prop.ForAll(Arb.From(Sections), Quantities, (rows, quantity) =>
        {
            var avoidable = Placements(rows, quantity).Any(p => !p.Strands);
            if (!avoidable) return true;
            var (row, start) = AsOneBlock(BestAvailable.Choose(Section(rows), quantity, together: false)!)!.Value;
            return !Strands(rows[row], start, quantity);
        }).Check(Runs(99, 12345));
    }

    [Fact]
    public void The_one_row_block_is_the_first_in_the_rule_order_not_stranding_then_row_then_centre_then_leftmost()
    {
        Prop.ForAll(Arb.From(Sections), Quantities, (rows, quantity) =>
        {
            var placements = Placements(rows, quantity).ToList();
            if (placements.Count == 0) return true;
            var expected = placements
                .OrderBy(p => p.Strands).ThenBy(p => p.Row)
                .ThenBy(p => Math.Abs((p.Start + (quantity - 1) / 2.0) - (rows[p.Row].Length - 1) / 2.0)).ThenBy(p => p.Start)
                .First();
            return AsOneBlock(BestAvailable.Choose(Section(rows), quantity, together: false)!) == (expected.Row, expected.Start);
        }).Check(Runs(31, 2719));
    }

    [Fact]
    public void Together_returns_null_exactly_when_no_row_has_a_long_enough_run_and_otherwise_the_same_block()
    {
        Prop.ForAll(Arb.From(CrowdedSections), Quantities, (rows, quantity) =>
        {
            var together = BestAvailable.Choose(Section(rows), quantity, together: true);
            var roomy = rows.Any(row => LongestRun(row) >= quantity);
            if (!roomy) return together is null;
            return together is not null && together.SequenceEqual(BestAvailable.Choose(Section(rows), quantity, together: false)!);
        }).Check(Runs(1234, 5679));
    }

    [Fact]
    public void A_split_uses_the_fewest_rows_then_the_closest_rows_then_those_nearest_the_stage_in_the_fewest_blocks()
    {
        Prop.ForAll(Arb.From(CrowdedSections), Quantities, (rows, quantity) =>
        {
            if (rows.Any(row => LongestRun(row) >= quantity) || FreeSeats(rows) < quantity) return true;
            var chosen = BestAvailable.Choose(Section(rows), quantity, together: false)!;
            var free = rows.Select(row => row.Count(c => c == '.')).ToArray();
            // The fewest rows: how many of the section's fullest rows it takes to reach the quantity.
            var sorted = free.OrderDescending().ToArray();
            var fewest = Enumerable.Range(1, rows.Length).First(k => sorted.Take(k).Sum() >= quantity);
            var used = chosen.Select(p => p.Row).Distinct().Order().ToList();
            // The first window, by spread and then first row, whose `fewest` fullest rows can hold the quantity.
            var window = (
                from spread in Enumerable.Range(0, rows.Length)
                from first in Enumerable.Range(0, rows.Length - spread)
                where free.Skip(first).Take(spread + 1).OrderDescending().Take(fewest).Sum() >= quantity
                select (First: first, Last: first + spread)).First();
            // As few blocks as those rows allow (their largest runs first), each a whole free run except at most one (the remainder).
            var runs = used.SelectMany(r => rows[r].Split('X')).Select(run => run.Length).OrderDescending().ToArray();
            var fewestBlocks = Enumerable.Range(1, runs.Length).First(k => runs.Take(k).Sum() >= quantity);
            var blocks = chosen.GroupBy(p => p.Row).SelectMany(row => Blocks(row.Key, row.Select(p => p.Seat))).ToList();
            var partial = blocks.Count(b => b.Start > 0 && rows[b.Row][b.Start - 1] == '.' || b.End < rows[b.Row].Length && rows[b.Row][b.End] == '.');
            return used.Count == fewest && (used[0], used[^1]) == window && blocks.Count == fewestBlocks && partial <= 1;
        }).Check(Runs(555, 777));
    }

    private static IEnumerable<(int Row, int Start, int End)> Blocks(int row, IEnumerable<int> seats)
    {
        var ordered = seats.Order().ToList();
        for (int i = 0, j; i < ordered.Count; i = j)
        {
            for (j = i + 1; j < ordered.Count && ordered[j] == ordered[j - 1] + 1; j++) { }
            yield return (row, ordered[i], ordered[j - 1] + 1);
        }
    }
}
