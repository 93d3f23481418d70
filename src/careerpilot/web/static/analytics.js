// The analytics page (/analytics): turns, TTFT percentiles and errors over the last hour, from
// GET /v1/analytics (computed from the stored answers, so every replica's turns count), drawn
// as inline SVG and refreshed every few seconds. No build step, no chart library.
//
// Query parameters: window_s (default 3600), refresh_ms (default 5000).

import { loadSession, saveSession } from "./session.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const HEIGHT = 180;
const MARGIN = { top: 10, right: 10, bottom: 22, left: 44 };

const params = new URLSearchParams(window.location.search);
const windowS = clampInt(params.get("window_s"), 3600, 60, 7 * 24 * 3600);
const refreshMs = clampInt(params.get("refresh_ms"), 5000, 500, 600_000);

const $ = (id) => document.getElementById(id);

const state = { session: null, timer: null, loading: false, updates: 0 };

function clampInt(raw, fallback, low, high) {
  const value = Number.parseInt(raw ?? "", 10);
  return Number.isFinite(value) ? Math.min(Math.max(value, low), high) : fallback;
}

// ---------------------------------------------------------------------------------------------
// Session


function showSignIn(message = "", { forget = true } = {}) {
  stopPolling();
  state.session = null;
  // A member who is not an operator stays signed in to the assistant (same tab's session).
  if (forget) saveSession(null);
  $("dashboard").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in-form").hidden = false;
  $("sign-in-error").textContent = message;
  $("member-id").focus();
}

