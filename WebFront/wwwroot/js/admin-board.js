// The live sales board: the admin stats (and the waiting room's) polled every second; publish, cancel, room controls.
import { api, el, money, showErrors } from "./site.js";

const board = document.getElementById("board");
const eventId = board.dataset.eventId;
const highDemand = board.dataset.highDemand === "true";
const message = document.getElementById("board-message");
const set = (id, text) => { const node = document.getElementById(id); if (node) node.textContent = text; };
let roomPaused = false, roomFormFilled = false;

function say(text, kind) {
  message.className = kind;
  message.textContent = text;
  message.focus();
}

async function refresh() {
  try {
    const stats = await api(`/api/v1/admin/events/${encodeURIComponent(eventId)}/stats`);
    set("status", stats.status.replace("_", " "));
    set("revenue", money(stats.revenueMinor, stats.currency));
    set("orders", stats.orders.toLocaleString());
    set("holds-expired", stats.holdsExpired.toLocaleString());
    set("checkout-failures", stats.checkoutFailures.toLocaleString());
    document.getElementById("tiers").replaceChildren(...stats.tiers.map(t => el("tr", { "data-tier-id": t.tierId },
      el("th", { scope: "row" }, t.name), el("td", { class: "num", "data-available": true }, t.available.toLocaleString()),
      el("td", { class: "num", "data-held": true }, t.held.toLocaleString()), el("td", { class: "num", "data-sold": true }, t.sold.toLocaleString()),
      el("td", { class: "num" }, t.capacity.toLocaleString()), el("td", { class: "num" }, money(t.revenueMinor, stats.currency)))));
    document.getElementById("publish-button").hidden = stats.status !== "draft";
    document.getElementById("cancel-button").hidden = stats.status === "cancelled" || stats.status === "completed";
    if (highDemand) await refreshRoom();
  } catch (error) {
    if (error.status === 401 || error.status === 403) { say("Your session ended: sign in again.", "error"); return; }
  }
  setTimeout(refresh, 1000);
}

async function refreshRoom() {
  const room = await api(`/api/v1/admin/events/${encodeURIComponent(eventId)}/waiting-room`);
  roomPaused = room.paused;
  set("room-waiting", room.waiting.toLocaleString());
  set("room-rate", room.admittedLastMinute.toLocaleString());
  set("room-active", room.active.toLocaleString());
  set("room-admitted", room.admittedTotal.toLocaleString());
  set("room-state", room.paused ? "paused" : room.open ? "admitting fans" : "not open yet");
  set("pause-button", room.paused ? "Resume" : "Pause");
  if (!roomFormFilled) {
    document.getElementById("wave-size").value = room.waveSize;
    document.getElementById("wave-interval").value = room.waveIntervalSeconds;
    document.getElementById("max-active").value = room.maxActive;
    roomFormFilled = true;
  }
}

async function configureRoom(change) {
  const form = document.getElementById("room-form");
  try {
    await api(`/api/v1/admin/events/${encodeURIComponent(eventId)}/waiting-room`, { method: "POST", body: change });
    showErrors(form, { errors: {} });
    document.getElementById("room-error").hidden = true;
    await refreshRoom();
  } catch (error) {
    showErrors(form, error, document.getElementById("room-error"));
  }
}

if (highDemand) {
  document.getElementById("room-form").addEventListener("submit", event => {
    event.preventDefault();
    const number = id => Number(document.getElementById(id).value);
    configureRoom({ waveSize: number("wave-size"), waveIntervalSeconds: number("wave-interval"), maxActive: number("max-active") });
  });
  document.getElementById("pause-button").addEventListener("click", () => configureRoom({ paused: !roomPaused }));
}

document.getElementById("publish-button").addEventListener("click", async () => {
  try {
    await api(`/api/v1/events/${encodeURIComponent(eventId)}/publish`, { method: "POST" });
    say("Published: the event is on sale and appears in search.", "success");
  } catch (error) {
    say(error.message, "error");
  }
});

const dialog = document.getElementById("cancel-dialog");
document.getElementById("cancel-button").addEventListener("click", () => dialog.showModal());
document.getElementById("cancel-keep").addEventListener("click", () => dialog.close());
document.getElementById("cancel-confirm").addEventListener("click", async () => {
  dialog.close();
  try {
    await api(`/api/v1/events/${encodeURIComponent(eventId)}/cancel`, { method: "POST" });
    say("Cancelled: every paid order is being refunded.", "success");
  } catch (error) {
    say(error.message, "error");
  }
});

refresh();
