// The careerpilot page: sign in as a member of the sample network, browse jobs, posts and
// companies, and ask the assistant beside them. State that survives a reload: the session in
// sessionStorage, the conversation and the selected item in the URL hash.

import { Api, ApiError, readEvents } from "./api.js";
import { KINDS, itemLabel, kindOf, renderDetail, renderListItem } from "./browse.js";
import { clear, formatDate, h } from "./dom.js";
import { TurnView, renderUserTurn } from "./render.js";
import { loadSession, saveSession } from "./session.js";

const PAGE_SIZE = 20;

const $ = (id) => document.getElementById(id);

const state = {
  session: null, // {token, member_id, name}
  conversationId: null,
  selection: null, // {kind, item}
  kind: "jobs",
  query: "",
  items: [],
  total: 0,
  listToken: 0, // the latest list request: older answers are dropped
  streaming: null, // {conversationId, controller, turn, stopRequested}
  contextLabels: new Map(), // "job:12" -> label, for questions of replayed conversations
};

const api = new Api(() => state.session?.token ?? null);

// ---------------------------------------------------------------------------------------------
// Hash state: #c=<conversation>&job=<id>

function readHash() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const out = { conversation: params.get("c") };
  for (const kind of Object.keys(KINDS)) {
    const id = Number(params.get(KINDS[kind].contextType));
    if (Number.isInteger(id) && id > 0) out.selection = { kind, id };
  }
  return out;
}

function writeHash() {
  const params = new URLSearchParams();
  if (state.conversationId) params.set("c", state.conversationId);
  if (state.selection) params.set(KINDS[state.selection.kind].contextType, String(state.selection.item.id));
  const hash = params.toString();
  const url = `${window.location.pathname}${window.location.search}${hash ? `#${hash}` : ""}`;
  window.history.replaceState(null, "", url);
}

// ---------------------------------------------------------------------------------------------
// Session


function initials(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join("");
}

function showSession() {
  const signedIn = Boolean(state.session);
  $("signed-in").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  $("signed-out").hidden = signedIn;
  $("sign-in-form").hidden = signedIn;
  $("chat").hidden = !signedIn;
  $("assistant-actions").hidden = !signedIn;
  if (signedIn) {
    $("member-name").textContent = state.session.name;
    $("avatar").textContent = initials(state.session.name);
  } else {
    $("history").hidden = true;
    $("history-toggle").setAttribute("aria-expanded", "false");
    loadMembers();
  }
  renderDetailView(); // the "Ask" button depends on being signed in
}

let membersLoaded = false;

async function loadMembers() {
  if (membersLoaded) return;
  const select = $("member-select");
  try {
    const page = await api.get("/api/v1/people?limit=30&offset=0");
    select.replaceChildren(
      h("option", { value: "", text: "Choose a member…" }),
      ...page.items.map((m) => h("option", { value: m.id, text: `${m.first_name} ${m.last_name} — ${m.headline}` })),
    );
    membersLoaded = true;
  } catch (error) {
    select.replaceChildren(h("option", { value: "", text: "Members could not be loaded" }));
    showError("sign-in-error", error);
  }
}

async function signIn(memberId) {
  showError("sign-in-error", null);
  try {
    const session = await api.post("/v1/dev/sign-in", { member_id: memberId });
    state.session = { token: session.token, member_id: session.member_id, name: session.name };
    saveSession(state.session);
    showSession();
    resetConversation({ focus: false });
    await refreshHistory();
    $("question").focus();
  } catch (error) {
    showError("sign-in-error", error);
  }
}

function signOut(message = null) {
  if (state.streaming) state.streaming.controller.abort();
  state.session = null;
  saveSession(null);
  state.conversationId = null;
  clearTranscript();
  $("history-list").replaceChildren();
  writeHash();
  showSession();
  if (message) showError("sign-in-error", new ApiError(401, "unauthenticated", message));
  $("member-select").focus();
}

