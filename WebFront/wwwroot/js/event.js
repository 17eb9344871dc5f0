// The event page: live counts from the hub, quantity pickers that keep to the limits, and the all-or-nothing hold of
// general-admission tiers; an event with reserved seating also gets its seat map (seatmap.js), fed by the same hub connection.
import { api, session, signInAndReturn, money, announce, idempotencyKey, forgetIdempotencyKey, showErrors } from "./site.js";
import { watchAvailability } from "./live.js";
import { admission, forgetAdmission, minutesSeconds } from "./admission.js";
import { startSeatMap } from "./seatmap.js";

const page = document.getElementById("event");
const form = document.getElementById("hold-form");
const eventId = page.dataset.eventId;
const maxPerOrder = Number(page.dataset.maxPerOrder);
const highDemand = page.dataset.highDemand === "true";
const errorBox = document.getElementById("hold-error");
const holdButton = document.getElementById("hold-button"); // absent when every tier is reserved (seats are held on the map)
const onSale = page.dataset.onSale === "true";

const tiers = new Map([...form.querySelectorAll("tr[data-tier-id]")].map(row => [row.dataset.tierId, {
  row,
  name: row.dataset.tierName,
  priceMinor: Number(row.dataset.priceMinor),
  currency: row.dataset.currency,
  perUserLimit: Number(row.dataset.perUserLimit),
  select: row.querySelector("select"),
  availableCell: row.querySelector("[data-available]"),
  available: null,
}]));

function updateTier(counts) {
  const tier = tiers.get(counts.tierId);
  if (!tier) return;
  const before = tier.available;
  tier.available = counts.available;
  tier.availableCell.textContent = counts.available === 0 ? "Sold out" : counts.available.toLocaleString();
  if (tier.select) {
    const max = Math.max(0, Math.min(tier.perUserLimit, maxPerOrder, counts.available));
    const chosen = Math.min(Number(tier.select.value), max);
    tier.select.replaceChildren(...Array.from({ length: max + 1 }, (_, n) => new Option(String(n), String(n), false, n === chosen)));
    tier.select.disabled = !onSale || max === 0;
  }
  if (before !== null && before !== counts.available) {
    if (counts.available === 0) announce(`${tier.name} is sold out.`);
    else if (before === 0) announce(`${tier.name} is available again: ${counts.available} left.`);
    else if (counts.available <= 10) announce(`${tier.name}: ${counts.available} left.`);
  }
  updateTotal();
}

function chosenItems() {
  return [...tiers.entries()].filter(([, t]) => t.select).map(([tierId, t]) => ({ tierId, quantity: Number(t.select.value) })).filter(i => i.quantity > 0);
}

function updateTotal() {
  const totalBox = document.getElementById("total");
  if (!totalBox) return;
  let total = 0, currency = "USD";
  for (const t of tiers.values()) if (t.select) { total += Number(t.select.value) * t.priceMinor; currency = t.currency; }
  totalBox.textContent = money(total, currency);
}

const seatMap = page.dataset.seatMap === "true"
  ? startSeatMap({ eventId, maxPerOrder, onSale, highDemand })
  : null;

const liveState = document.getElementById("live-state");
watchAvailability([eventId], message => { for (const t of message.tiers) updateTier(t); }, mode => {
  liveState.textContent = mode === "live" ? "Live: the counts change as tickets sell." : mode === "polling"
    ? "Counts refresh every few seconds." : "Reconnecting…";
}, seatMap ? { onSeats: seatMap.applySeats, onResync: seatMap.resync } : {});
form.addEventListener("change", updateTotal);

// A high-demand event sells only to admitted fans: the queue page stores the admission, this page counts it down.
function showAdmission() {
  if (!highDemand || !onSale) return true;
  const admitted = admission(eventId);
  const state = document.getElementById("admission-state");
  const link = document.getElementById("queue-link");
  if (!admitted) {
    if (holdButton) holdButton.disabled = true;
    return false;
  }
  const left = Date.parse(admitted.expiresAt) - (Date.now() + admitted.clockOffsetMs);
  state.textContent = `You're in. Choose your tickets within ${minutesSeconds(left)}.`;
  link.hidden = true;
  if (holdButton) holdButton.disabled = false;
  return true;
}
if (highDemand && onSale) {
  showAdmission();
  setInterval(showAdmission, 1000);
}

form.addEventListener("submit", async event => {
  event.preventDefault();
  if (!holdButton) return;
  errorBox.hidden = true;
  const items = chosenItems();
  const count = items.reduce((sum, i) => sum + i.quantity, 0);
  if (count === 0) return showErrors(form, { message: "Choose at least one ticket.", errors: {} }, errorBox);
  if (count > maxPerOrder) return showErrors(form, { message: `At most ${maxPerOrder} tickets per order.`, errors: {} }, errorBox);
  const { user } = await session();
  if (!user) return signInAndReturn();
  const admitted = highDemand ? admission(eventId) : null;
  if (highDemand && !admitted) { location.assign(`/events/${encodeURIComponent(eventId)}/queue`); return; }

  const body = { eventId, items, admissionToken: admitted?.token };
  const keyName = `tf-hold:${JSON.stringify(body)}`; // the same choice retried after a network error is the same hold
  holdButton.disabled = true;
  holdButton.textContent = "Holding…";
  try {
    const hold = await api("/api/v1/holds", { method: "POST", body, idempotencyKey: idempotencyKey(keyName) });
    forgetIdempotencyKey(keyName);
    location.assign(`/holds/${encodeURIComponent(hold.holdId)}`);
  } catch (error) {
    if (error.status === 401) return signInAndReturn();
    if (error.code === "not_admitted") forgetAdmission(eventId);
    if (error.status !== 0 && error.status !== 503) forgetIdempotencyKey(keyName); // a definite answer: the next try is a new hold
    showErrors(form, error, errorBox);
    holdButton.disabled = false;
    holdButton.textContent = "Hold tickets";
  }
});
