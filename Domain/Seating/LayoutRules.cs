using TicketFlow.Domain.Security;

namespace TicketFlow.Domain.Seating;

/// <summary>What makes a layout and an event's seating valid; each broken rule is one field error (the API's 400 <c>errors</c>).</summary>
public static class LayoutRules
{
    public const int MaxSeats = 100_000;
    public const int MaxSeatsPerSection = 10_000;
    public const int MaxSections = 500;
    public const int MaxIdLength = 64;
    public const int MaxLabelLength = 40;

    /// <summary>Ids are opaque tokens that travel in URLs, grain keys and JSON: letters, digits and <c>- _ . :</c>.</summary>
    public static bool IsId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    public static Dictionary<string, string[]> Validate(VenueLayout layout)
    {
        var errors = new Dictionary<string, string[]>();
        if (layout.Sections.Count is 0 or > MaxSections) errors["sections"] = [$"Give 1 to {MaxSections} sections."];
        if (layout.SeatCount > MaxSeats) errors["sections"] = [$"At most {MaxSeats:N0} seats in a layout (this one has {layout.SeatCount:N0})."];
        var sectionIds = new HashSet<string>(StringComparer.Ordinal);
        var seatIds = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var s = 0; s < Math.Min(layout.Sections.Count, MaxSections); s++)
        {
            var section = layout.Sections[s];
            var at = $"sections[{s}]";
            if (!IsId(section.Id)) errors[$"{at}.id"] = [$"An id of 1 to {MaxIdLength} letters, digits or - _ . :"];
            else if (!sectionIds.Add(section.Id)) errors[$"{at}.id"] = [$"Section id \"{section.Id}\" is used twice."];
            Label(errors, $"{at}.label", section.Label);
            if (section.Rows.Count == 0) errors[$"{at}.rows"] = ["A section has at least one row."];
            if (section.SeatCount > MaxSeatsPerSection) errors[$"{at}.rows"] = [$"At most {MaxSeatsPerSection:N0} seats in a section."];
            var rowLabels = new HashSet<string>(StringComparer.Ordinal);
            for (var r = 0; r < section.Rows.Count && errors.Count < 50; r++)
            {
                var row = section.Rows[r];
                Label(errors, $"{at}.rows[{r}].label", row.Label);
                if (row.Label is not null && !rowLabels.Add(row.Label)) errors[$"{at}.rows[{r}].label"] = [$"Row \"{row.Label}\" appears twice in this section."];
                if (row.Seats.Count == 0) errors[$"{at}.rows[{r}].seats"] = ["A row has at least one seat."];
                var numbers = new HashSet<string>(StringComparer.Ordinal);
                for (var n = 0; n < row.Seats.Count && errors.Count < 50; n++)
                {
                    var seat = row.Seats[n];
                    var field = $"{at}.rows[{r}].seats[{n}]";
                    if (!IsId(seat.Id)) errors[$"{field}.id"] = [$"An id of 1 to {MaxIdLength} letters, digits or - _ . :"];
                    else if (!seatIds.TryAdd(seat.Id, field)) errors[$"{field}.id"] = [$"Seat id \"{seat.Id}\" is also {seatIds[seat.Id]}: every seat has its own id."];
                    Label(errors, $"{field}.number", seat.Number);
                    if (seat.Number is not null && !numbers.Add(seat.Number)) errors[$"{field}.number"] = [$"Seat \"{seat.Number}\" appears twice in this row."];
                    if (seat.X is { } x && !double.IsFinite(x) || seat.Y is { } y && !double.IsFinite(y)) errors[$"{field}.x"] = ["Coordinates are finite numbers."];
                }
            }
        }
        return errors;
    }

    /// <summary>Checks an event's seating against its layout and tiers: every section exists, every row range names rows of it
    /// in order, no seat is sold at two tiers, and every reserved tier sells at least one seat.</summary>
    public static Dictionary<string, string[]> ValidateSeating(VenueLayout layout, IReadOnlyList<SectionTier> seating, IReadOnlyCollection<string> reservedTiers)
    {
        var errors = new Dictionary<string, string[]>();
        var sections = layout.Sections.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var claimed = new Dictionary<(string Section, int Row), string>();
        if (seating.Count > MaxSections * 4) errors["seating"] = ["Too many seating entries."];
        for (var i = 0; i < Math.Min(seating.Count, MaxSections * 4); i++)
        {
            var entry = seating[i];
            var at = $"seating[{i}]";
            if (!reservedTiers.Contains(entry.TierId)) errors[$"{at}.tierId"] = ["Name a reserved tier of this event."];
            if (entry.SectionId is null || !sections.TryGetValue(entry.SectionId, out var section))
            {
                errors[$"{at}.sectionId"] = ["No section of the layout has this id."];
                continue;
            }
            var (from, to) = RowRange(section, entry);
            if (from < 0 || to < 0 || from > to)
            {
                errors[$"{at}.fromRow"] = ["fromRow and toRow name rows of the section, fromRow first."];
                continue;
            }
            for (var r = from; r <= to; r++)
                if (!claimed.TryAdd((section.Id, r), entry.TierId))
                    errors[$"{at}"] = [$"Row \"{section.Rows[r].Label}\" of section \"{section.Label}\" is already sold at tier {claimed[(section.Id, r)]}."];
        }
        foreach (var tier in reservedTiers.Where(t => claimed.Values.All(v => v != t)))
            errors["seating"] = [$"Reserved tier {tier} sells no section: map at least one section to it."];
        return errors;
    }

    /// <summary>The rows (indexes, inclusive) a seating entry covers; (-1, -1) when a label is unknown.</summary>
    public static (int From, int To) RowRange(LayoutSection section, SectionTier entry)
    {
        var from = entry.FromRow is null ? 0 : IndexOf(section, entry.FromRow);
        var to = entry.ToRow is null ? section.Rows.Count - 1 : IndexOf(section, entry.ToRow);
        return (from, to);
    }

    private static int IndexOf(LayoutSection section, string label)
    {
        for (var r = 0; r < section.Rows.Count; r++)
            if (section.Rows[r].Label == label) return r;
        return -1;
    }

    private static void Label(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxLabelLength) errors[field] = [$"A label of 1 to {MaxLabelLength} characters."];
        else if (NameCharacters.HasControlOrFormat(value)) errors[field] = [NameCharacters.Refusal];
    }
}
