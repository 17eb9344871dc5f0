using TicketFlow.Domain.Seating;
using TicketFlow.WebFront.Catalog;

namespace TicketFlow.WebFront.Venues;

public sealed record SeatRequest(string? Id, string? Number, double? X, double? Y, bool? Accessible, bool? RestrictedView);

public sealed record RowRequest(string? Label, IReadOnlyList<SeatRequest?>? Seats);

public sealed record SectionRequest(string? Id, string? Label, IReadOnlyList<RowRequest?>? Rows);

/// <summary><c>POST /venues</c> body (API contract).</summary>
public sealed record CreateVenueRequest(string? Name, string? City, string? Address, IReadOnlyList<SectionRequest?>? Sections);

/// <summary><c>PUT /venues/{id}/layout</c> body: the sections of the new version.</summary>
public sealed record LayoutRequest(IReadOnlyList<SectionRequest?>? Sections);

/// <summary>Turns a request's sections into a layout for <see cref="LayoutRules.Validate"/>, and checks a venue's own fields.</summary>
public static class VenueValidation
{
    /// <summary>The layout as given; a seat without an id gets <c>{sectionId}.{row}.{seat}</c> (1-based positions). Generated ids are opaque like any
    /// other (nothing parses them back); one that collides with a given id is a duplicate the layout rules report.</summary>
    public static VenueLayout ToLayout(IReadOnlyList<SectionRequest?>? sections) => new((sections ?? []).Select(section =>
        new LayoutSection(section?.Id!, section?.Label!, (section?.Rows ?? []).Select((row, r) =>
            new LayoutRow(row?.Label!, (row?.Seats ?? []).Select((seat, n) =>
                new LayoutSeat(seat?.Id ?? $"{section?.Id}.{r + 1}.{n + 1}", seat?.Number!, seat?.X, seat?.Y, seat?.Accessible ?? false,
                    seat?.RestrictedView ?? false)).ToList())).ToList())).ToList());

    public static Dictionary<string, string[]> Create(CreateVenueRequest request, VenueLayout layout)
    {
        var errors = LayoutRules.Validate(layout);
        EventValidation.Text(errors, "name", request.Name, 200);
        EventValidation.Text(errors, "city", request.City, 100);
        EventValidation.Text(errors, "address", request.Address, 300);
        return errors;
    }
}
