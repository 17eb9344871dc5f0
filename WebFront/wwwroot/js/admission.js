// The waiting room's admission, remembered by the browser: the queue page stores it when the fan is admitted and the
// event page sends it with the hold. Also the queue ticket, so a reload keeps the fan's place.

const key = (kind, eventId) => `tf-${kind}:${eventId}`;

export function admission(eventId) {
  const stored = JSON.parse(localStorage.getItem(key("admission", eventId)) ?? "null");
  if (!stored) return null;
  if (Date.parse(stored.expiresAt) <= Date.now() + stored.clockOffsetMs) {
    localStorage.removeItem(key("admission", eventId));
    return null;
  }
  return stored;
}

/** `clockOffsetMs`: server time minus browser time, so expiry is judged by the server's clock. */
export function rememberAdmission(eventId, token, expiresAt, clockOffsetMs) {
  localStorage.setItem(key("admission", eventId), JSON.stringify({ token, expiresAt, clockOffsetMs }));
}

export function forgetAdmission(eventId) {
  localStorage.removeItem(key("admission", eventId));
}

export function queueTicket(eventId) {
  return JSON.parse(localStorage.getItem(key("queue", eventId)) ?? "null");
}

export function rememberQueueTicket(eventId, ticket, firstPosition) {
  localStorage.setItem(key("queue", eventId), JSON.stringify({ ticket, firstPosition }));
}

export function forgetQueueTicket(eventId) {
  localStorage.removeItem(key("queue", eventId));
}

/**
 * Server time minus browser time, from a response's Date header. The header has whole seconds (the server's time cut
 * down), so the server was on average half a second past it: without that, a 10-minute hold first showed 10:01.
 */
export function clockOffset(response) {
  const date = Date.parse(response.headers.get("Date") ?? "");
  return Number.isNaN(date) ? 0 : date + 500 - Date.now();
}

/** "4:05" */
export function minutesSeconds(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}
