// Ticket transfers: offers to the signed-in fan's email (accept) and offers they sent (withdraw while open).
import { api, el, localTime, announce } from "./site.js";

const status = document.getElementById("transfers-status");

function say(text, kind = "muted") {
  status.className = kind;
  status.textContent = text;
  announce(text);
}

const stateText = { offered: "Open", accepted: "Accepted", cancelled: "Withdrawn", expired: "Expired", void: "Void (the ticket was refunded, used or moved)" };

function ticketLabel(transfer) {
  return `${transfer.tierName ?? transfer.tierId} · ${transfer.ticketId}`;
}

function eventCell(transfer) {
  return el("td", {}, transfer.eventName ?? transfer.eventId, transfer.eventStartsAt ? el("div", { class: "muted" }, localTime(transfer.eventStartsAt)) : null);
}

async function act(action, done) {
  try {
    await action();
    say(done, "success");
  } catch (error) {
    say(error.message, "error");
  }
  await load();
}

function row(transfer, who, button) {
  return el("tr", { "data-transfer-id": transfer.transferId },
    eventCell(transfer),
    el("td", {}, ticketLabel(transfer)),
    el("td", {}, who),
    el("td", {}, localTime(transfer.expiresAt)),
    el("td", { class: "transfer-state" }, stateText[transfer.state] ?? transfer.state),
    el("td", {}, transfer.state === "offered" ? button : null));
}

function receivedRow(transfer) {
  const accept = el("button", { type: "button", onclick: () => act(
    () => api(`/api/v1/transfers/${encodeURIComponent(transfer.transferId)}/accept`, { method: "POST" }),
    `The ticket for ${transfer.eventName ?? transfer.eventId} is yours now: find it under My tickets.`) }, "Accept");
  return row(transfer, transfer.fromName ?? "A fan", accept);
}

function sentRow(transfer) {
  const withdraw = el("button", { type: "button", class: "secondary", onclick: () => act(
    () => api(`/api/v1/transfers/${encodeURIComponent(transfer.transferId)}`, { method: "DELETE" }),
    `Your offer to ${transfer.toEmail} is withdrawn; the ticket stays yours.`) }, "Withdraw");
  return row(transfer, transfer.toEmail, withdraw);
}

function emptyRow(text) {
  return el("tr", {}, el("td", { colspan: 6, class: "muted" }, text));
}

async function load() {
  try {
    const { sent, received } = await api("/api/v1/me/transfers");
    document.getElementById("received").replaceChildren(...(received.length ? received.map(receivedRow) : [emptyRow("No ticket was offered to your email.")]));
    document.getElementById("sent").replaceChildren(...(sent.length ? sent.map(sentRow) : [emptyRow("You have not offered a ticket yet: do it from My tickets.")]));
    if (status.className === "muted") status.textContent = "";
  } catch (error) {
    say(error.message, "error");
  }
}

load();
