using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using TicketFlow.Grains.Inventory;
using TicketFlow.WebFront.Seating;

namespace TicketFlow.WebFront.Availability;

/// <summary>
/// Forwards count changes to subscribed browsers, coalesced to at most one message per event per <see cref="Period"/>: the
/// first change after a quiet period goes out at once, changes during the period after a send wait for its end.
/// A round does not wait for its sends: a browser that stops reading (its socket's buffers full) would otherwise hold back
/// every event's next push on this WebFront. A send still unfinished after <see cref="SendTimeout"/> is cancelled, and
/// SignalR closes a connection whose write was cancelled (the page reconnects, or polls).
/// </summary>
/// <remarks>Seat changes (<see cref="SeatStatusCache.DeltaApplied"/>) go out as <c>seats</c> messages as they arrive: each section grain
/// already sends at most one delta per 100 ms, and a delta is the seats' states, not a count to coalesce.</remarks>
public sealed class AvailabilityBroadcaster(AvailabilityCache availability, SeatStatusCache seats, IHubContext<AvailabilityHub> hub, TimeProvider time,
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
        void OnSeats(SeatsMessage message) => _ = SendAsync(message.EventId, "seats", message, stoppingToken);
        availability.Changed += OnChanged;
        seats.TierChanged += OnChanged;
        seats.DeltaApplied += OnSeats;
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
                    _ = SendAsync(eventId, "availability", message, stoppingToken);
                }
                await Task.Delay(Period, time, stoppingToken); // changes meanwhile are coalesced into the next round
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            availability.Changed -= OnChanged;
            seats.TierChanged -= OnChanged;
            seats.DeltaApplied -= OnSeats;
        }
    }

    /// <summary>Writes the message to every connection of the event's group; a connection's write that cannot finish within
    /// <see cref="SendTimeout"/> is cancelled (and SignalR aborts that connection).</summary>
    private async Task SendAsync(string eventId, string method, object message, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(SendTimeout);
        try
        {
            await hub.Clients.Group(AvailabilityHub.Group(eventId)).SendAsync(method, message, timeout.Token);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        catch (Exception error)
        {
            logger.LogWarning(error, "Push of {Method} for {EventId} failed", method, eventId); // lost: the next change sends counts again; a seat map sees the version gap
        }
    }
}
