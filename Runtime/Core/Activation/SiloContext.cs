using System.Text.Json;
using Microsoft.Extensions.Logging;
using TicketFlow.Runtime.Hosting;
using TicketFlow.Runtime.Invocation;
using TicketFlow.Runtime.Notifications;
using TicketFlow.Runtime.Reminders;
using TicketFlow.Runtime.Statistics;
using TicketFlow.Runtime.Storage;

namespace TicketFlow.Runtime.Activation;

/// <summary>What every activation of a silo shares.</summary>
internal sealed class SiloContext
{
    public required string Identity { get; set; }
    public required SiloOptions Options { get; init; }
    public required GrainTypeRegistry Registry { get; init; }
    public required IGrainStorage Storage { get; init; }
    public required JsonSerializerOptions Json { get; init; }
    public required SiloStatistics Statistics { get; init; }
    public required TimeProvider Time { get; init; }
    public required ILogger Logger { get; init; }
    public required IServiceProvider Services { get; init; }
    public required NotificationHub Notifications { get; init; }
    public ReminderService Reminders { get; set; } = null!;
    public IGrainFactory GrainFactory { get; set; } = null!;
    public Catalog Catalog { get; set; } = null!;
    public volatile bool IsTerminated;
}
