using System.Text.Json;
using TicketFlow.Domain.Seating;
using TicketFlow.WebFront.Purchases;

namespace TicketFlow.WebFront.Tests.Purchases;

/// <summary>A hold's items as <c>POST /holds</c> and <c>GET /holds/{id}</c> answer them (the minimal APIs' web JSON defaults).</summary>
public sealed class HoldItemResponseTests
{
    private static readonly TierTerms Terms = new(100, 6);

    private static JsonElement Json(HoldLine line) => JsonSerializer.SerializeToElement(HoldItemResponse.From(line), JsonSerializerOptions.Web);

    [Fact]
    public void A_reserved_item_lists_each_held_seat_with_its_id_section_row_and_number()
    {
        var item = Json(new HoldLine("stalls", 2, 9_900, Terms,
            [new HeldSeat("p1:F:11", "p1", "Parterre links", "F", "11"), new HeldSeat("p1:F:12", "p1", "Parterre links", "F", "12")]));

        Assert.Equal(("stalls", 2, 9_900L), (item.GetProperty("tierId").GetString(), item.GetProperty("quantity").GetInt32(), item.GetProperty("priceMinor").GetInt64()));
        Assert.Equal(["""{"id":"p1:F:11","section":"Parterre links","row":"F","number":"11"}""", """{"id":"p1:F:12","section":"Parterre links","row":"F","number":"12"}"""],
            item.GetProperty("seats").EnumerateArray().Select(s => s.GetRawText()));
    }

    [Fact]
    public void A_general_admission_item_has_no_seats() =>
        Assert.Equal(JsonValueKind.Null, Json(new HoldLine("standing", 3, 5_900, Terms)).GetProperty("seats").ValueKind);
}
