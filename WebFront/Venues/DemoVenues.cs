using TicketFlow.Domain.Seating;

namespace TicketFlow.WebFront.Venues;

/// <summary>A demo venue: fixed id, its layout generated in code, and the seating of its demo event.</summary>
public sealed record DemoVenue(VenueInfo Info, VenueLayout Layout);

/// <summary>
/// Three made-up venues for the demo catalog, their layouts generated in code (deterministic: the same seats on every
/// start): a theatre (~1,500 seats: stalls, circle, balcony in curved rows facing the stage), an arena (~18,000: 24
/// sections in a lower and an upper ring around the floor, the stage at the west end) and a stadium (~50,000: 72 sections in
/// two tiers around the pitch). Coordinates are SVG user units, y down, the stage or pitch near the middle top (theatre)
/// or centre (arena, stadium); rows are listed nearest the stage first, sections nearest first (best available's order).
/// </summary>
public static class DemoVenues
{
    public const string TheatreId = "ven_demo_theatre";
    public const string ArenaId = "ven_demo_arena";
    public const string StadiumId = "ven_demo_stadium";

    private static readonly Lazy<IReadOnlyList<DemoVenue>> all = new(() =>
    [
        new(new VenueInfo(TheatreId, "Royal Lyceum Theatre", "Edinburgh", "30b Grindlay Street", 1), Theatre()),
        new(new VenueInfo(ArenaId, "Nordlicht Arena", "Hamburg", "Sylvesterallee 10", 1), Arena()),
        new(new VenueInfo(StadiumId, "Estádio do Rio Claro", "Porto", "Avenida da Boavista 1000", 1), Stadium()),
    ]);

    public static IReadOnlyList<DemoVenue> All => all.Value;

    public static DemoVenue Get(string id) => All.Single(v => v.Info.Id == id);

