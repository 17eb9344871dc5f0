// The admin's venue layouts: a pasted or uploaded layout JSON becomes POST /api/v1/venues (a new venue) or
// PUT /api/v1/venues/{id}/layout (its next version); a refusal lists every field error the API named.
import { api, el, showErrors } from "./site.js";

const form = document.getElementById("venue-form");
const venueId = form.dataset.venueId;
const errorBox = document.getElementById("form-error");
const errorList = document.getElementById("layout-errors");
const pasted = document.getElementById("layout-json");
const file = document.getElementById("layout-file");
const value = id => document.getElementById(id).value.trim();

function listErrors(errors) {
  const list = errorList.querySelector("ul");
  list.replaceChildren(...Object.entries(errors).map(([field, messages]) => el("li", {}, el("code", {}, field), ": ", messages.join(" "))));
  errorList.hidden = list.children.length === 0;
}

async function sections() {
  const text = file.files.length > 0 ? await file.files[0].text() : pasted.value;
  if (!text.trim()) throw { errors: { sections: ["Paste a layout or choose a file."] } };
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw { errors: { sections: [`Not JSON: ${error.message}`] } };
  }
  return Array.isArray(parsed) ? parsed : parsed.sections;
}

form.addEventListener("submit", async event => {
  event.preventDefault();
  listErrors({});
  pasted.removeAttribute("aria-invalid");
  try {
    const layout = await sections();
    const saved = venueId
      ? await api(`/api/v1/venues/${encodeURIComponent(venueId)}/layout`, { method: "PUT", body: { sections: layout } })
      : await api("/api/v1/venues", { method: "POST", body: { name: value("name"), city: value("city"), address: value("address"), sections: layout } });
    location.assign(`/admin/venues/${encodeURIComponent(saved.venueId)}?version=${saved.layoutVersion}`);
  } catch (error) {
    const errors = error.errors ?? {};
    listErrors(errors);
    // The layout's errors are listed above (there may be many); the venue's own fields get theirs beside them.
    const own = Object.fromEntries(Object.entries(errors).filter(([field]) => !field.startsWith("sections")));
    showErrors(form, { message: error.message ?? "The layout was refused.", errors: own }, errorBox);
    if (Object.keys(own).length < Object.keys(errors).length) pasted.setAttribute("aria-invalid", "true");
  }
});
