// The hold page: a countdown to the hold's expiry by the server's clock, checkout with a test card (mapped to the
// simulator's `simulate`; the card number is never sent), and release.
import { api, el, money, announce, idempotencyKey, forgetIdempotencyKey, showErrors } from "./site.js";
import { clockOffset, minutesSeconds } from "./admission.js";
import { seatText } from "./tickets-view.js";

const holdId = document.getElementById("hold").dataset.holdId;
const form = document.getElementById("checkout-form");
const errorBox = document.getElementById("checkout-error");
const stateBox = document.getElementById("hold-state");
const payButton = document.getElementById("pay-button");
const checkoutKey = `tf-checkout:${holdId}`; // kept until a definite answer: a retry after a network error cannot pay twice

/** Test card → the simulator's answer. Anything else is not accepted (this is a demo shop). */
const testCards = { "4242424242424242": "success", "4000000000000002": "decline", "4000000000000119": "error" };

let hold, offsetMs = 0, timer;

function showState(text, kind, link) {
  stateBox.hidden = false;
  stateBox.className = kind;
  stateBox.replaceChildren(el("p", {}, text), link ? el("p", {}, el("a", { href: link.href }, link.text)) : null);
  stateBox.focus();
}

function eventLink() {
  return { href: `/events/${encodeURIComponent(hold.eventId)}`, text: "Back to the event" };
}

function tick() {
  const left = Date.parse(hold.expiresAt) - (Date.now() + offsetMs);
  document.getElementById("countdown").textContent = minutesSeconds(left);
  const seconds = Math.ceil(left / 1000);
  if (seconds === 120 || seconds === 60 || seconds === 30) announce(`${minutesSeconds(left)} left to pay.`);
  if (left <= 0) {
    clearInterval(timer);
    form.hidden = true;
    showState("Time is up: the hold expired and the tickets went back on sale.", "error", eventLink());
  }
}

async function load() {
  try {
    const { body, response } = await api(`/api/v1/holds/${encodeURIComponent(holdId)}`, { withResponse: true });
    hold = body;
    offsetMs = clockOffset(response);
  } catch (error) {
    document.getElementById("hold-loading").textContent = error.status === 404 ? "There is no such hold." : error.message;
    return;
  }
  const names = await tierNames(hold.eventId);
  document.getElementById("hold-loading").hidden = true;
  document.getElementById("hold-details").hidden = false;
  document.getElementById("event-link").href = `/events/${encodeURIComponent(hold.eventId)}`;
  document.getElementById("hold-items").replaceChildren(...hold.items.map(item =>
    el("tr", {}, el("th", { scope: "row" }, names.get(item.tierId) ?? item.tierId,
      // A reserved line lists its seats under the tier's name, as the order page does.
      item.seats?.length ? el("ul", { class: "seats" }, item.seats.map(seat => el("li", { "data-seat-id": seat.id }, seatText(seat)))) : null),
      el("td", { class: "num" }, item.quantity),
      el("td", { class: "num" }, money(item.priceMinor * item.quantity, hold.currency)))));
  document.getElementById("hold-total").textContent = money(hold.totalMinor, hold.currency);
  if (hold.state === "active") {
    form.hidden = false;
    tick();
    timer = setInterval(tick, 1000);
  } else if (hold.state === "purchased" && hold.orderId) {
    location.replace(`/orders/${encodeURIComponent(hold.orderId)}`);
  } else {
    showState(hold.state === "expired" ? "This hold expired: the tickets went back on sale." : "This hold was released.", "notice", eventLink());
  }
}

async function tierNames(eventId) {
  try {
    const details = await api(`/api/v1/events/${encodeURIComponent(eventId)}`);
    return new Map(details.tiers.map(t => [t.id, t.name]));
  } catch {
    return new Map();
  }
}

function validate() {
  const number = document.getElementById("card-number").value.replace(/[\s-]/g, "");
  const expiry = document.getElementById("card-expiry").value.trim();
  const cvc = document.getElementById("card-cvc").value.trim();
  const errors = {};
  if (!(number in testCards)) errors.cardNumber = ["Use one of the test cards above."];
  const match = /^(\d{2})\/(\d{2})$/.exec(expiry);
  const now = new Date();
  if (!match || Number(match[1]) < 1 || Number(match[1]) > 12
      || new Date(2000 + Number(match[2]), Number(match[1])) <= now) errors.expiry = ["Give a future date as MM/YY."];
  if (!/^\d{3,4}$/.test(cvc)) errors.cvc = ["Give the 3 or 4 digits on the back."];
  return { simulate: testCards[number], errors };
}

form.addEventListener("submit", async event => {
  event.preventDefault();
  errorBox.hidden = true;
  const { simulate, errors } = validate();
  if (Object.keys(errors).length > 0) return showErrors(form, { message: "Check the card details.", errors }, errorBox);
  showErrors(form, { errors: {} });
  payButton.disabled = true;
  payButton.textContent = "Paying…";
  try {
    const order = await api("/api/v1/checkout", {
      method: "POST", idempotencyKey: idempotencyKey(checkoutKey), body: { holdId, payment: { method: "card-sim", simulate } },
    });
    forgetIdempotencyKey(checkoutKey);
    location.assign(`/orders/${encodeURIComponent(order.id)}`);
  } catch (error) {
    payButton.disabled = false;
    payButton.textContent = "Pay";
    if (error.status === 0 || error.status === 503) {
      // Not a definite answer: the same key is kept, so trying again cannot charge twice.
      showErrors(form, { message: `${error.message} Try again: you will not be charged twice.`, errors: {} }, errorBox);
      return;
    }
    forgetIdempotencyKey(checkoutKey);
    if (error.code === "payment_declined") {
      clearInterval(timer);
      form.hidden = true;
      showState(`Your card was declined (${error.message}). Nothing was charged, and the tickets went back on sale.`, "error", eventLink());
      return;
    }
    if (error.code === "hold_expired") {
      clearInterval(timer);
      form.hidden = true;
      showState("Time ran out before the payment: the hold expired and nothing was charged.", "error", eventLink());
      return;
    }
    showErrors(form, error, errorBox);
  }
});

document.getElementById("release-button").addEventListener("click", async () => {
  try {
    await api(`/api/v1/holds/${encodeURIComponent(holdId)}`, { method: "DELETE" });
  } catch (error) {
    if (error.status !== 404 && error.status !== 409) return showErrors(form, error, errorBox);
  }
  location.assign(`/events/${encodeURIComponent(hold.eventId)}`);
});

load();
