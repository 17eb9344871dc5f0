// Browse: live "selling fast / few left / sold out" badges on the event cards.
import { watchAvailability, badgeFor } from "./live.js";

const cards = new Map([...document.querySelectorAll("[data-event-id]")]
  .filter(card => card.querySelector("[data-badge]"))
  .map(card => [card.dataset.eventId, { card, tiers: new Map() }]));

watchAvailability([...cards.keys()], message => {
  const entry = cards.get(message.eventId);
  if (!entry) return;
  for (const tier of message.tiers) entry.tiers.set(tier.tierId, tier);
  const badge = entry.card.querySelector("[data-badge]");
  const next = badgeFor([...entry.tiers.values()]);
  badge.className = next?.className ?? "badge";
  badge.textContent = next?.text ?? "";
});
