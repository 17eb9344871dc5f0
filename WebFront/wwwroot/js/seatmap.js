// The seat map of an event with reserved seating: an SVG overview of the sections (their outlines, computed from the seats'
// x/y), one section's seats when zoomed in (never the whole venue at once: a stadium has 50,000 seats), the same seats as a
// keyboard-friendly list, one selection shared by both, exact holds and best available. Seat states come from the status
// bitmap and the hub's `seats` deltas (event.js passes them in), each section tracked by its version.
import { api, session, signInAndReturn, money, announce, idempotencyKey, forgetIdempotencyKey, el } from "./site.js";
import { admission, forgetAdmission } from "./admission.js";

const svgNs = "http://www.w3.org/2000/svg";
const FREE = 0, HELD = 1, SOLD = 2, UNSOLD = 3;
const stateClass = ["free", "held", "sold", "unsold"];
const stateText = ["free", "held by someone", "sold", "not for sale"];
const stateOfName = { free: FREE, held: HELD, sold: SOLD };

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) if (value != null && value !== false) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}

/** 2 bits per seat, four a byte, the first seat in the lowest bits (base64). */
function decodeBits(base64, count) {
  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  const states = new Uint8Array(count);
  for (let i = 0; i < count; i++) states[i] = (bytes[i >> 2] >> ((i & 3) * 2)) & 3;
  return states;
}

