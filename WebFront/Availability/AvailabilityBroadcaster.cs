using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using TicketFlow.Grains.Inventory;

namespace TicketFlow.WebFront.Availability;

/// <summary>Forwards count changes to subscribed browsers, coalesced per event to at most one message per <see cref="Period"/>.</summary>
public sealed class AvailabilityBroadcaster(AvailabilityCache availability, IHubContext<AvailabilityHub> hub, TimeProvider time,
    ILogger<AvailabilityBroadcaster> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, TierCounts>> pending = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnChanged(TierCounts counts) => pending.GetOrAdd(counts.EventId, _ => new())[counts.TierId] = counts;
        availability.Changed += OnChanged;
        try
        {
            using var timer = new PeriodicTimer(Period, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var eventId in pending.Keys)
                {
                    if (!pending.TryRemove(eventId, out var tiers)) continue;
                    var message = new EventAvailability(eventId,
                        tiers.Values.Select(c => new TierAvailability(c.TierId, c.Available, c.Held, c.Sold, c.Capacity)).ToList(), tiers.Values.Max(c => c.AsOf));
                    try { await hub.Clients.Group(AvailabilityHub.Group(eventId)).SendAsync("availability", message, stoppingToken); }
                    catch (Exception error) when (error is not OperationCanceledException) { logger.LogWarning(error, "Availability push for {EventId} failed", eventId); }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            availability.Changed -= OnChanged;
        }
    }
}
