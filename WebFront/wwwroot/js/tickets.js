// My tickets: each ticket's QR code, an offer to transfer it to another fan, refunds, and the order history.
import { api, el, money, localTime, announce, idempotencyKey, forgetIdempotencyKey, showErrors } from "./site.js";
import { eventDetails, ticketCard } from "./tickets-view.js";

const list = document.getElementById("tickets");
const status = document.getElementById("tickets-status");

function say(text, kind = "muted") {
  status.className = kind;
  status.textContent = text;
  announce(text);
}

function transferForm(ticket) {
  const id = `to-${ticket.id}`;
  const form = el("form", { class: "stack", novalidate: true },
    el("label", { for: id }, "Offer to (their email)"),
    el("input", { id, type: "email", "data-field": "toEmail", autocomplete: "email", required: true }),
    el("button", { type: "submit", class: "secondary" }, "Offer ticket"));
  const keyName = `tf-transfer:${ticket.id}`;
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const toEmail = form.querySelector("input").value.trim();
    try {
      await api(`/api/v1/tickets/${encodeURIComponent(ticket.id)}/transfer`, { method: "POST", body: { toEmail }, idempotencyKey: idempotencyKey(`${keyName}:${toEmail}`) });
      forgetIdempotencyKey(`${keyName}:${toEmail}`);
      await load(); // first: it rewrites the status line
      say(`Offer sent to ${toEmail}: the ticket stays yours until accepted (see Transfers).`, "success");
    } catch (error) {
      if (error.status !== 0 && error.status !== 503) forgetIdempotencyKey(`${keyName}:${toEmail}`);
      showErrors(form, error);
      if (Object.keys(error.errors).length === 0) say(error.message, "error");
    }
  });
  return form;
}

async function loadTickets() {
  const tickets = await api("/api/v1/me/tickets");
  const cards = await Promise.all(tickets.map(async t =>
    ticketCard(t, await eventDetails(t.eventId), t.state === "valid" ? transferForm(t) : null)));
  list.replaceChildren(...cards);
  const valid = tickets.filter(t => t.state === "valid").length;
  status.className = "muted";
  status.textContent = tickets.length === 0 ? "You have no tickets yet." : `${valid} valid ticket${valid === 1 ? "" : "s"}.`;
}

const ordersBody = document.getElementById("orders");
let nextCursor = null;

async function loadOrders(cursor) {
  const page = await api(`/api/v1/me/orders?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  const rows = await Promise.all(page.items.map(async order => {
    const details = await eventDetails(order.eventId);
    const refund = order.state === "paid"
      ? el("button", { type: "button", class: "secondary", onclick: () => askRefund(order, details) }, "Refund")
      : null;
    return el("tr", {},
      el("td", {}, el("a", { href: `/orders/${encodeURIComponent(order.id)}` }, order.id)),
      el("td", {}, details?.name ?? order.eventId),
      el("td", {}, localTime(order.createdAt)),
      el("td", {}, order.state),
      el("td", { class: "num" }, money(order.totalMinor, order.currency)),
      el("td", {}, refund));
  }));
  if (cursor) ordersBody.append(...rows); else ordersBody.replaceChildren(...rows);
  nextCursor = page.nextCursor;
  document.getElementById("orders-more").hidden = !nextCursor;
}

document.getElementById("orders-more-button").addEventListener("click", () => loadOrders(nextCursor));

const dialog = document.getElementById("refund-dialog");
let refunding;
function askRefund(order, details) {
  refunding = order;
  document.getElementById("refund-text").textContent =
    `Every ticket of order ${order.id} (${details?.name ?? order.eventId}) becomes void and ${money(order.totalMinor, order.currency)} goes back to your card.`;
  dialog.showModal();
}
document.getElementById("refund-cancel").addEventListener("click", () => dialog.close());
document.getElementById("refund-confirm").addEventListener("click", async () => {
  dialog.close();
  const keyName = `tf-refund:${refunding.id}`;
  try {
    await api(`/api/v1/orders/${encodeURIComponent(refunding.id)}/refund`, { method: "POST", idempotencyKey: idempotencyKey(keyName) });
    forgetIdempotencyKey(keyName);
    say(`Order ${refunding.id} is refunded.`, "success");
  } catch (error) {
    if (error.status !== 0 && error.status !== 503) forgetIdempotencyKey(keyName);
    say(error.message, "error");
  }
  await load();
});

async function load() {
  try {
    await Promise.all([loadTickets(), loadOrders(null)]);
  } catch (error) {
    say(error.message, "error");
  }
}

load();
