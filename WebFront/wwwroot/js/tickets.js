// My tickets: each ticket's QR code, an offer to transfer it to another fan, refunds, and the order history.
import { api, el, money, localTime, announce, idempotencyKey, forgetIdempotencyKey, showErrors } from "./site.js";
import { eventDetails, ticketCard, seatText } from "./tickets-view.js";

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

let tickets = []; // the signed-in fan's tickets, as last loaded
const orders = new Map(); // their own orders loaded so far: only the buyer refunds (a ticket given to them is the giver's order)

/** The fan's valid tickets of an order they bought: what a refund of it gives back. */
function refundable(order) {
  return tickets.filter(t => t.orderId === order.id && t.state === "valid");
}

function renderTickets() {
  return Promise.all(tickets.map(async t => {
    const details = await eventDetails(t.eventId);
    const order = orders.get(t.orderId);
    return ticketCard(t, details, t.state === "valid" ? transferForm(t) : null, t.state === "valid" && order
      ? el("button", { type: "button", class: "secondary", onclick: () => askRefund(order, details, [t], false) }, "Refund this ticket")
      : null);
  })).then(cards => {
    list.replaceChildren(...cards);
    const valid = tickets.filter(t => t.state === "valid").length;
    status.className = "muted";
    status.textContent = tickets.length === 0 ? "You have no tickets yet." : `${valid} valid ticket${valid === 1 ? "" : "s"}.`;
  });
}

const ordersBody = document.getElementById("orders");
let nextCursor = null;

async function loadOrders(cursor) {
  const page = await api(`/api/v1/me/orders?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
  const rows = await Promise.all(page.items.map(async order => {
    orders.set(order.id, order);
    const details = await eventDetails(order.eventId);
    const own = refundable(order);
    const refund = order.state === "paid" && own.length > 0
      ? el("button", { type: "button", class: "secondary", onclick: () => askRefund(order, details, own, true) }, "Refund")
      : null;
    return el("tr", {},
      el("td", {}, el("a", { href: `/orders/${encodeURIComponent(order.id)}` }, order.id)),
      el("td", {}, details?.name ?? order.eventId),
      el("td", {}, localTime(order.createdAt)),
      el("td", {}, order.refundedMinor > 0 && order.state === "paid" ? `paid, ${money(order.refundedMinor, order.currency)} refunded` : order.state),
      el("td", { class: "num" }, money(order.totalMinor, order.currency)),
      el("td", {}, refund));
  }));
  if (cursor) ordersBody.append(...rows); else ordersBody.replaceChildren(...rows);
  nextCursor = page.nextCursor;
  document.getElementById("orders-more").hidden = !nextCursor;
}

document.getElementById("orders-more-button").addEventListener("click", async () => {
  await loadOrders(nextCursor);
  await renderTickets(); // tickets of the older orders can now be refunded one by one
});

const dialog = document.getElementById("refund-dialog");
let refunding;
/** Asks before refunding `chosen` tickets of `order` (`all`: every ticket of it the fan still owns, unused). */
function askRefund(order, details, chosen, all) {
  refunding = { order, ticketIds: all ? null : chosen.map(t => t.id) };
  const amount = chosen.reduce((sum, t) => sum + (order.lines.find(l => l.tierId === t.tierId)?.priceMinor ?? 0), 0);
  const event = details?.name ?? order.eventId;
  document.getElementById("refund-text").textContent = all
    ? `Your ${chosen.length} valid ticket${chosen.length === 1 ? "" : "s"} of order ${order.id} (${event}) become void and ${money(amount, order.currency)} goes back to your card. Tickets you gave to someone else stay theirs.`
    : `Ticket ${chosen[0].id}${chosen[0].seat ? ` (${seatText(chosen[0].seat)})` : ""} of order ${order.id} (${event}) becomes void and ${money(amount, order.currency)} goes back to your card.`;
  dialog.showModal();
}
document.getElementById("refund-cancel").addEventListener("click", () => dialog.close());
document.getElementById("refund-confirm").addEventListener("click", async () => {
  dialog.close();
  const { order, ticketIds } = refunding;
  const keyName = `tf-refund:${order.id}:${ticketIds?.join(",") ?? "all"}`;
  try {
    const refunded = await api(`/api/v1/orders/${encodeURIComponent(order.id)}/refund`,
      { method: "POST", body: ticketIds ? { ticketIds } : undefined, idempotencyKey: idempotencyKey(keyName) });
    forgetIdempotencyKey(keyName);
    say(`Refunded: order ${order.id} has ${money(refunded.refundedMinor, refunded.currency)} refunded in all.`, "success");
  } catch (error) {
    if (error.status !== 0 && error.status !== 503) forgetIdempotencyKey(keyName);
    say(error.message, "error");
  }
  await load();
});

async function load() {
  try {
    tickets = await api("/api/v1/me/tickets");
    orders.clear();
    await loadOrders(null);
    await renderTickets();
  } catch (error) {
    say(error.message, "error");
  }
}

load();
