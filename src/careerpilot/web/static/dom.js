// Tiny DOM helpers. Text always goes in as text nodes: nothing from the server or the network
// is ever parsed as HTML.

/**
 * Create an element. `attrs`: attributes (`class`, `aria-*`, `data-*`...), plus `text` (set as
 * textContent), `on` ({event: handler}) and `props` (DOM properties). `children`: nodes, strings
 * (text nodes) and null/false (skipped), possibly nested in arrays.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") el.textContent = String(value);
    else if (name === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (name === "props") Object.assign(el, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Only http(s) and same-origin relative links become hrefs (no `javascript:` URLs). */
export function safeUrl(url) {
  if (typeof url !== "string" || !url) return null;
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

const numberFormat = new Intl.NumberFormat("en-US");
export const formatNumber = (n) => (typeof n === "number" ? numberFormat.format(n) : String(n ?? ""));

export function formatDate(value) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleDateString("en-US", { year: "numeric", month: "short", day: "numeric" });
}

export function humanize(name) {
  const text = String(name ?? "").replace(/[_-]+/g, " ").trim();
  return text ? text[0].toUpperCase() + text.slice(1) : "";
}
