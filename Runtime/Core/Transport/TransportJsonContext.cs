using System.Text.Json;
using System.Text.Json.Serialization;
using TicketFlow.Runtime.Notifications;
using TicketFlow.Runtime.Statistics;

namespace TicketFlow.Runtime.Transport;

/// <summary>Source-generated serializers for the runtime's own fixed-shape messages.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(GrainNotification))]
[JsonSerializable(typeof(SiloReport))]
internal sealed partial class TransportJsonContext : JsonSerializerContext;
