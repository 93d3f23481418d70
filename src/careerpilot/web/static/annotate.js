// The annotation page (/annotate): one answer at a time from the annotator's queue, a rubric
// of four 1–5 scores, a Responsible-AI flag and a comment, the guidelines beside it and the
// agreement figures below them. Items follow each other in place: no page reloads.
//
// Keyboard (as the guidelines say): q/g/c/s choose a dimension and 1–5 scores it (digits
// alone score the current one), ↑/↓ or Tab move between dimensions, r toggles the RAI flag,
// m focuses the comment, Enter submits.
//
// Nothing from the server is parsed as HTML: text goes in as text nodes, the guidelines'
// Markdown through a tiny renderer that builds elements.

import { loadSession, saveSession } from "./session.js";

const BATCH = 20;

const DIMENSIONS = [
  { key: "quality", name: "Quality", shortcut: "q", hint: "Does what the member asked, correctly and helpfully?" },
  { key: "groundedness", name: "Groundedness", shortcut: "g", hint: "Every claim backed by the cards or sources?" },
  { key: "coherence", name: "Coherence", shortcut: "c", hint: "Clear and well ordered, no repetition or contradiction?" },
  { key: "style", name: "Style and empathy", shortcut: "s", hint: "Professional, warm, encouraging and concise?" },
];

const $ = (id) => document.getElementById(id);

const state = {
  session: null, // {token, member_id, name}
  guidelines: null, // {version, markdown}
  batch: [],
  index: 0,
  current: 0, // the dimension digits score
  submitting: false,
  labelled: 0, // this session
  agreementToken: 0,
};

// Cards: the chat page's renderer when it loads, else a plain one (type and `text`).
let renderComponent = null;
const cardsReady = import("./render.js")
  .then((module) => {
    if (typeof module.renderComponent === "function") renderComponent = module.renderComponent;
  })
  .catch(() => {});