/** The convex hull of points (monotone chain): a section's outline in the overview. */
function hull(points) {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = list => {
    const out = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

function round(n) {
  return Math.round(n * 10) / 10;
}

export function startSeatMap({ eventId, maxPerOrder, onSale, highDemand }) {
  const stateLine = document.getElementById("seatmap-state");
  const canvas = document.getElementById("seatmap-svg");
  const title = document.getElementById("seatmap-title");
  const hint = document.getElementById("seatmap-hint");
  const back = document.getElementById("seatmap-back");
  const sectionSelect = document.getElementById("seat-section");
  const rowsBox = document.getElementById("seat-rows");
  const selectionList = document.getElementById("seat-selection");
  const selectionEmpty = document.getElementById("selection-empty");
  const totalBox = document.getElementById("seat-total");
  const message = document.getElementById("seat-message");
  const holdButton = document.getElementById("seat-hold-button");
  const bestForm = document.getElementById("best-form");
  const bestButton = document.getElementById("best-button");
  const bestError = document.getElementById("best-error");

  let tiers = new Map();             // tierId → {id, name, priceMinor, currency}
  let sections = [];                 // layout order
  const sectionsById = new Map();
  const seatsById = new Map();
  const selection = new Map();       // seatId → seat, in the order chosen
  let zoomed = null;                 // the section whose seats are drawn
  let seatNodes = new Map();         // seatId → circle of the zoomed section
  let overviewBox = null;
  let holding = false;
  let pending = [];                  // deltas that arrived before the status they apply to
  let statusLoad = null, statusAgain = false, retryTimer, retries = 0;
  const wanted = new Map();          // sectionId → a version a delta showed exists (a gap to close)
  const mine = rememberedHold();

  // ---- layout and status ----

  const ready = (async () => {
    const pointer = await api(`/api/v1/events/${encodeURIComponent(eventId)}/seatmap`);
    const response = await fetch(pointer.url, { headers: { Accept: "application/json" } }); // immutable: the browser caches it
    if (!response.ok) throw new Error(`layout ${response.status}`);
    build(await response.json());
  })();

  ready.then(() => loadStatus(), () => {
    stateLine.textContent = "The seat map could not be loaded. Reload the page to try again.";
  });

  function build(layout) {
    tiers = new Map(layout.tiers.map(t => [t.id, t]));
    const coordinates = layout.sections.every(s => s.rows.every(r => r.seats.every(seat => seat.x != null && seat.y != null)));
    let offsetY = 0;
    sections = layout.sections.map(section => {
      const seats = [];
      section.rows.forEach((row, r) => row.seats.forEach((seat, n) => {
        // Without coordinates a section is a grid, sections stacked one under the other.
        const x = coordinates ? seat.x : n * 10, y = coordinates ? seat.y : offsetY + r * 10;
        seats.push({ ...seat, x, y, row: row.label, rowIndex: r, index: seats.length });
      }));
      if (!coordinates) offsetY += section.rows.length * 10 + 30;
      const s = { id: section.id, label: section.label, tierIds: section.tierIds ?? [], rows: [], seats, states: new Uint8Array(seats.length).fill(UNSOLD),
        version: -1, free: 0 };
      for (const seat of seats) {
        seat.section = s;
        (s.rows[seat.rowIndex] ??= { label: seat.row, seats: [] }).seats.push(seat);
        seatsById.set(seat.id, seat);
      }
      s.rows = s.rows.filter(Boolean);
      s.box = bounds(seats);
      s.outline = hull(seats.map(seat => [seat.x, seat.y]));
      s.pitch = pitch(s);
      return s;
    });
    for (const s of sections) sectionsById.set(s.id, s);
    overviewBox = bounds(sections.flatMap(s => [{ x: s.box.minX, y: s.box.minY }, { x: s.box.maxX, y: s.box.maxY }]));
    for (const cell of document.querySelectorAll("[data-tier-sections]")) {
      const list = sections.filter(s => s.tierIds.includes(cell.dataset.tierSections));
      cell.textContent = list.length > 6 ? `${list.length} sections` : list.map(s => s.label).join(", ");
    }
    sectionSelect.replaceChildren(new Option("Choose a section", ""), ...sections.filter(s => s.tierIds.length > 0).map(s => new Option(s.label, s.id)));
    sectionSelect.disabled = false;
    drawOverview();
    renderSelection(); // the total in the tiers' currency
  }

  function bounds(points) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const p of points) { minX = Math.min(minX, p.x); minY = Math.min(minY, p.y); maxX = Math.max(maxX, p.x); maxY = Math.max(maxY, p.y); }
    return points.length ? { minX, minY, maxX, maxY } : { minX: 0, minY: 0, maxX: 1, maxY: 1 };
  }

  /** The typical distance between neighbours in a row: seats are drawn a little smaller. */
  function pitch(section) {
    const gaps = [];
    for (const row of section.rows) for (let i = 1; i < row.seats.length && gaps.length < 200; i++)
      gaps.push(Math.hypot(row.seats[i].x - row.seats[i - 1].x, row.seats[i].y - row.seats[i - 1].y));
    gaps.sort((a, b) => a - b);
    return gaps.length ? Math.max(gaps[gaps.length >> 1], 0.5) : 10;
  }

  /** Reads the whole status; overlapping loads are folded into one more after the current one. */
  function loadStatus() {
    if (statusLoad) { statusAgain = true; return statusLoad; }
    statusLoad = (async () => {
      try {
        await ready;
        const response = await fetch(`/api/v1/events/${encodeURIComponent(eventId)}/seatmap/status`, { headers: { Accept: "application/json" }, cache: "no-store" });
        if (!response.ok) throw new Error(`status ${response.status}`);
        applyStatus(await response.json());
        stateLine.textContent = onSale ? "Seats change colour as fans hold and buy them." : "Seats are not on sale now.";
      } catch {
        if (sections.length) stateLine.textContent = "The seats' states could not be read; trying again…";
        scheduleRetry();
      } finally {
        statusLoad = null;
        if (statusAgain) { statusAgain = false; loadStatus(); }
      }
    })();
    return statusLoad;
  }

  function scheduleRetry() {
    if (retryTimer || retries >= 10) return;
    retries++;
    retryTimer = setTimeout(() => { retryTimer = undefined; loadStatus(); }, 1000 * retries);
  }

  function applyStatus(status) {
    for (const bits of status.sections) {
      const section = sectionsById.get(bits.sectionId);
      if (!section || bits.version <= section.version) continue; // versions only grow: never step back
      const states = decodeBits(bits.bits, section.seats.length);
      const before = section.states;
      section.states = states;
      section.version = bits.version;
      refreshSection(section, section.seats.filter((seat, i) => before[i] !== states[i]));
    }
    const queued = pending.sort((a, b) => a.version - b.version);
    pending = [];
    for (const delta of queued) applySeats(delta);
    // A gap this status did not close yet (a WebFront behind the one that pushed): ask again shortly.
    for (const [id, version] of wanted) if ((sectionsById.get(id)?.version ?? Infinity) >= version) wanted.delete(id);
    if (wanted.size > 0) scheduleRetry(); else retries = 0;
  }

  /** A hub `seats` message: applied when it continues this section's version; a gap reloads the status. */
  function applySeats(delta) {
    if (delta.eventId !== eventId) return;
    const section = sectionsById.get(delta.sectionId);
    if (!section) { if (!sections.length) pending.push(delta); return; }
    if (section.version < 0) { pending.push(delta); return; }
    if (delta.version <= section.version) return; // already in what we hold (states are absolute: overlap is harmless)
    if (delta.fromVersion > section.version) {
      wanted.set(section.id, Math.max(wanted.get(section.id) ?? 0, delta.version));
      loadStatus();
      return;
    }
    const changed = [];
    for (const change of delta.changed) {
      const seat = seatsById.get(change.seatId);
      if (!seat || seat.section !== section) continue;
      const state = stateOfName[change.state] ?? UNSOLD;
      if (section.states[seat.index] !== state) { section.states[seat.index] = state; changed.push(seat); }
    }
    section.version = delta.version;
    refreshSection(section, changed);
  }

  // ---- state of a seat, as shown ----

  function stateOf(seat) {
    return seat.tierId ? seat.section.states[seat.index] : UNSOLD;
  }

  function isYours(seat) {
    return selection.has(seat.id) || (mine.has(seat.id) && stateOf(seat) === HELD);
  }

  function seatLabel(seat) {
    return `${seat.section.label}, row ${seat.row}, seat ${seat.number}`;
  }

  function flagsText(seat) {
    return [seat.accessible ? "wheelchair accessible" : null, seat.restrictedView ? "restricted view" : null].filter(Boolean).join(", ");
  }

  function priceOf(seat) {
    const tier = tiers.get(seat.tierId);
    return tier ? money(tier.priceMinor, tier.currency) : "";
  }

  function sectionPrices(section) {
    const list = section.tierIds.map(id => tiers.get(id)).filter(Boolean).sort((a, b) => a.priceMinor - b.priceMinor);
    if (!list.length) return "not for sale";
    const low = money(list[0].priceMinor, list[0].currency), high = money(list[list.length - 1].priceMinor, list[0].currency);
    return low === high ? low : `${low}–${high}`;
  }

  /** Changed seats of a section: the overview's counts, the drawn seats, the list's rows, a chosen seat someone else took. */
  function refreshSection(section, changed) {
    section.free = 0;
    for (const seat of section.seats) if (seat.tierId && section.states[seat.index] === FREE) section.free++;
    updateSectionSummary(section);
    const lost = [];
    for (const seat of changed) {
      if (selection.has(seat.id) && stateOf(seat) !== FREE && !holding) { selection.delete(seat.id); lost.push(seat); }
      paintSeat(seat);
    }
    if (zoomed === section && changed.length) refreshList(new Set(changed.map(seat => seat.rowIndex)));
    if (lost.length) {
      renderSelection();
      showMessage(`${lost.map(seatLabel).join("; ")} ${lost.length === 1 ? "was" : "were"} just taken by someone else and left your selection.`);
    }
  }

  // ---- the overview: one outline per section ----

  function viewBox(box, margin) {
    return `${round(box.minX - margin)} ${round(box.minY - margin)} ${round(box.maxX - box.minX + 2 * margin)} ${round(box.maxY - box.minY + 2 * margin)}`;
  }

  function drawOverview() {
    zoomed = null;
    seatNodes = new Map();
    const size = Math.max(overviewBox.maxX - overviewBox.minX, overviewBox.maxY - overviewBox.minY, 1);
    canvas.setAttribute("viewBox", viewBox(overviewBox, size * 0.04));
    const fontSize = round(Math.max(size / 55, 4));
    canvas.replaceChildren(...sections.map(section => {
      const sells = section.tierIds.length > 0;
      const shape = section.outline.length >= 3
        ? svg("polygon", { points: section.outline.map(p => `${round(p[0])},${round(p[1])}`).join(" "), class: "section-shape" })
        : svg("rect", { x: section.box.minX, y: section.box.minY, width: section.box.maxX - section.box.minX || 1, height: section.box.maxY - section.box.minY || 1,
          class: "section-shape" });
      shape.setAttribute("stroke-width", round(section.pitch * 0.6));
      const cx = (section.box.minX + section.box.maxX) / 2, cy = (section.box.minY + section.box.maxY) / 2;
      const group = svg("g", { class: `section${sells ? "" : " unsold"}`, "data-section-id": section.id }, shape,
        svg("text", { x: round(cx), y: round(cy), "font-size": fontSize, class: "section-label", "text-anchor": "middle", "dominant-baseline": "middle",
          "aria-hidden": "true" }, section.label.replace(/^Section\s+/i, "")));
      if (sells) {
        group.setAttribute("role", "button");
        group.setAttribute("tabindex", "0");
        group.addEventListener("click", () => zoomTo(section, true));
        group.addEventListener("keydown", event => {
          if (event.key === "Enter" || event.key === " ") { event.preventDefault(); zoomTo(section, true); }
        });
      } else {
        group.setAttribute("aria-hidden", "true");
      }
      section.node = group;
      updateSectionSummary(section);
      return group;
    }));
    title.textContent = "All sections";
    hint.textContent = "Choose a section to see its seats.";
    back.hidden = true;
    sectionSelect.value = "";
    rowsBox.replaceChildren();
  }

  function updateSectionSummary(section) {
    const text = section.version < 0 ? `${section.label}: ${sectionPrices(section)}`
      : `${section.label}: ${sectionPrices(section)}, ${section.free === 0 ? "no seats free" : `${section.free.toLocaleString()} free`}`;
    if (section.node && section.tierIds.length) {
      section.node.setAttribute("aria-label", text);
      const shape = section.node.firstChild;
      shape.classList.toggle("full", section.version >= 0 && section.free === 0);
      shape.classList.toggle("few", section.version >= 0 && section.free > 0 && section.free <= 10);
    }
    const option = [...sectionSelect.options].find(o => o.value === section.id);
    if (option) option.textContent = text;
  }

  // ---- one section's seats ----

  function zoomTo(section, focusSeats) {
    zoomed = section;
    const margin = section.pitch * 1.5;
    canvas.setAttribute("viewBox", viewBox(section.box, margin));
    const radius = round(section.pitch * 0.42);
    seatNodes = new Map();
    const rowLabels = section.rows.map(row => {
      const first = row.seats[0], second = row.seats[1] ?? { x: first.x + section.pitch, y: first.y };
      const length = Math.hypot(second.x - first.x, second.y - first.y) || 1;
      return svg("text", { x: round(first.x - (second.x - first.x) / length * section.pitch), y: round(first.y - (second.y - first.y) / length * section.pitch),
        "font-size": round(section.pitch * 0.7), class: "row-label", "text-anchor": "middle", "dominant-baseline": "middle", "aria-hidden": "true" }, row.label);
    });
    let focusable = null;
    const circles = section.seats.map(seat => {
      const node = svg("circle", { cx: round(seat.x), cy: round(seat.y), r: radius, role: "checkbox", tabindex: "-1", "data-seat-id": seat.id });
      seatNodes.set(seat.id, node);
      paintSeat(seat);
      if (!focusable && stateOf(seat) === FREE) focusable = node;
      return node;
    });
    (focusable ?? circles[0])?.setAttribute("tabindex", "0");
    canvas.replaceChildren(svg("g", { "aria-hidden": "true" }, ...rowLabels), svg("g", { class: "seats" }, ...circles));
    title.textContent = `${section.label} (${sectionPrices(section)})`;
    hint.textContent = "Choose seats by clicking them, or with the arrow keys and Enter or Space.";
    back.hidden = false;
    sectionSelect.value = section.id;
    renderList();
    if (focusSeats) (focusable ?? circles[0])?.focus();
  }

  function paintSeat(seat) {
    const node = seatNodes.get(seat.id);
    const state = stateOf(seat);
    const yours = isYours(seat);
    if (node) {
      node.setAttribute("class", `seat ${yours ? "yours" : stateClass[state]}${seat.accessible ? " accessible" : ""}${seat.restrictedView ? " restricted" : ""}`);
      node.setAttribute("aria-checked", selection.has(seat.id) ? "true" : "false");
      node.setAttribute("aria-disabled", state === FREE || selection.has(seat.id) ? "false" : "true");
      const flags = flagsText(seat);
      node.setAttribute("aria-label", `${seatLabel(seat)}${flags ? `, ${flags}` : ""}, ${yours ? "yours" : stateText[state]}${seat.tierId ? `, ${priceOf(seat)}` : ""}`);
    }
    const box = rowsBox.querySelector(`input[data-seat-id="${CSS.escape(seat.id)}"]`);
    if (box) box.checked = selection.has(seat.id);
  }

  canvas.addEventListener("click", event => {
    const node = event.target.closest?.("circle[data-seat-id]");
    if (!node) return;
    moveFocus(node, false);
    toggle(seatsById.get(node.dataset.seatId));
  });

  canvas.addEventListener("keydown", event => {
    const node = event.target.closest?.("circle[data-seat-id]");
    if (!node || !zoomed) return;
    const seat = seatsById.get(node.dataset.seatId);
    const row = zoomed.rows.findIndex(r => r.label === seat.row);
    const inRow = zoomed.rows[row].seats.indexOf(seat);
    let next;
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); toggle(seat); return; }
    if (event.key === "ArrowRight") next = zoomed.seats[seat.index + 1];
    else if (event.key === "ArrowLeft") next = zoomed.seats[seat.index - 1];
    else if (event.key === "Home") next = zoomed.rows[row].seats[0];
    else if (event.key === "End") next = zoomed.rows[row].seats.at(-1);
    else if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      const other = zoomed.rows[row + (event.key === "ArrowDown" ? 1 : -1)];
      // The nearest seat of the next row, by its place along the row.
      if (other) next = other.seats[Math.min(other.seats.length - 1, Math.round(inRow * other.seats.length / zoomed.rows[row].seats.length))];
    } else return;
    event.preventDefault();
    if (next) moveFocus(seatNodes.get(next.id), true);
  });

  function moveFocus(node, focus) {
    for (const other of canvas.querySelectorAll("circle[tabindex='0']")) other.setAttribute("tabindex", "-1");
    node.setAttribute("tabindex", "0");
    if (focus) node.focus();
  }

  back.addEventListener("click", () => {
    const from = zoomed;
    drawOverview();
    from?.node?.focus();
  });

  sectionSelect.addEventListener("change", () => {
    const section = sectionsById.get(sectionSelect.value);
    if (section) zoomTo(section, false); else drawOverview();
  });

  // ---- the list: free seats of the zoomed section, row by row ----

  function rowFieldset(row) {
    const seats = row.seats.filter(seat => selection.has(seat.id) || stateOf(seat) === FREE);
    if (!seats.length) return null;
    return el("fieldset", { class: "seat-row", "data-row": row.label },
      el("legend", {}, `Row ${row.label}`),
      seats.map(seat => {
        const flags = flagsText(seat);
        const id = `seat-box-${seat.section.id}-${seat.index}`;
        return el("span", { class: "seat-choice" },
          el("input", { type: "checkbox", id, "data-seat-id": seat.id, checked: selection.has(seat.id),
            "aria-label": `${seatLabel(seat)}${flags ? `, ${flags}` : ""}, ${priceOf(seat)}` }),
          el("label", { for: id }, seat.number, seat.accessible ? el("abbr", { title: "wheelchair accessible" }, " ♿") : null,
            seat.restrictedView ? el("abbr", { title: "restricted view" }, " RV") : null));
      }));
  }

  function renderList() {
    if (!zoomed) { rowsBox.replaceChildren(); return; }
    const rows = zoomed.rows.map(rowFieldset).filter(Boolean);
    rowsBox.replaceChildren(...(rows.length ? rows : [el("p", {}, `No seats free in ${zoomed.label}.`)]));
  }

  function refreshList(rowIndexes) {
    const focusedId = document.activeElement?.closest?.("#seat-rows") ? document.activeElement.dataset.seatId : null;
    const indexes = new Set([...rowIndexes].map(i => zoomed.rows.findIndex(r => r.seats[0].rowIndex === i)));
    if ([...indexes].some(i => i < 0) || !rowsBox.querySelector("fieldset")) { renderList(); }
    else {
      for (const i of indexes) {
        const row = zoomed.rows[i];
        const old = rowsBox.querySelector(`fieldset[data-row="${CSS.escape(row.label)}"]`);
        const fresh = rowFieldset(row);
        if (old && fresh) old.replaceWith(fresh);
        else if (old) old.remove();
        else if (fresh) {
          const after = zoomed.rows.slice(i + 1).map(r => rowsBox.querySelector(`fieldset[data-row="${CSS.escape(r.label)}"]`)).find(Boolean);
          rowsBox.insertBefore(fresh, after ?? null);
        }
      }
    }
    if (focusedId) rowsBox.querySelector(`input[data-seat-id="${CSS.escape(focusedId)}"]`)?.focus();
  }

  rowsBox.addEventListener("change", event => {
    const box = event.target.closest?.("input[data-seat-id]");
    if (!box) return;
    const seat = seatsById.get(box.dataset.seatId);
    if (!toggle(seat)) box.checked = selection.has(seat.id);
  });

  // ---- the selection ----

  /** Chooses or drops a seat; false when it cannot be chosen (taken, or the order is full). */
  function toggle(seat) {
    if (!seat) return false;
    hideMessage();
    if (selection.has(seat.id)) {
      selection.delete(seat.id);
      announce(`${seatLabel(seat)} removed. ${selection.size} chosen.`);
    } else if (!onSale) {
      showMessage("Seats are not on sale now.");
      return false;
    } else if (stateOf(seat) !== FREE) {
      announce(`${seatLabel(seat)} is ${stateText[stateOf(seat)]}.`);
      return false;
    } else if (selection.size >= maxPerOrder) {
      showMessage(`At most ${maxPerOrder} seats per order. Remove one to choose another.`);
      return false;
    } else {
      selection.set(seat.id, seat);
      announce(`${seatLabel(seat)} chosen, ${priceOf(seat)}. ${selection.size} chosen.`);
    }
    paintSeat(seat);
    renderSelection();
    return true;
  }

  function renderSelection() {
    const seats = [...selection.values()];
    selectionList.replaceChildren(...seats.map(seat => el("li", { "data-seat-id": seat.id },
      el("span", {}, `${seatLabel(seat)} · ${priceOf(seat)}`), " ",
      el("button", { type: "button", class: "secondary small", "aria-label": `Remove ${seatLabel(seat)}`, onclick: () => toggle(seat) }, "Remove"))));
    selectionEmpty.hidden = seats.length > 0;
    let total = 0, currency = [...tiers.values()][0]?.currency ?? "USD";
    for (const seat of seats) { const tier = tiers.get(seat.tierId); if (tier) { total += tier.priceMinor; currency = tier.currency; } }
    totalBox.textContent = money(total, currency);
    holdButton.disabled = !onSale || holding || seats.length === 0;
    holdButton.textContent = seats.length > 1 ? `Hold these ${seats.length} seats` : seats.length === 1 ? "Hold this seat" : "Hold these seats";
  }

  function showMessage(text, ...extra) {
    message.hidden = false;
    message.replaceChildren(el("p", {}, text), ...extra);
  }

  function hideMessage() {
    message.hidden = true;
    message.replaceChildren();
  }

  // ---- holds ----

  /** Sends the hold; on success remembers its seats (shown as yours) and goes to the hold page. Throws the API's error. */
  async function placeHold(items) {
    const { user } = await session();
    if (!user) { signInAndReturn(); return null; }
    const admitted = highDemand ? admission(eventId) : null;
    if (highDemand && !admitted) { location.assign(`/events/${encodeURIComponent(eventId)}/queue`); return null; }
    const body = { eventId, items, admissionToken: admitted?.token };
    const keyName = `tf-hold:${JSON.stringify(body)}`; // the same choice retried after a network error is the same hold
    try {
      const hold = await api("/api/v1/holds", { method: "POST", body, idempotencyKey: idempotencyKey(keyName) });
      forgetIdempotencyKey(keyName);
      const held = hold.items.flatMap(item => item.seats ?? []).map(seat => seat.id);
      sessionStorage.setItem(`tf-seats:${eventId}`, JSON.stringify({ holdId: hold.holdId, seatIds: held, expiresAt: hold.expiresAt }));
      location.assign(`/holds/${encodeURIComponent(hold.holdId)}`);
      return hold;
    } catch (error) {
      if (error.status === 401) { signInAndReturn(); return null; }
      if (error.code === "not_admitted") forgetAdmission(eventId);
      if (error.status !== 0 && error.status !== 503) forgetIdempotencyKey(keyName); // a definite answer: the next try is a new hold
      throw error;
    }
  }

  holdButton.addEventListener("click", async () => {
    if (selection.size === 0) return;
    hideMessage();
    const byTier = new Map();
    for (const seat of selection.values()) (byTier.get(seat.tierId) ?? byTier.set(seat.tierId, []).get(seat.tierId)).push(seat.id);
    const items = [...byTier].map(([tierId, seats]) => ({ tierId, seats }));
    holding = true;
    holdButton.disabled = true;
    holdButton.textContent = "Holding…";
    try {
      await placeHold(items);
    } catch (error) {
      holding = false;
      if (error.code === "seat_taken") seatsTaken(error.problem?.seatIds ?? []);
      else showMessage(error.message);
      message.focus();
    } finally {
      holding = false;
      renderSelection();
    }
  });

  /** 409 seat_taken: those seats are someone else's now; drop them and offer the best available instead. */
  function seatsTaken(seatIds) {
    const taken = seatIds.map(id => seatsById.get(id)).filter(Boolean);
    const wantedCount = selection.size;
    for (const seat of taken) {
      if (stateOf(seat) === FREE) seat.section.states[seat.index] = HELD; // the next status or delta says which
      selection.delete(seat.id);
    }
    for (const seat of taken) { paintSeat(seat); }
    if (zoomed) refreshList(new Set(taken.filter(s => s.section === zoomed).map(s => s.rowIndex)));
    for (const section of new Set(taken.map(s => s.section))) refreshSection(section, []);
    renderSelection();
    const names = taken.map(seatLabel).join("; ") || "A seat you chose";
    const tierId = taken[0]?.tierId;
    const offer = el("button", { type: "button", class: "secondary", id: "offer-best", onclick: () => {
      const tierSelect = document.getElementById("best-tier"), quantity = document.getElementById("best-quantity");
      if (tierId && [...tierSelect.options].some(o => o.value === tierId)) tierSelect.value = tierId;
      const count = String(Math.max(1, Math.min(wantedCount, quantity.options.length)));
      if ([...quantity.options].some(o => o.value === count)) quantity.value = count;
      tierSelect.focus();
      bestForm.scrollIntoView({ block: "nearest" });
    } }, "Find the best available instead");
    showMessage(`Sorry: ${names} ${taken.length === 1 ? "was" : "were"} just taken by someone else, so nothing was held. ` +
      `${taken.length === 1 ? "It is" : "They are"} no longer in your selection: choose other seats, or let us pick the best available.`, el("p", {}, offer));
    loadStatus();
  }

  bestForm.addEventListener("submit", async event => {
    event.preventDefault();
    bestError.hidden = true;
    const tierId = document.getElementById("best-tier").value;
    const quantity = Number(document.getElementById("best-quantity").value);
    const together = document.getElementById("best-together").checked;
    bestButton.disabled = true;
    bestButton.textContent = "Finding seats…";
    try {
      await placeHold([{ tierId, quantity, together }]);
    } catch (error) {
      bestError.hidden = false;
      bestError.textContent = error.code === "not_together"
        ? `No row has ${quantity} seats free side by side. Untick "Seats together" to take seats in neighbouring rows.`
        : error.message;
      bestError.focus();
    } finally {
      bestButton.disabled = !onSale;
      bestButton.textContent = "Hold the best available";
    }
  });

  bestButton.disabled = !onSale;
  renderSelection();

  return { applySeats, resync: () => { loadStatus(); } };
}

/** The seats of this tab's last hold on the event, while it lasts: drawn as yours. */
function rememberedHold() {
  try {
    const eventId = document.getElementById("event").dataset.eventId;
    const stored = JSON.parse(sessionStorage.getItem(`tf-seats:${eventId}`) ?? "null");
    if (!stored || Date.parse(stored.expiresAt) <= Date.now()) return new Set();
    return new Set(stored.seatIds);
  } catch {
    return new Set();
  }
}
