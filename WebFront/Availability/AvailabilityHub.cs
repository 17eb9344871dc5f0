using Microsoft.AspNetCore.SignalR;
using TicketFlow.WebFront.Purchases;

namespace TicketFlow.WebFront.Availability;

/// <summary>Browsers subscribe to an event and receive <c>availability</c> messages as its counts change, and <c>seats</c> messages
/// (<see cref="Seating.SeatsMessage"/>) as seats of its seat map change.</summary>
public sealed class AvailabilityHub(EventLookup events, EventAvailabilityReader reader) : Hub
{
    /// <summary>The largest message a client may send (Subscribe and Unsubscribe are about 100 bytes); SignalR's default is 32 KB.</summary>
    public const int MaxClientMessageBytes = 4 * 1024;

    public static string Group(string eventId) => "event:" + eventId;

    /// <summary>Joins the event's group and returns its counts now; later changes arrive as <c>availability</c> messages.</summary>
    public async Task<EventAvailability?> Subscribe(string eventId)
    {
        if (eventId.Length > 100 || await events.GetAsync(eventId, Context.ConnectionAborted) is not { } details) return null;
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(eventId), Context.ConnectionAborted);
        return await reader.ReadAsync(details, Context.ConnectionAborted);
    }

    public Task Unsubscribe(string eventId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(eventId), Context.ConnectionAborted);
}
