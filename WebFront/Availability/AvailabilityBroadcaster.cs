using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using TicketFlow.Grains.Inventory;

namespace TicketFlow.WebFront.Availability;

/// <summary>
/// Forwards count changes to subscribed browsers, coalesced to at most one message per event per <see cref="Period"/>: the
/// first change after a quiet period goes out at once, changes during the period after a send wait for its end.
/// A round does not wait for its sends: a browser that stops reading (its socket's buffers full) would otherwise hold back
/// every event's next push on this WebFront. A send still unfinished after <see cref="SendTimeout"/> is cancelled, and
/// SignalR closes a connection whose write was cancelled (the page reconnects, or polls).
/// </summary>
public sealed class AvailabilityBroadcaster(AvailabilityCache availability, IHubContext<AvailabilityHub> hub, TimeProvider time,
    ILogger<AvailabilityBroadcaster> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    // Per event, the newest counts per tier since the last message; replaced whole (never mutated), so no update is lost.
    private readonly ConcurrentDictionary<string, ImmutableDictionary<string, TierCounts>> pending = new();

    // "Something is pending"; one slot, so a burst of changes wakes the loop once.
    private readonly Channel<bool> changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnChanged(TierCounts counts)
        {
            pending.AddOrUpdate(counts.EventId,
                _ => ImmutableDictionary<string, TierCounts>.Empty.SetItem(counts.TierId, counts),
                (_, tiers) => tiers.SetItem(counts.TierId, counts));
            changed.Writer.TryWrite(true);
        }
        availability.Changed += OnChanged;
        try
        {
            while (await changed.Reader.WaitToReadAsync(stoppingToken))
            {
                changed.Reader.TryRead(out _);
                foreach (var eventId in pending.Keys)
                {
                    if (!pending.TryRemove(eventId, out var tiers) || tiers.IsEmpty) continue;
                    var message = new EventAvailability(eventId,
                        tiers.Values.Select(c => new TierAvailability(c.TierId, c.Available, c.Held, c.Sold, c.Capacity)).ToList(), tiers.Values.Max(c => c.AsOf));
                    _ = SendAsync(message, stoppingToken);
                }
                await Task.Delay(Period, time, stoppingToken); // changes meanwhile are coalesced into the next round
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            availability.Changed -= OnChanged;
        }
    }

    /// <summary>Writes the message to every connection of the event's group; a connection's write that cannot finish within
    /// <see cref="SendTimeout"/> is cancelled (and SignalR aborts that connection).</summary>
    private async Task SendAsync(EventAvailability message, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(SendTimeout);
        try
        {
            await hub.Clients.Group(AvailabilityHub.Group(message.EventId)).SendAsync("availability", message, timeout.Token);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        catch (Exception error)
        {
            logger.LogWarning(error, "Availability push for {EventId} failed", message.EventId); // a lost push; the next change sends the counts again
        }
    }
}
