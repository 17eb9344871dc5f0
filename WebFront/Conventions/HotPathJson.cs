using System.Text.Json;
using System.Text.Json.Serialization;
using TicketFlow.WebFront.Availability;
using TicketFlow.WebFront.Orders;
using TicketFlow.WebFront.Purchases;
using TicketFlow.WebFront.WaitingRoom;

namespace TicketFlow.WebFront.Conventions;

/// <summary>
/// Compile-time JSON metadata for the bodies of the requests an on-sale is made of (join and poll the queue, read
/// availability, hold, check out): their contracts are read and written by generated code instead of metadata built by
/// reflection at first use. Put ahead of reflection in the API's resolver chain; every other type still goes through it.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CreateHoldRequest))]
[JsonSerializable(typeof(HoldResponse))]
[JsonSerializable(typeof(CheckoutRequestBody))]
[JsonSerializable(typeof(OrderResponse))]
[JsonSerializable(typeof(JoinResponse))]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(EventAvailability))]
public sealed partial class HotPathJson : JsonSerializerContext;
