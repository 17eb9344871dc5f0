// Shared by the order page and My tickets: event names, seats as people read them, and a ticket's card with its QR code.
import { api, el } from "./site.js";

const events = new Map();

/** The event's details (name, tiers), cached for the page. */
export function eventDetails(eventId) {
  if (!events.has(eventId)) events.set(eventId, api(`/api/v1/events/${encodeURIComponent(eventId)}`).catch(() => null));
  return events.get(eventId);
}

export function tierName(details, tierId) {
  return details?.tiers.find(t => t.id === tierId)?.name ?? tierId;
}

const stateText = { valid: "Valid", used: "Used", void: "Void (refunded or transferred)" };
// Why a void ticket is void: how a holder learns that a cancellation (or the buyer's refund) took it.
const voidText = { event_cancelled: "Void: the event was cancelled and the ticket refunded to its buyer", refund_requested: "Void: refunded" };

/** A reserved seat as people read it: "Section Stalls left · Row F · Seat 12". */
export function seatText(seat) {
  return `Section ${seat.section} · Row ${seat.row} · Seat ${seat.number}`;
}

/** A ticket's card: tier, its reserved seat if any, state, and the QR code of its signed code while it is valid. `actions` are appended. */
export function ticketCard(ticket, details, ...actions) {
  const label = `${details?.name ?? "Ticket"}: ${tierName(details, ticket.tierId)}`;
  return el("li", { class: "card ticket", "data-ticket-id": ticket.id },
    el("h3", {}, label),
    ticket.seat ? el("p", { class: "seat", "data-seat-id": ticket.seat.id }, seatText(ticket.seat)) : null,
    el("p", { class: "muted" }, `Ticket ${ticket.id} · ${voidText[ticket.voidReason] ?? stateText[ticket.state] ?? ticket.state}`),
    ticket.state === "valid" && ticket.code
      ? el("img", { src: `/api/v1/tickets/${encodeURIComponent(ticket.id)}/qr`, alt: `QR code of ticket ${ticket.id}`, width: 200, height: 200, loading: "lazy" })
      : null,
    ...actions);
}
