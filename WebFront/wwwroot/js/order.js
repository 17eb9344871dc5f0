// The order confirmation page.
import { api, el, money, localTime } from "./site.js";
import { eventDetails, tierName, ticketCard, seatText } from "./tickets-view.js";

const orderId = document.getElementById("order").dataset.orderId;

async function load() {
  let order, tickets;
  try {
    [order, tickets] = await Promise.all([api(`/api/v1/orders/${encodeURIComponent(orderId)}`), api("/api/v1/me/tickets")]);
  } catch (error) {
    document.getElementById("order-loading").textContent = error.status === 404 ? "There is no such order." : error.message;
    return;
  }
  const details = await eventDetails(order.eventId);
  document.getElementById("order-loading").hidden = true;
  document.getElementById("order-details").hidden = false;
  document.getElementById("order-summary").textContent = order.state === "paid"
    ? `Paid on ${localTime(order.createdAt)}. Order ${order.id} for ${details?.name ?? order.eventId}.`
    : `Order ${order.id} is ${order.state}.`;
  // A reserved line lists its seats under the tier's name.
  document.getElementById("order-lines").replaceChildren(...order.lines.map(line => el("tr", {},
    el("th", { scope: "row" }, tierName(details, line.tierId),
      line.seats?.length ? el("ul", { class: "seats" }, line.seats.map(seat => el("li", { "data-seat-id": seat.id }, seatText(seat)))) : null),
    el("td", { class: "num" }, line.quantity),
    el("td", { class: "num" }, money(line.priceMinor * line.quantity, order.currency)))));
  document.getElementById("order-total").textContent = money(order.totalMinor, order.currency);
  const refunded = document.getElementById("order-refunded");
  refunded.hidden = order.refundedMinor === 0;
  document.getElementById("order-refunded-amount").textContent = money(order.refundedMinor, order.currency);
  document.getElementById("order-tickets").replaceChildren(...tickets.filter(t => t.orderId === order.id).map(t => ticketCard(t, details)));
}

load();
