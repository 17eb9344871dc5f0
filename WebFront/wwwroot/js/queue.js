// The waiting room page: join, then poll the status at the interval the server asks for (`pollAfterMs`, longer when it
// is loaded); exact position, people ahead, ETA and progress; when admitted, store the admission and go to the event.
// The ticket is kept in localStorage, so a reload (or a second tab) keeps the fan's place.
import { api, session, signInAndReturn, announce } from "./site.js";
import { queueTicket, rememberQueueTicket, forgetQueueTicket, rememberAdmission, clockOffset } from "./admission.js";

const eventId = document.getElementById("queue").dataset.eventId;
const base = `/api/v1/events/${encodeURIComponent(eventId)}/waiting-room`;
const show = id => { for (const part of ["queue-join", "queue-waiting"]) document.getElementById(part).hidden = part !== id; };
const statusBox = document.getElementById("queue-status");
let timer, lastAnnounced;

function render(status, ticket) {
  show("queue-waiting");
  const position = status.position;
  document.getElementById("position").textContent = position == null ? "Not drawn yet" : position.toLocaleString();
  document.getElementById("ahead").textContent = position == null ? "The order is drawn when the sale opens"
    : `${status.aheadOfYou.toLocaleString()} ${status.aheadOfYou === 1 ? "fan" : "fans"} ahead of you`;
  document.getElementById("eta").textContent = status.etaSeconds == null ? "" : `${eta(status.etaSeconds)} to go`;
  const first = ticket.firstPosition ?? position;
  if (position != null && first) {
    document.getElementById("progress").value = Math.round(100 * (first - position + 1) / first);
    if (ticket.firstPosition == null) rememberQueueTicket(eventId, ticket.ticket, position);
  }
  document.getElementById("opens").textContent = Date.parse(status.opensAt) > Date.now() ? `The sale opens ${new Date(status.opensAt).toLocaleString()}.` : "";
  document.getElementById("checked").textContent = new Date().toLocaleTimeString();
  // Announce the position now and then, not at every poll.
  if (position != null && (lastAnnounced == null || lastAnnounced - position >= Math.max(1, Math.ceil(lastAnnounced / 10)))) {
    lastAnnounced = position;
    announce(`You are number ${position} in the queue.`);
  }
}

function eta(seconds) {
  if (seconds < 60) return "less than a minute";
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `about ${minutes} minute${minutes === 1 ? "" : "s"}` : `about ${Math.round(minutes / 60)} hours`;
}

async function poll() {
  const ticket = queueTicket(eventId);
  if (!ticket) { show("queue-join"); return; }
  let status, response;
  try {
    ({ body: status, response } = await api(`${base}/status?ticket=${ticket.ticket}`, { withResponse: true }));
  } catch (error) {
    if (error.status === 401) return signInAndReturn();
    if (error.status === 404) { forgetQueueTicket(eventId); show("queue-join"); return; }
    statusBox.textContent = "Could not check your place; trying again.";
    timer = setTimeout(poll, 5000);
    return;
  }
  statusBox.textContent = "";
  if (status.state === "admitted" && status.admissionToken) {
    rememberAdmission(eventId, status.admissionToken, status.admissionExpiresAt, clockOffset(response));
    forgetQueueTicket(eventId);
    announce("It is your turn. Taking you to the tickets.");
    location.assign(`/events/${encodeURIComponent(eventId)}`);
    return;
  }
  if (status.state !== "waiting") {
    forgetQueueTicket(eventId);
    show("queue-join");
    statusBox.textContent = status.state === "expired" || status.state === "dropped"
      ? "Your place lapsed. Join again to get a new place at the back of the queue." : "You left the queue.";
    return;
  }
  render(status, ticket);
  timer = setTimeout(poll, status.pollAfterMs ?? 5000);
}

document.getElementById("join-button").addEventListener("click", async () => {
  const { user } = await session();
  if (!user) return signInAndReturn();
  const errorBox = document.getElementById("join-error");
  errorBox.hidden = true;
  try {
    const joined = await api(`${base}/join`, { method: "POST" });
    rememberQueueTicket(eventId, joined.ticket, joined.position);
    clearTimeout(timer);
    poll();
  } catch (error) {
    errorBox.hidden = false;
    errorBox.textContent = error.message;
  }
});

document.getElementById("leave-button").addEventListener("click", async () => {
  const ticket = queueTicket(eventId);
  clearTimeout(timer);
  try { if (ticket) await api(`${base}?ticket=${ticket.ticket}`, { method: "DELETE" }); } catch { /* gone already */ }
  forgetQueueTicket(eventId);
  show("queue-join");
  statusBox.textContent = "You left the queue.";
});

poll();