/** A call failed because the token expired or is invalid: sign out and say so. */
function handleAuthError(error) {
  if (error instanceof ApiError && error.status === 401) {
    signOut("Your session has expired. Please sign in again.");
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Errors and status

function showError(id, error) {
  const box = $(id);
  clear(box);
  if (!error) return;
  box.append(h("p", { text: error.message || "Something went wrong." }));
}

function setStatus(text) {
  $("status-line").textContent = text ?? "";
}

// ---------------------------------------------------------------------------------------------
// Browsing

function selectTab(kind, { focus = false } = {}) {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.dataset.kind === kind;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    if (selected && focus) tab.focus();
  }
  $("browse-panel").setAttribute("aria-labelledby", `tab-${kind}`);
  if (state.kind === kind) return;
  state.kind = kind;
  state.query = "";
  $("search-input").value = "";
  $("search-label").textContent = KINDS[kind].searchLabel;
  $("search-input").placeholder = KINDS[kind].placeholder;
  loadList();
}

async function loadList({ more = false } = {}) {
  const spec = KINDS[state.kind];
  const token = ++state.listToken;
  const offset = more ? state.items.length : 0;
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  if (state.query) params.set(spec.searchParam, state.query);
  showError("list-error", null);
  if (!more) $("list-summary").textContent = "Loading…";
  try {
    const page = await api.get(`${spec.path}?${params}`);
    if (token !== state.listToken) return;
    state.items = more ? [...state.items, ...page.items] : page.items;
    state.total = page.total;
    renderList();
  } catch (error) {
    if (token !== state.listToken) return;
    $("list-summary").textContent = "";
    showError("list-error", error);
  }
}

function renderList() {
  const kind = state.kind;
  const list = $("item-list");
  const selected = state.selection?.kind === kind ? state.selection.item.id : null;
  list.replaceChildren(
    ...state.items.map((item) => renderListItem(kind, item, { selected: item.id === selected, onSelect: selectItem })),
  );
  const noun = { jobs: "jobs", posts: "posts", companies: "companies" }[kind];
  $("list-summary").textContent = state.items.length
    ? `Showing ${state.items.length} of ${state.total} ${noun}${state.query ? ` for “${state.query}”` : ""}`
    : `No ${noun} found${state.query ? ` for “${state.query}”` : ""}.`;
  $("load-more").hidden = state.items.length >= state.total;
}

function selectItem(kind, item, { scroll = true } = {}) {
  state.selection = { kind, item };
  state.contextLabels.set(`${KINDS[kind].contextType}:${item.id}`, itemLabel(kind, item));
  writeHash();
  renderList();
  renderDetailView();
  renderContext();
  // Stacked layout: bring the details into view.
  if (scroll && window.matchMedia("(max-width: 799px)").matches) $("detail").scrollIntoView({ block: "start" });
}

function deselect() {
  const had = state.selection;
  state.selection = null;
  writeHash();
  renderList();
  renderDetailView();
  renderContext();
  if (had) {
    const button = document.querySelector(`#item-list button[data-id="${had.item.id}"][data-kind="${had.kind}"]`);
    (button ?? $("question"))?.focus();
  }
}

function renderDetailView() {
  const target = $("detail-body");
  if (!state.selection) {
    target.replaceChildren(
      h(
        "div",
        { class: "placeholder" },
        h("h2", { class: "panel-title", id: "detail-heading", text: "Details" }),
        h("p", { class: "muted", text: "Select a job, a post or a company to see it here. The assistant beside it will know what you are looking at." }),
      ),
    );
    return;
  }
  const { kind, item } = state.selection;
  target.replaceChildren(
    renderDetail(kind, item, {
      canAsk: Boolean(state.session),
      onAsk: (question) => ask(question),
      onClose: deselect,
    }),
  );
}

function renderContext() {
  const chip = $("context-chip");
  if (!state.selection) {
    chip.hidden = true;
    return;
  }
  const label = itemLabel(state.selection.kind, state.selection.item);
  $("context-label").textContent = label;
  $("context-remove").setAttribute("aria-label", `Remove context: ${label}`);
  chip.hidden = false;
}

/** Open a job, post or company by id (from a card or the URL). */
async function openItem({ type, id }) {
  const kind = kindOf(type);
  if (!kind) return;
  try {
    const item = await api.get(`${KINDS[kind].path}/${encodeURIComponent(id)}`);
    if (state.kind !== kind) selectTab(kind);
    selectItem(kind, item);
    $("detail").scrollIntoView({ block: "nearest" });
  } catch (error) {
    setStatus(`That ${KINDS[kind].noun} could not be opened: ${error.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Conversations

function transcript() {
  return $("transcript");
}

function clearTranscript() {
  transcript().replaceChildren(
    h(
      "div",
      { class: "empty-state", id: "empty-state" },
      h("p", { class: "empty-title", text: "Ask about your career" }),
      h("p", { class: "muted small", text: "Select a job, post or company and ask about it, or try a general question." }),
    ),
  );
  setStatus("");
}

function appendToTranscript(element) {
  $("empty-state")?.remove();
  transcript().append(element);
}

function nearBottom() {
  const t = transcript();
  return t.scrollHeight - t.scrollTop - t.clientHeight < 80;
}

function scrollToBottom() {
  const t = transcript();
  t.scrollTop = t.scrollHeight;
}

function setConversation(id) {
  state.conversationId = id;
  writeHash();
  markCurrentHistory();
}

function resetConversation({ focus = true } = {}) {
  state.conversationId = null;
  writeHash();
  clearTranscript();
  markCurrentHistory();
  showError("form-error", null);
  if (focus) $("question").focus();
}

function contextLabel(context) {
  if (!context) return null;
  const key = `${context.type}:${context.id}`;
  return state.contextLabels.get(key) ?? null;
}

/** A replayed question's context label, looked up when not known yet. */
async function fillContextLabel(element, context) {
  const kind = kindOf(context.type);
  if (!kind) return;
  try {
    const item = await api.get(`${KINDS[kind].path}/${encodeURIComponent(context.id)}`);
    const label = itemLabel(kind, item);
    state.contextLabels.set(`${context.type}:${context.id}`, label);
    const line = element.querySelector(".turn-context");
    line.textContent = `About: ${label}`;
    line.hidden = false;
  } catch {
    // the label is a nicety
  }
}

function turnOptions(live) {
  return {
    live,
    onAsk: (question) => ask(question),
    onOpen: openItem,
    onStatus: live ? setStatus : undefined,
  };
}

async function openConversation(id, { focus = false } = {}) {
  if (state.streaming) return;
  let conversation;
  try {
    conversation = await api.get(`/v1/conversations/${encodeURIComponent(id)}`);
  } catch (error) {
    if (handleAuthError(error)) return;
    if (error.status === 404) {
      resetConversation({ focus: false });
      setStatus("That conversation could not be found.");
      return;
    }
    setStatus(`The conversation could not be loaded: ${error.message}`);
    return;
  }
  clearTranscript();
  setConversation(conversation.id);
  for (const message of conversation.messages) {
    if (message.role === "user") {
      const label = contextLabel(message.context);
      const element = renderUserTurn(message.text, label);
      appendToTranscript(element);
      if (message.context && !label) fillContextLabel(element, message.context);
      continue;
    }
    const turn = new TurnView(turnOptions(false));
    appendToTranscript(turn.element);
    const events = Array.isArray(message.events) ? message.events : [];
    for (const event of events) turn.apply(event);
    if (!events.some((e) => e.type === "text") && message.text) turn.apply({ type: "text", delta: message.text });
    turn.finish(message.status);
  }
  scrollToBottom();
  if (focus) $("question").focus();
}

async function refreshHistory() {
  if (!state.session) return;
  try {
    const conversations = await api.get("/v1/conversations");
    renderHistory(conversations);
  } catch (error) {
    handleAuthError(error);
  }
}

function renderHistory(conversations) {
  $("history-empty").hidden = conversations.length > 0;
  $("history-list").replaceChildren(
    ...conversations.map((c) =>
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: "history-item",
            "data-conversation-id": c.id,
            on: {
              click: async () => {
                await openConversation(c.id, { focus: true });
              },
            },
          },
          h("span", { class: "history-title", text: c.title || "Untitled conversation" }),
          h("span", { class: "history-date muted small", text: formatDate(c.created_at) }),
        ),
      ),
    ),
  );
  markCurrentHistory();
}

function markCurrentHistory() {
  for (const button of document.querySelectorAll("#history-list .history-item")) {
    if (button.dataset.conversationId === state.conversationId) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
  }
}

// ---------------------------------------------------------------------------------------------
// Asking

function setStreaming(streaming) {
  state.streaming = streaming;
  const busy = Boolean(streaming);
  $("send").disabled = busy;
  $("stop").disabled = !busy;
  $("new-conversation").disabled = busy;
  for (const button of document.querySelectorAll("#history-list button")) button.disabled = busy;
}

async function ask(rawText) {
  const text = String(rawText ?? "").trim();
  const input = $("question");
  if (!state.session) {
    $("member-select").focus();
    return;
  }
  if (state.streaming) {
    setStatus("Wait for this answer to finish, or stop it.");
    return;
  }
  if (!text) {
    showError("form-error", new Error("Type a question first."));
    input.focus();
    return;
  }
  showError("form-error", null);
  const context = state.selection
    ? { type: KINDS[state.selection.kind].contextType, id: state.selection.item.id }
    : null;
  const label = state.selection ? itemLabel(state.selection.kind, state.selection.item) : null;
  const controller = new AbortController();
  const streaming = { conversationId: null, controller, turn: null, stopRequested: false };
  setStreaming(streaming);
  setStatus("Sending…");
  const typed = input.value;
  input.value = "";

  let response;
  let userTurn = null;
  try {
    if (!state.conversationId) {
      const created = await api.post("/v1/conversations");
      setConversation(created.id);
    }
    streaming.conversationId = state.conversationId;
    userTurn = renderUserTurn(text, label);
    appendToTranscript(userTurn);
    scrollToBottom();
    response = await api.ask(state.conversationId, text, context, controller.signal);
  } catch (error) {
    userTurn?.remove();
    if (!transcript().querySelector(".turn")) clearTranscript();
    setStreaming(null);
    setStatus("");
    if (error?.name === "AbortError") return;
    if (handleAuthError(error)) return;
    if (error.status === 404 && error.code === "not_found") resetConversation({ focus: false });
    input.value = typed; // nothing was sent: give the question back
    showError("form-error", error);
    input.focus();
    return;
  }

  const turn = new TurnView(turnOptions(true));
  streaming.turn = turn;
  appendToTranscript(turn.element);
  scrollToBottom();
  try {
    for await (const event of readEvents(response.body)) {
      const follow = nearBottom();
      turn.apply(event);
      if (follow) scrollToBottom();
      if (event.type === "done" || event.type === "error") break;
    }
    if (!turn.ended) turn.finish(streaming.stopRequested ? "stopped" : "interrupted");
  } catch (error) {
    if (!turn.ended) {
      if (streaming.stopRequested || error?.name === "AbortError") turn.apply({ type: "error", code: "stopped", message: "Stopped" });
      else turn.apply({ type: "error", code: "network", message: "The connection was lost before the answer finished.", retryable: true });
    }
  }
  setStreaming(null);
  setStatus(""); // the turn itself says how it ended
  await refreshHistory();
}

async function stop() {
  const streaming = state.streaming;
  if (!streaming || streaming.stopRequested) return;
  streaming.stopRequested = true;
  $("stop").disabled = true;
  $("question").focus();
  setStatus("Stopping…");
  let stopped = false;
  if (streaming.conversationId && streaming.turn) {
    try {
      const answer = await api.post(`/v1/conversations/${encodeURIComponent(streaming.conversationId)}/stop`);
      stopped = answer?.stopped === true;
    } catch {
      stopped = false; // no stop endpoint (or it failed): closing the stream stops the turn
    }
  }
  if (!stopped) {
    streaming.controller.abort();
    return;
  }
  // The stream should now end with an error event "stopped"; do not wait for ever.
  window.setTimeout(() => {
    if (state.streaming === streaming) streaming.controller.abort();
  }, 3000);
}

// ---------------------------------------------------------------------------------------------
// Wiring

function bind() {
  $("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    const target = state.session ? $("question") : $("member-select");
    target.scrollIntoView({ block: "nearest" });
    target.focus();
  });

  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const id = Number($("member-select").value);
    if (!id) {
      showError("sign-in-error", new Error("Choose a member first."));
      $("member-select").focus();
      return;
    }
    signIn(id);
  });
  $("sign-out").addEventListener("click", () => signOut());

  const tabs = [...document.querySelectorAll('[role="tab"]')];
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab.dataset.kind));
    tab.addEventListener("keydown", (event) => {
      const index = tabs.indexOf(tab);
      const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      const target = tabs[(next + tabs.length) % tabs.length];
      selectTab(target.dataset.kind, { focus: true });
    });
  }

  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.query = $("search-input").value.trim();
    loadList();
  });
  $("load-more").addEventListener("click", () => loadList({ more: true }));

  $("context-remove").addEventListener("click", () => {
    deselect();
    $("question").focus();
  });

  $("ask-form").addEventListener("submit", (event) => {
    event.preventDefault();
    ask($("question").value);
  });
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ask($("question").value);
    }
  });
  $("stop").addEventListener("click", stop);
  $("new-conversation").addEventListener("click", () => resetConversation());

  $("history-toggle").addEventListener("click", async () => {
    const toggle = $("history-toggle");
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    $("history").hidden = !open;
    if (open) await refreshHistory();
  });
}

async function restoreSelection(selection) {
  const spec = KINDS[selection.kind];
  try {
    const item = await api.get(`${spec.path}/${selection.id}`);
    if (state.kind !== selection.kind) selectTab(selection.kind);
    selectItem(selection.kind, item, { scroll: false });
  } catch {
    writeHash();
  }
}

/** A link or an edited address (same page, new hash): follow it. */
function followHash() {
  const hash = readHash();
  if (hash.selection) {
    const current = state.selection;
    if (!current || current.kind !== hash.selection.kind || current.item.id !== hash.selection.id) {
      restoreSelection(hash.selection);
    }
  } else if (state.selection) {
    deselect();
  }
  if (state.session && hash.conversation && hash.conversation !== state.conversationId) {
    openConversation(hash.conversation);
  }
}

async function start() {
  bind();
  window.addEventListener("hashchange", followHash);
  const hash = readHash();
  state.session = loadSession();
  showSession();
  const pending = [loadList()];
  if (hash.selection) pending.push(restoreSelection(hash.selection));
  if (state.session) {
    pending.push(refreshHistory());
    if (hash.conversation) pending.push(openConversation(hash.conversation));
  }
  await Promise.allSettled(pending);
  document.body.dataset.ready = "true";
}

start();