// ---------------------------------------------------------------------------------------------
// DOM helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") el.textContent = String(value);
    else if (name === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const humanize = (name) => {
  const text = String(name ?? "").replace(/[_.-]+/g, " ").trim();
  return text ? text[0].toUpperCase() + text.slice(1) : "";
};

const format = (value) => (value === null || value === undefined ? "—" : Number(value).toFixed(2));

// ---------------------------------------------------------------------------------------------
// API

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function sentence(text) {
  const trimmed = String(text).trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (state.session?.token) headers.Authorization = `Bearer ${state.session.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new HttpError(0, "The server cannot be reached. Check your connection and try again.");
  }
  if (!response.ok) {
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    const fallback = {
      401: "Please sign in again.",
      404: "This answer is no longer in the queue.",
      422: "The label was not accepted.",
    }[response.status];
    const message = payload?.error?.message;
    throw new HttpError(response.status, message ? sentence(message) : fallback || `The server answered ${response.status}.`);
  }
  return response.status === 204 ? null : response.json();
}

/** A 401: the token expired or is invalid. Sign out and say so; true if handled. */
function handledAuth(error) {
  if (error instanceof HttpError && error.status === 401) {
    signOut("Your session has expired. Please sign in again.");
    return true;
  }
  return false;
}

function showError(id, error) {
  const box = $(id);
  box.replaceChildren();
  if (error) box.append(h("p", { text: typeof error === "string" ? error : error.message || "Something went wrong." }));
}

// ---------------------------------------------------------------------------------------------
// Session


function showSignedIn(signedIn) {
  $("signed-in").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  $("signed-out").hidden = signedIn;
  $("sign-in-form").hidden = signedIn;
  $("workspace").hidden = !signedIn;
  if (signedIn) {
    const { name, member_id: id } = state.session;
    $("member-name").textContent = name === `member ${id}` ? name : `${name} (member ${id})`;
  }
}

async function signIn(memberId) {
  showError("sign-in-error", null);
  const button = $("sign-in");
  button.disabled = true;
  try {
    const session = await call("POST", "/v1/dev/sign-in", { member_id: memberId });
    state.session = { token: session.token, member_id: session.member_id, name: session.name };
    saveSession(state.session);
    await enter();
  } catch (error) {
    showError("sign-in-error", error);
  } finally {
    button.disabled = false;
  }
}

function signOut(message = null) {
  state.session = null;
  state.batch = [];
  state.index = 0;
  saveSession(null);
  showSignedIn(false);
  showError("sign-in-error", message);
  $("member-id").focus();
}

// ---------------------------------------------------------------------------------------------
// Start

async function enter() {
  showSignedIn(true);
  state.labelled = 0;
  $("status").textContent = "";
  showLoading();
  const guidelines = loadGuidelines();
  loadAgreement();
  await Promise.all([guidelines, loadBatch()]);
  if (state.session && currentItem()) focusFirstControl();
}

async function loadGuidelines() {
  try {
    state.guidelines = await call("GET", "/v1/annotate/guidelines");
    $("guidelines-version").textContent = state.guidelines.version;
    $("guidelines-body").replaceChildren(...renderMarkdown(state.guidelines.markdown));
  } catch (error) {
    if (handledAuth(error)) return;
    $("guidelines-body").replaceChildren(h("p", { class: "muted", text: "The guidelines could not be loaded." }));
    showError("queue-error", error);
  }
}

// ---------------------------------------------------------------------------------------------
// The queue

function currentItem() {
  return state.batch[state.index] ?? null;
}

function showLoading() {
  $("loading").hidden = false;
  $("item-body").hidden = true;
  $("empty").hidden = true;
  $("rubric").hidden = true;
  $("progress").textContent = "";
}

async function loadBatch() {
  showError("queue-error", null);
  try {
    const items = await call("GET", `/v1/annotate/queue?limit=${BATCH}`);
    if (!state.session) return;
    state.batch = Array.isArray(items) ? items : [];
    state.index = 0;
  } catch (error) {
    if (handledAuth(error)) return;
    $("loading").hidden = true;
    showError("queue-error", error);
    return;
  }
  await showItem();
}

async function showItem() {
  const item = currentItem();
  $("loading").hidden = true;
  if (!item) {
    $("item-body").hidden = true;
    $("rubric").hidden = true;
    $("empty").hidden = false;
    $("progress").textContent = "";
    return;
  }
  await cardsReady;
  $("empty").hidden = true;
  $("item").dataset.itemId = item.id;
  $("progress").textContent = `${state.index + 1} of ${state.batch.length} in this batch`;
  const labels = item.labels === 1 ? "1 label so far" : `${item.labels} labels so far`;
  $("item-meta").textContent = [`Case ${item.case_id}`, item.agent ? humanize(item.agent) : null, labels]
    .filter(Boolean)
    .join(" · ");
  $("item-question").textContent = item.question;
  renderAnswer(item.answer);
  renderComponents(item);
  $("judge-slot").replaceChildren(renderJudge(item));
  resetRubric();
  $("item-body").hidden = false;
  $("rubric").hidden = false;
}

function renderAnswer(text) {
  const box = $("item-answer");
  const paragraphs = String(text ?? "")
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  box.replaceChildren(
    ...(paragraphs.length ? paragraphs.map((p) => h("p", { text: p })) : [h("p", { class: "muted", text: "(no text: the answer is its cards)" })]),
  );
}

function renderComponents(item) {
  const answer = String(item.answer ?? "").trim();
  const shown = (Array.isArray(item.components) ? item.components : []).filter((c) => {
    if (!c || typeof c !== "object") return false;
    // The streamed answer is itself a text component: it is already shown above.
    if (c.type === "text") return Boolean(c.text) && String(c.text).trim() !== answer;
    return true;
  });
  $("item-cards").hidden = shown.length === 0;
  $("item-components").replaceChildren(...shown.map(renderCard));
}

function renderCard(component) {
  const type = typeof component.type === "string" ? component.type : "unknown";
  const text = typeof component.text === "string" ? component.text : "";
  let body = null;
  if (renderComponent && type !== "suggestion_chips") {
    try {
      body = renderComponent(component, { live: false });
    } catch {
      body = null;
    }
  }
  if (type === "suggestion_chips" && Array.isArray(component.chips)) {
    body = h("ul", { class: "an-chips" }, component.chips.map((chip) => h("li", { text: chip })));
  }
  body ??= h("p", { class: "an-card-text", text: text || "(this card has no text)" });
  return h(
    "figure",
    { class: "an-component", "data-component-type": type },
    h("figcaption", { class: "an-type", text: type }),
    body,
    text && renderComponent && type !== "suggestion_chips"
      ? h("details", { class: "an-text-version" }, h("summary", { text: "Text version (what the judge read)" }), h("p", { text }))
      : null,
  );
}

function renderJudge(item) {
  const entries = Object.entries(item.judge ?? {});
  const rows = entries.map(([name, value]) => {
    const key = name.replace(/^judge\./, "");
    let shown;
    if (value === null || value === undefined) shown = "no score";
    else if (key === "rai_violation" || key === "unparsed") shown = value ? "yes" : "no";
    else shown = Number.isInteger(value) ? String(value) : Number(value).toFixed(2);
    const label = key === "rai_violation" ? "RAI violation" : (DIMENSIONS.find((d) => d.key === key)?.name ?? humanize(key));
    return [h("dt", { text: label }), h("dd", { "data-judge": key, text: shown })];
  });
  return h(
    "details",
    { class: "an-judge", id: "judge-view" },
    h("summary", { text: "Judge's view" }),
    h("p", { class: "muted small", text: "The automatic judge's scores. Collapsed so that they do not sway yours: score first, then compare." }),
    rows.length ? h("dl", { class: "an-judge-scores" }, rows) : h("p", { class: "muted small", text: "The judge gave no readable scores." }),
    h("p", { class: "muted small", text: `Priority ${Number(item.priority ?? 0).toFixed(2)}: how unsure or contradicted the judge is here.` }),
  );
}

// ---------------------------------------------------------------------------------------------
// Rubric

function buildRubric() {
  const box = $("dimensions");
  box.replaceChildren(
    ...DIMENSIONS.map((dim, index) =>
      h(
        "fieldset",
        {
          class: "an-dimension",
          id: `dim-${dim.key}`,
          "data-dimension": dim.key,
          "aria-describedby": `hint-${dim.key}`,
          "aria-keyshortcuts": dim.shortcut,
        },
        h("legend", {}, h("span", { class: "an-dim-name", text: dim.name }), " ", h("kbd", { "aria-hidden": "true", text: dim.shortcut })),
        h("p", { class: "muted small an-dim-hint", id: `hint-${dim.key}`, text: dim.hint }),
        h(
          "div",
          { class: "an-scale" },
          [1, 2, 3, 4, 5].map((score) =>
            h(
              "span",
              { class: "an-choice" },
              h("input", {
                type: "radio",
                name: dim.key,
                id: `${dim.key}-${score}`,
                value: score,
                on: { change: () => onScored(index) },
              }),
              h("label", { for: `${dim.key}-${score}`, text: score }),
            ),
          ),
        ),
      ),
    ),
  );
}

function radios(index) {
  return [...$("dimensions").querySelectorAll(`input[name="${DIMENSIONS[index].key}"]`)];
}

function setCurrent(index) {
  state.current = Math.max(0, Math.min(DIMENSIONS.length - 1, index));
  DIMENSIONS.forEach((dim, i) => $(`dim-${dim.key}`).classList.toggle("is-current", i === state.current));
}

/** Make a dimension current and focus its chosen score (or its first). */
function selectDimension(index) {
  setCurrent(index);
  const group = radios(state.current);
  (group.find((r) => r.checked) ?? group[0]).focus();
}

function setScore(index, score) {
  setCurrent(index);
  const radio = radios(state.current)[score - 1];
  radio.checked = true;
  radio.focus();
  onScored(state.current);
}

function onScored(index) {
  setCurrent(index);
  if (missingDimensions().length === 0) showError("rubric-error", null);
}

function missingDimensions() {
  return DIMENSIONS.filter((_dim, i) => !radios(i).some((r) => r.checked));
}

function resetRubric() {
  $("rubric").reset();
  showError("rubric-error", null);
  setCurrent(0);
}

function focusFirstControl() {
  setCurrent(0);
  radios(0)[0].focus();
}

async function submit() {
  const item = currentItem();
  if (state.submitting || !item) return;
  const missing = missingDimensions();
  if (missing.length) {
    const names = missing.map((d) => d.name);
    const list = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names[0];
    showError("rubric-error", `Score every dimension: ${list} ${names.length > 1 ? "are" : "is"} missing.`);
    selectDimension(DIMENSIONS.indexOf(missing[0]));
    return;
  }
  if (!state.guidelines) {
    showError("rubric-error", "The guidelines could not be loaded, so the label cannot record their version. Reload the page.");
    return;
  }
  const label = { rai_violation: $("rai").checked, comment: $("comment").value.trim(), guidelines: state.guidelines.version };
  DIMENSIONS.forEach((dim, i) => {
    label[dim.key] = Number(radios(i).find((r) => r.checked).value);
  });
  state.submitting = true;
  $("submit").disabled = true;
  $("status").textContent = "Saving…";
  showError("rubric-error", null);
  try {
    await call("POST", `/v1/annotate/items/${encodeURIComponent(item.id)}/labels`, label);
  } catch (error) {
    $("status").textContent = "";
    if (!handledAuth(error)) {
      showError("rubric-error", error);
      $("submit").focus();
    }
    return;
  } finally {
    state.submitting = false;
    $("submit").disabled = false;
  }
  state.labelled += 1;
  $("status").textContent = `Saved. ${state.labelled} labelled in this session.`;
  loadAgreement();
  await next();
}

async function next() {
  state.index += 1;
  if (state.index < state.batch.length) await showItem();
  else {
    showLoading();
    await loadBatch();
  }
  if (currentItem()) focusFirstControl();
  else $("check-again").focus();
}

// ---------------------------------------------------------------------------------------------
// Keyboard

const TEXT_INPUTS = new Set(["text", "number", "search", "email", "password", "url", "tel"]);

function isTextEntry(el) {
  if (!el || !(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  return el.tagName === "INPUT" && TEXT_INPUTS.has(el.type);
}

function onKeyDown(event) {
  if ($("rubric").hidden || !currentItem()) return;
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  const target = event.target;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key; // Caps Lock too
  if (target === $("comment")) {
    if (key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      if (!event.repeat) submit();
    } else if (key === "Escape") {
      event.preventDefault();
      selectDimension(state.current);
    }
    return;
  }
  if (isTextEntry(target)) return;
  const dimension = DIMENSIONS.findIndex((d) => d.shortcut === key);
  if (dimension >= 0) {
    event.preventDefault();
    selectDimension(dimension);
  } else if (/^[1-5]$/.test(key)) {
    event.preventDefault();
    setScore(state.current, Number(key));
  } else if (key === "r") {
    event.preventDefault();
    $("rai").checked = !$("rai").checked;
  } else if (key === "m") {
    event.preventDefault();
    $("comment").focus();
  } else if ((key === "ArrowDown" || key === "ArrowUp") && target.type === "radio" && $("dimensions").contains(target)) {
    // ←/→ keep their native meaning inside a group (the previous or next score).
    event.preventDefault();
    selectDimension(state.current + (key === "ArrowDown" ? 1 : -1));
  } else if (key === "Enter") {
    // Buttons, links and disclosure summaries keep Enter for themselves.
    if (target.closest?.("button, a[href], summary")) return;
    event.preventDefault();
    if (!event.repeat) submit();
  }
}

// ---------------------------------------------------------------------------------------------
// Agreement

async function loadAgreement() {
  const token = ++state.agreementToken;
  try {
    const figures = await call("GET", "/v1/annotate/agreement");
    if (token !== state.agreementToken) return;
    showError("agreement-error", null);
    renderAgreement(figures);
  } catch (error) {
    if (token !== state.agreementToken || handledAuth(error)) return;
    showError("agreement-error", error);
  }
}

function renderAgreement(figures) {
  const dims = Object.keys(figures.alpha ?? {});
  $("agreement-rows").replaceChildren(
    ...dims.map((dim) => {
      const n = figures.judge_n?.[dim] ?? 0;
      return h(
        "tr",
        { "data-dimension": dim },
        h("th", { scope: "row", text: DIMENSIONS.find((d) => d.key === dim)?.name ?? humanize(dim) }),
        h("td", { "data-metric": "alpha", text: format(figures.alpha[dim]) }),
        h("td", { "data-metric": "kappa" }, format(figures.judge_kappa?.[dim]), h("span", { class: "muted small", text: ` n=${n}` })),
      );
    }),
  );
  const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
  $("agreement-summary").textContent =
    `${plural(figures.labels ?? 0, "label")} on ${plural(figures.items_labelled ?? 0, "answer")} ` +
    `by ${plural(figures.annotators ?? 0, "annotator")}.`;
}

// ---------------------------------------------------------------------------------------------
// Guidelines: a tiny Markdown renderer (headings, lists, paragraphs, **bold**, *em*, `code`)

function inline(text) {
  const out = [];
  const pattern = /\*\*([^*]+)\*\*|`([^`]+)`|\*([^*\s][^*]*)\*/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    if (match[1] !== undefined) out.push(h("strong", { text: match[1] }));
    else if (match[2] !== undefined) out.push(h("code", { text: match[2] }));
    else out.push(h("em", { text: match[3] }));
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function renderMarkdown(markdown) {
  const blocks = [];
  let paragraph = null;
  let list = null;
  let item = null;
  for (const raw of String(markdown ?? "").replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim();
    if (!line) {
      paragraph = list = item = null;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      paragraph = list = item = null;
      // The panel's own title is an h2: the document's headings sit below it.
      blocks.push(h(`h${Math.min(6, heading[1].length + 2)}`, {}, inline(heading[2])));
      continue;
    }
    const bullet = /^([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (bullet) {
      const tag = /^\d/.test(bullet[1]) ? "ol" : "ul";
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = h(tag);
        blocks.push(list);
      }
      item = h("li", {}, inline(bullet[2]));
      list.append(item);
      paragraph = null;
      continue;
    }
    const target = item ?? paragraph;
    if (target) target.append(" ", ...inline(line));
    else {
      paragraph = h("p", {}, inline(line));
      blocks.push(paragraph);
    }
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Wiring

function start() {
  buildRubric();
  // Guidelines beside the item on wide screens; collapsed under it on narrow ones.
  if (window.matchMedia("(max-width: 799px)").matches) $("guidelines").open = false;
  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const memberId = Number($("member-id").value);
    if (!Number.isInteger(memberId) || memberId < 1) {
      showError("sign-in-error", "Enter a member id: a whole number from 1.");
      $("member-id").focus();
      return;
    }
    signIn(memberId);
  });
  $("sign-out").addEventListener("click", () => signOut());
  $("rubric").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  $("dimensions").addEventListener("focusin", (event) => {
    const fieldset = event.target.closest("fieldset[data-dimension]");
    if (fieldset) setCurrent(DIMENSIONS.findIndex((d) => d.key === fieldset.dataset.dimension));
  });
  $("check-again").addEventListener("click", async () => {
    showLoading();
    await loadBatch();
    if (currentItem()) focusFirstControl();
    else $("check-again").focus();
  });
  document.addEventListener("keydown", onKeyDown);

  state.session = loadSession();
  if (state.session) enter();
  else {
    showSignedIn(false);
    $("member-id").focus();
  }
}

start();
