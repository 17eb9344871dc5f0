// Live availability: the SignalR hub pushes an event's changed tiers ("availability" messages). When the hub refuses a
// connection (503: this WebFront is at its connection limit) or the connection drops for good, the page polls the
// availability endpoint instead and tries the hub again later, so counts keep moving either way.

const pollEveryMs = 5_000;
const retryHubAfterMs = 60_000;

/**
 * Calls `onAvailability({eventId, tiers:[{tierId, available, held, sold, capacity}], asOf})` with the current counts of
 * each event and then with every change. `onMode("live" | "polling")` says how counts arrive.
 * A seat map passes `onSeats(message)` for the hub's `seats` messages and `onResync()`, called whenever changes may have
 * been missed (subscribed or resubscribed, or each poll while the hub is refused): it reloads the seat status then.
 */
export function watchAvailability(eventIds, onAvailability, onMode = () => {}, { onSeats, onResync = () => {} } = {}) {
  let pollTimer;

  async function pollOnce() {
    onResync();
    await Promise.all(eventIds.map(async id => {
      try {
        const response = await fetch(`/api/v1/events/${encodeURIComponent(id)}/availability`, { headers: { Accept: "application/json" } });
        if (response.ok) onAvailability(await response.json());
      } catch { /* the next poll tries again */ }
    }));
  }

  function startPolling() {
    if (pollTimer) return;
    onMode("polling");
    pollOnce();
    pollTimer = setInterval(pollOnce, pollEveryMs);
    setTimeout(connect, retryHubAfterMs);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = undefined;
  }

  async function subscribeAll(connection) {
    for (const id of eventIds) {
      const now = await connection.invoke("Subscribe", id);
      if (now) onAvailability(now);
    }
    onResync(); // subscribed: every change from now on arrives, so a status read now misses none
  }

  async function connect() {
    const signalR = globalThis.signalR;
    if (!signalR) { startPolling(); return; }
    const connection = new signalR.HubConnectionBuilder()
      .withUrl("/hubs/availability")
      .withAutomaticReconnect()
      .configureLogging(signalR.LogLevel.None)
      .build();
    connection.on("availability", onAvailability);
    if (onSeats) connection.on("seats", onSeats);
    connection.onreconnecting(() => onMode("reconnecting"));
    connection.onreconnected(async () => { await subscribeAll(connection); onMode("live"); });
    connection.onclose(() => startPolling());
    try {
      await connection.start();
      stopPolling();
      await subscribeAll(connection);
      onMode("live"); // only now: the counts shown are the subscription's, and every change after them arrives
    } catch {
      startPolling();
    }
  }

  if (eventIds.length > 0) connect();
}

/** The browse card's badge from an event's tier counts. */
export function badgeFor(tiers) {
  let capacity = 0, available = 0, taken = 0;
  for (const t of tiers) { capacity += t.capacity; available += t.available; taken += t.held + t.sold; }
  if (capacity === 0) return null;
  if (available === 0) return { text: "Sold out", className: "badge badge-soldout" };
  if (available <= Math.max(10, capacity * 0.05)) return { text: `Few left`, className: "badge badge-few" };
  if (taken >= capacity * 0.5) return { text: "Selling fast", className: "badge badge-fast" };
  return null;
}
