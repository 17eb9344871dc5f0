using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace TicketFlow.Grains.WaitingRoom;

/// <summary>
/// Per-event gauges of the rooms active in this process (meter <c>TicketFlow.WaitingRoom</c>): queue length, active
/// shoppers, admitted in the last minute, dropped, and p50/p95 wait. Read when <c>/metrics</c> is scraped.
/// </summary>
public static class WaitingRoomMetrics
{
    private static readonly Meter Meter = new("TicketFlow.WaitingRoom");
    private static readonly ConcurrentDictionary<string, Func<RoomView>> Rooms = new();

    static WaitingRoomMetrics()
    {
        Gauge("ticketflow_waiting_room_queue_length", "Users waiting, by event.", v => v.Waiting);
        Gauge("ticketflow_waiting_room_active_shoppers", "Admitted users still shopping, by event.", v => v.Active);
        Gauge("ticketflow_waiting_room_admitted_last_minute", "Users admitted in the last minute, by event.", v => v.AdmittedLastMinute);
        Gauge("ticketflow_waiting_room_admitted_total", "Users admitted since the room opened, by event.", v => v.AdmittedTotal);
        Gauge("ticketflow_waiting_room_dropped_total", "Waiting users dropped for not polling, by event.", v => v.Dropped);
        Gauge("ticketflow_waiting_room_wait_p50_seconds", "Median wait from join to admission (recent admissions), by event.", v => (long)(v.WaitP50Seconds ?? 0));
        Gauge("ticketflow_waiting_room_wait_p95_seconds", "95th percentile wait from join to admission (recent admissions), by event.", v => (long)(v.WaitP95Seconds ?? 0));
    }

    /// <summary>Reports the room while its activation lives; dispose on deactivation.</summary>
    public static IDisposable Track(string eventId, Func<RoomView> view)
    {
        Rooms[eventId] = view;
        return new Untrack(eventId, view);
    }

    private static void Gauge(string name, string description, Func<RoomView, long> value) =>
        Meter.CreateObservableGauge(name, () => Rooms.Select(room => new Measurement<long>(value(room.Value()), new KeyValuePair<string, object?>("event", room.Key))),
            description: description);

    private sealed class Untrack(string eventId, Func<RoomView> view) : IDisposable
    {
        public void Dispose() => Rooms.TryRemove(new KeyValuePair<string, Func<RoomView>>(eventId, view));
    }
}
