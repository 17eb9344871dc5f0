// Shared by every page: who is signed in (an uncached call: the pages themselves are cached and the same for everyone),
// calls to the REST API with the antiforgery token, money and time formatting, and the aria-live announcer.

let sessionPromise;

/** {user: {id, name, email, roles} | null, antiforgeryToken} — fetched once per page. */
export function session() {
  sessionPromise ??= fetch("/api/v1/auth/session", { credentials: "same-origin", cache: "no-store" })
    .then(r => r.ok ? r.json() : { user: null, antiforgeryToken: "" })
    .catch(() => ({ user: null, antiforgeryToken: "" }));
  return sessionPromise;
}

/** A problem-details answer (or a network failure: status 0). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || (status === 0 ? "The network failed. Try again." : `The server answered ${status}.`));
    this.status = status;
    this.code = problem?.code ?? (status === 0 ? "network" : "error");
    this.errors = problem?.errors ?? {};
    this.problem = problem;
  }
}

/**
 * Calls the API as the signed-in fan (the session cookie) and returns the parsed JSON (or null for 204).
 * Every change carries the antiforgery token; `idempotencyKey` goes in the Idempotency-Key header (purchase calls).
 * Returns {body, response} when `withResponse` is set (the hold page reads the server's Date header).
 */
export async function api(path, { method = "GET", body, idempotencyKey, withResponse = false } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-TOKEN"] = (await session()).antiforgeryToken;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, null);
  }
  const text = await response.text();
  const parsed = text ? safeJson(text) : null;
  if (!response.ok) throw new ApiError(response.status, parsed);
  return withResponse ? { body: parsed, response } : parsed;
}

function safeJson(text) {
  try { return JSON.parse(text); } catch { return null; }
}

/** Sends the fan to sign in and back here. */
export function signInAndReturn() {
  location.assign(`/account/signin?returnUrl=${encodeURIComponent(location.pathname + location.search)}`);
}

const moneyFormats = new Map();
export function money(minor, currency) {
  if (!currency) return String(minor / 100);
  let format = moneyFormats.get(currency);
  if (!format) moneyFormats.set(currency, format = new Intl.NumberFormat(undefined, { style: "currency", currency }));
  return format.format(minor / 100);
}

export function localTime(iso) {
  return new Date(iso).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** Tells screen readers about a change (the layout's aria-live region). */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  requestAnimationFrame(() => { region.textContent = text; });
}

/** Builds an element: el("p", {class: "muted"}, "text", child…). Text is always text (never parsed as HTML). */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child != null && child !== false) element.append(child instanceof Node ? child : String(child));
  return element;
}

/** A new Idempotency-Key, kept in sessionStorage under `name` until `forget`: a retry after a network error sends the same key. */
export function idempotencyKey(name) {
  const stored = sessionStorage.getItem(name);
  if (stored) return stored;
  const key = crypto.randomUUID();
  sessionStorage.setItem(name, key);
  return key;
}

export function forgetIdempotencyKey(name) {
  sessionStorage.removeItem(name);
}

/** Shows field errors of a 400 next to their inputs (inputs carry data-field="name"), and a summary in `summary`. */
export function showErrors(form, error, summary) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  for (const [field, messages] of Object.entries(error.errors ?? {})) {
    const input = form.querySelector(`[data-field="${CSS.escape(field)}"]`) ?? form.querySelector(`[data-field="${CSS.escape(field.split(/[.[]/)[0])}"]`);
    if (!input) continue;
    const id = `${input.id || field}-error`;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.after(el("p", { class: "field-error", id }, messages.join(" ")));
  }
  if (summary) {
    summary.hidden = false;
    summary.textContent = error.message;
    summary.focus?.();
  }
}

async function fillAccount() {
  const area = document.getElementById("account");
  if (!area) return;
  const { user } = await session();
  const here = encodeURIComponent(location.pathname + location.search);
  if (user) {
    area.replaceChildren(
      el("a", { href: "/account" }, user.name || user.email || "Account"),
      el("button", { type: "button", onclick: signOut }, "Sign out"));
    if (user.roles.includes("admin")) for (const item of document.querySelectorAll("[data-admin-only]")) item.hidden = false;
  } else {
    area.replaceChildren(el("a", { href: `/account/signin?returnUrl=${here}` }, "Sign in"), el("a", { href: `/account/signup?returnUrl=${here}` }, "Sign up"));
  }
}

async function signOut() {
  try { await api("/api/v1/auth/logout", { method: "POST" }); } catch { /* signed out already */ }
  location.assign("/");
}

fillAccount();
