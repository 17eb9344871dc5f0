// The admin's event editor: the form becomes the JSON of POST /api/v1/events (create a draft) or PATCH (edit).
import { api, el, showErrors } from "./site.js";

const form = document.getElementById("event-form");
const eventId = form.dataset.eventId;
const errorBox = document.getElementById("form-error");
const value = id => document.getElementById(id).value.trim();
const utc = id => value(id) ? new Date(`${value(id)}:00Z`).toISOString() : null;

function tiers() {
  return [...document.querySelectorAll("#tiers tr")].map(row => {
    const part = name => row.querySelector(`[data-part="${name}"]`).value.trim();
    return { id: row.dataset.tierId || undefined, name: part("name"), priceMinor: part("price") === "" ? null : Math.round(Number(part("price")) * 100),
      currency: part("currency").toUpperCase(), capacity: part("capacity") === "" ? null : Number(part("capacity")),
      perUserLimit: part("limit") === "" ? null : Number(part("limit")) };
  }).filter(t => eventId || t.name || t.priceMinor != null || t.capacity != null);
}

document.getElementById("add-tier")?.addEventListener("click", () => {
  const body = document.getElementById("tiers");
  const i = body.rows.length;
  const cell = (part, label, field, attributes = {}) => el("td", {},
    el("label", { class: "visually-hidden", for: `tier-${part}-${i}` }, `Tier ${i + 1} ${label}`),
    el("input", { id: `tier-${part}-${i}`, "data-part": part, "data-field": `tiers[${i}].${field}`, ...attributes }));
  body.append(el("tr", { "data-tier-id": "" },
    cell("name", "name", "name"), cell("price", "price", "priceMinor", { inputmode: "decimal" }),
    cell("currency", "currency", "currency", { value: "USD", maxlength: 3 }), cell("capacity", "capacity", "capacity", { inputmode: "numeric" }),
    cell("limit", "limit per fan", "perUserLimit", { inputmode: "numeric", value: 6 })));
  body.rows[i].querySelector("input").focus();
});

form.addEventListener("submit", async event => {
  event.preventDefault();
  const body = {
    name: value("name"), artist: value("artist"), description: value("description"),
    venue: { name: value("venue-name"), city: value("venue-city"), address: value("venue-address") },
    startsAt: utc("starts-at"), onSaleAt: utc("on-sale-at"),
    holdSeconds: Number(value("hold-minutes") || 10) * 60, highDemand: document.getElementById("high-demand").checked,
    tiers: tiers(),
  };
  try {
    const saved = eventId
      ? await api(`/api/v1/events/${encodeURIComponent(eventId)}`, { method: "PATCH", body: { ...body, tiers: body.tiers.map(({ currency, ...t }) => t) } })
      : await api("/api/v1/events", { method: "POST", body: { ...body, tiers: body.tiers.map(({ id, ...t }) => t) } });
    location.assign(`/admin/events/${encodeURIComponent(saved.id)}`);
  } catch (error) {
    showErrors(form, error, errorBox);
  }
});