    /// <summary>Stalls (rows A–T), circle (A–K) and balcony (A–H), each a fan of arcs centred on the stage.</summary>
    private static VenueLayout Theatre()
    {
        var stage = (X: 600.0, Y: 40.0);
        LayoutSection Block(string id, string label, int rows, double firstRadius, double halfAngle, Func<int, int, int, (bool Accessible, bool Restricted)> flags)
        {
            var list = new List<LayoutRow>();
            for (var r = 0; r < rows; r++)
            {
                var radius = firstRadius + r * 22;
                var seats = (int)(2 * halfAngle * radius / 18); // seats 18 units apart along the arc
                var row = Letters(r);
                list.Add(new LayoutRow(row, Enumerable.Range(0, seats).Select(n =>
                {
                    var angle = -halfAngle + (n + 0.5) * 2 * halfAngle / seats; // from stage-left to stage-right
                    var (accessible, restricted) = flags(r, n, seats);
                    return new LayoutSeat($"{id}-{row}-{n + 1}", (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Round(stage.X + radius * Math.Sin(angle)), Round(stage.Y + radius * Math.Cos(angle)), accessible, restricted);
                }).ToList()));
            }
            return new LayoutSection(id, label, list);
        }
        return new VenueLayout(
        [
            // The back row of the stalls has wheelchair places at its ends (step-free from the foyer).
            Block("stalls", "Stalls", 20, 90, 0.95, (r, n, count) => (r == 19 && (n < 2 || n >= count - 2), false)),
            Block("circle", "Dress Circle", 11, 560, 0.62, (r, n, count) => (r == 0 && (n == 0 || n == count - 1), false)),
            // The balcony's outer seats of its last rows look past a pillar.
            Block("balcony", "Balcony", 8, 830, 0.5, (r, n, count) => (false, r >= 6 && (n < 3 || n >= count - 3))),
        ]);
    }

    /// <summary>12 lower and 12 upper sections in an oval bowl around the floor; the stage closes the west end.</summary>
    private static VenueLayout Arena()
    {
        var lower = Ring("L", 101, sections: 12, rows: 20, innerRadius: 330, rowDepth: 14, seatPitch: 12, firstRowLabel: 1, stageAngle: Math.PI,
            restricted: (section, r) => r < 4 && section is 4 or 7, accessibleRow: 19);
        var upper = Ring("U", 201, sections: 12, rows: 26, innerRadius: 640, rowDepth: 14, seatPitch: 12, firstRowLabel: 1, stageAngle: Math.PI,
            restricted: (_, _) => false, accessibleRow: 0);
        return new VenueLayout([.. lower, .. upper]);
    }

    /// <summary>36 lower and 36 upper sections around the pitch; the upper tier's last rows sit under the roof's edge.</summary>
    private static VenueLayout Stadium()
    {
        var lower = Ring("L", 1, sections: 36, rows: 32, innerRadius: 560, rowDepth: 12, seatPitch: 9, firstRowLabel: 1, stageAngle: null,
            restricted: (_, _) => false, accessibleRow: 0);
        var upper = Ring("U", 101, sections: 36, rows: 34, innerRadius: 1000, rowDepth: 12, seatPitch: 9, firstRowLabel: 1, stageAngle: null,
            restricted: (_, r) => r >= 32, accessibleRow: 0);
        return new VenueLayout([.. lower, .. upper]);
    }

    /// <summary>
    /// A ring of sections on an oval (1.5 times as wide as it is tall) centred at (2200, 1500): section k spans its share of the
    /// ring, rows step outwards, and each row holds as many seats as its arc has room for. Sections come out nearest the
    /// stage first (<paramref name="stageAngle"/>: where the stage is; null: the pitch in the middle, the sides nearest).
    /// </summary>
    private static List<LayoutSection> Ring(string prefix, int firstNumber, int sections, int rows, double innerRadius, double rowDepth, double seatPitch,
        int firstRowLabel, double? stageAngle, Func<int, int, bool> restricted, int accessibleRow)
    {
        const double centreX = 2200, centreY = 1500, wide = 1.5;
        var share = 2 * Math.PI / sections;
        var list = new List<(double Distance, LayoutSection Section)>();
        for (var k = 0; k < sections; k++)
        {
            var id = $"{prefix}{firstNumber + k}";
            var from = k * share + share * 0.04; // an aisle between sections
            var to = (k + 1) * share - share * 0.04;
            var middle = (from + to) / 2;
            var rowList = new List<LayoutRow>();
            for (var r = 0; r < rows; r++)
            {
                var radius = innerRadius + r * rowDepth;
                var arc = radius * (to - from) * (1 + wide) / 2; // about the oval's arc at this radius
                var count = Math.Max(4, (int)(arc / seatPitch));
                var label = (firstRowLabel + r).ToString(System.Globalization.CultureInfo.InvariantCulture);
                rowList.Add(new LayoutRow(label, Enumerable.Range(0, count).Select(n =>
                {
                    var angle = from + (n + 0.5) * (to - from) / count;
                    return new LayoutSeat($"{id}-{label}-{n + 1}", (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Round(centreX + wide * radius * Math.Cos(angle)), Round(centreY + radius * Math.Sin(angle)),
                        Accessible: r == accessibleRow && (n == 0 || n == count - 1), RestrictedView: restricted(k, r));
                }).ToList()));
            }
            var distance = stageAngle is { } stage
                ? Math.Abs(Math.IEEERemainder(middle - stage, 2 * Math.PI))
                : Math.Abs(Math.Cos(middle)); // the pitch's long sides (cos ≈ 0) are the best seats
            list.Add((distance, new LayoutSection(id, $"Section {firstNumber + k}", rowList)));
        }
        return list.OrderBy(s => s.Distance).Select(s => s.Section).ToList();
    }

    private static string Letters(int index) => index < 26 ? ((char)('A' + index)).ToString() : new string((char)('A' + index % 26), 2);

    private static double Round(double value) => Math.Round(value, 1);
}
