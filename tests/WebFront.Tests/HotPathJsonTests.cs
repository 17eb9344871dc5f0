using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketFlow.WebFront.Availability;
using TicketFlow.WebFront.Conventions;
using TicketFlow.WebFront.Orders;
using TicketFlow.WebFront.Purchases;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Tests;

/// <summary>The on-sale's bodies go through generated serializers, and those write and read exactly what reflection did (the API is a contract).</summary>
public sealed class HotPathJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task The_API_resolves_the_hot_paths_bodies_from_generated_code()
    {
        await using var host = new WebFrontHost();
        var options = host.Factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

        foreach (var type in new[] { typeof(CreateHoldRequest), typeof(HoldResponse), typeof(CheckoutRequestBody), typeof(OrderResponse), typeof(EventAvailability) })
            Assert.Same(HotPathJson.Default, options.GetTypeInfo(type).OriginatingResolver);
    }

    [Fact]
    public void Generated_serializers_write_what_reflection_writes()
    {
        var expires = new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero);
        object[] bodies =
        [
            new HoldResponse("hld_1", "evt_1", [new HoldItemResponse("t1", 2, 5000), new HoldItemResponse("t2", 1, 9000, [new SeatResponse("A-1-1", "A", "1", "1")])],
                expires, 19000, "EUR", "active", null),
            new OrderResponse("ord_1", "evt_1", "paid", [new OrderLineResponse("t1", 2, 5000, null)], 10000, 0, "EUR", "pay_1", expires),
            new EventAvailability("evt_1", [new TierAvailability("t1", 10, 2, 88, 100)], expires),
        ];
        foreach (var body in bodies)
            Assert.Equal(JsonSerializer.Serialize(body, body.GetType(), Reflection), JsonSerializer.Serialize(body, body.GetType(), HotPathJson.Default));
    }

    [Fact]
    public void Generated_serializers_read_requests_as_reflection_does()
    {
        const string hold = """{"eventId":"evt_1","items":[{"tierId":"t1","quantity":2},{"tierId":"t2","seats":["A-1-1"],"together":true}],"admissionToken":"tok"}""";
        const string checkout = """{"holdId":"hld_1","payment":{"method":"card-sim","simulate":"decline"}}""";

        Assert.Equivalent(JsonSerializer.Deserialize<CreateHoldRequest>(hold, Reflection), JsonSerializer.Deserialize(hold, HotPathJson.Default.CreateHoldRequest), strict: true);
        Assert.Equal(JsonSerializer.Deserialize<CheckoutRequestBody>(checkout, Reflection), JsonSerializer.Deserialize(checkout, HotPathJson.Default.CheckoutRequestBody));
    }
}