async function signIn(event) {
  event.preventDefault();
  const memberId = Number.parseInt($("member-id").value, 10);
  if (!Number.isFinite(memberId) || memberId < 1) {
    $("sign-in-error").textContent = "Enter a member id (a whole number from 1).";
    return;
  }
  $("sign-in").disabled = true;
  try {
    const response = await fetch("/v1/dev/sign-in", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ member_id: memberId }),
    });
    if (!response.ok) throw new Error(response.status === 404 ? "No such member." : `The server answered ${response.status}.`);
    state.session = await response.json();
    saveSession(state.session);
    $("sign-in-form").hidden = true;
    start();
  } catch (error) {
    $("sign-in-error").textContent = error.message || "Could not sign in.";
  } finally {
    $("sign-in").disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Polling

function start() {
  $("sign-out").hidden = false;
  $("dashboard").hidden = false;
  refresh();
}

function stopPolling() {
  if (state.timer !== null) window.clearTimeout(state.timer);
  state.timer = null;
}

async function refresh() {
  stopPolling();
  if (!state.session || state.loading) return;
  state.loading = true;
  try {
    const response = await fetch(`/v1/analytics?window_s=${windowS}`, {
      headers: { Accept: "application/json", Authorization: `Bearer ${state.session.token}` },
    });
    if (response.status === 401) {
      showSignIn("Your session has expired. Please sign in again.");
      return;
    }
    if (response.status === 403) {
      // Signed in, but not an operator: polling again will not change that.
      showSignIn("This member is not an operator. Sign in as a member listed in [server] operators.", { forget: false });
      return;
    }
    if (!response.ok) throw new Error(`The server answered ${response.status}.`);
    render(await response.json());
    $("load-error").textContent = "";
  } catch (error) {
    $("load-error").textContent = error?.message?.startsWith("The server")
      ? error.message
      : "The server cannot be reached; retrying.";
  } finally {
    state.loading = false;
    if (state.session) state.timer = window.setTimeout(refresh, refreshMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

const ms = (value) => (value === null || value === undefined ? "—" : `${Math.round(value).toLocaleString("en-US")} ms`);

function render(data) {
  state.updates += 1;
  document.body.dataset.updates = String(state.updates);
  $("tile-turns").textContent = data.turns.toLocaleString("en-US");
  const errors = data.outcomes.error ?? 0;
  const rate = data.error_rate === null ? "" : ` (${(data.error_rate * 100).toFixed(1)}%)`;
  $("tile-errors").textContent = `${errors}${rate}`;
  $("tile-interrupted").textContent = String(data.outcomes.interrupted ?? 0);
  $("tile-p50").textContent = ms(data.ttft_ms.p50);
  $("tile-p95").textContent = ms(data.ttft_ms.p95);
  $("tile-p99").textContent = ms(data.ttft_ms.p99);
  $("window-label").textContent = describeSeconds(data.window_s);
  for (const label of document.querySelectorAll(".bucket-label")) label.textContent = describeSeconds(data.bucket_s, true);

  const rows = Object.entries(data.agents).map(([agent, count]) => {
    const tr = document.createElement("tr");
    tr.dataset.agent = agent;
    const name = document.createElement("td");
    name.textContent = agent;
    const value = document.createElement("td");
    value.textContent = String(count);
    tr.append(name, value);
    return tr;
  });
  if (!rows.length) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 2;
    td.className = "muted";
    td.textContent = "No turns yet.";
    tr.append(td);
    rows.push(tr);
  }
  $("agent-rows").replaceChildren(...rows);

  const buckets = data.buckets;
  $("chart-turns").replaceChildren(
    barChart(buckets, ["complete", "error", "interrupted"], `Turns per bucket: ${data.turns} in all`),
  );
  $("chart-latency").replaceChildren(lineChart(buckets, ["p50", "p95", "p99"]));
  $("chart-errors").replaceChildren(barChart(buckets, ["error"], `Errors per bucket: ${errors} in all`));
  const time = new Date(data.until).toLocaleTimeString("en-GB");
  $("updated").textContent = `Updated ${time} · every ${refreshMs / 1000} s`;
}

function describeSeconds(seconds, singular = false) {
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
  return singular && seconds === 1 ? "second" : `${seconds} seconds`;
}

function el(name, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function frame(label, maxValue, buckets, format) {
  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": label });
  svg.append(el("title", {}, label));
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  for (const fraction of [0, 0.5, 1]) {
    const y = MARGIN.top + plotH * (1 - fraction);
    svg.append(el("line", { class: fraction === 0 ? "ay-axis" : "ay-grid", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y }));
    svg.append(el("text", { class: "ay-tick", x: MARGIN.left - 4, y: y + 3, "text-anchor": "end" }, format(maxValue * fraction)));
  }
  if (buckets.length) {
    const first = new Date(buckets[0].start);
    const last = new Date(buckets[buckets.length - 1].start);
    const hhmm = (d) => d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    svg.append(el("text", { class: "ay-tick", x: MARGIN.left, y: HEIGHT - 6 }, hhmm(first)));
    svg.append(el("text", { class: "ay-tick", x: WIDTH - MARGIN.right, y: HEIGHT - 6, "text-anchor": "end" }, hhmm(last)));
  }
  return svg;
}

function barChart(buckets, kinds, label) {
  const totals = buckets.map((b) => kinds.reduce((sum, kind) => sum + (kind === "error" ? b.errors : b[kind]), 0));
  const maxValue = niceMax(Math.max(0, ...totals));
  const svg = frame(label, maxValue, buckets, (v) => String(Math.round(v * 10) / 10));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotW / Math.max(buckets.length, 1);
  const bars = el("g", { class: "ay-bars" });
  buckets.forEach((bucket, index) => {
    let base = 0;
    for (const kind of kinds) {
      const count = kind === "error" ? bucket.errors : bucket[kind];
      if (!count) continue;
      const height = (count / maxValue) * plotH;
      const rect = el("rect", {
        class: `ay-bar-${kind}`,
        x: MARGIN.left + index * slot + slot * 0.1,
        y: MARGIN.top + plotH - base - height,
        width: Math.max(slot * 0.8, 1),
        height,
        "data-kind": kind,
        "data-count": count,
        "data-start": bucket.start,
      });
      rect.append(el("title", {}, `${new Date(bucket.start).toLocaleTimeString("en-GB")}: ${count} ${kind}`));
      bars.append(rect);
      base += height;
    }
  });
  svg.append(bars);
  if (!totals.some((t) => t > 0)) {
    svg.append(el("text", { class: "ay-empty", x: WIDTH / 2, y: HEIGHT / 2, "text-anchor": "middle" }, "No turns in this window"));
  }
  return svg;
}

function lineChart(buckets, quantiles) {
  const values = buckets.flatMap((b) => quantiles.map((q) => b.ttft_ms[q]).filter((v) => v !== null));
  const maxValue = niceMax(Math.max(0, ...values));
  const label = "Time to first token per bucket: p50, p95 and p99";
  const svg = frame(label, maxValue, buckets, (v) => Math.round(v).toLocaleString("en-US"));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotW / Math.max(buckets.length, 1);
  for (const q of quantiles) {
    const points = [];
    const group = el("g", { class: `ay-series`, "data-quantile": q });
    buckets.forEach((bucket, index) => {
      const value = bucket.ttft_ms[q];
      if (value === null || value === undefined) return;
      const x = MARGIN.left + index * slot + slot / 2;
      const y = MARGIN.top + plotH - (value / maxValue) * plotH;
      points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
      const dot = el("circle", { class: `ay-dot-${q}`, cx: x, cy: y, r: 2.5, "data-value": value, "data-start": bucket.start });
      dot.append(el("title", {}, `${q} ${Math.round(value)} ms`));
      group.append(dot);
    });
    if (points.length > 1) group.prepend(el("polyline", { class: `ay-line ay-line-${q}`, points: points.join(" ") }));
    svg.append(group);
  }
  if (!values.length) {
    svg.append(el("text", { class: "ay-empty", x: WIDTH / 2, y: HEIGHT / 2, "text-anchor": "middle" }, "No generated answers in this window"));
  }
  return svg;
}

// ---------------------------------------------------------------------------------------------

$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", () => showSignIn(""));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.session) refresh();
});

state.session = loadSession();
if (state.session) start();
else showSignIn("");
