// Server-driven UI: one renderer for live turns and for stored ones.
//
// `renderComponent` draws a component by its `type`; a type it does not know degrades to the
// component's `text` (the client decides nothing). `TurnView` applies a turn's wire events, in
// order, to one assistant message: the same code renders a streaming answer and replays the
// `events` stored with a message of a reloaded conversation.

import { formatNumber, h, humanize, safeUrl } from "./dom.js";

export const AGENT_LABELS = {
  job_assessment: "Job assessment",
  post_takeaways: "Post takeaways",
  company: "Company insights",
  career_advice: "Career advice",
  general: "General question",
  out_of_scope: "Out of scope",
};

export const agentLabel = (agent) => AGENT_LABELS[agent] ?? humanize(agent);

const SKILL_LABELS = {
  get_job: "Looking up the job",
  get_member: "Reading your profile",
  get_company: "Looking up the company",
  get_post: "Reading the post",
  search_jobs: "Searching jobs",
  search_people: "Searching people",
  search_posts: "Searching posts",
  search_companies: "Searching companies",
  match_jobs: "Finding jobs that fit you",
  web_search: "Searching the knowledge base",
};

/** A short, human line for a `status` event (null: nothing worth showing). */
export function describeStatus(event) {
  if (event.stage === "skill" && event.skill) {
    const label = SKILL_LABELS[event.skill] ?? `Looking up ${event.skill}`;
    if (event.state === "started") return `${label}…`;
    if (event.state === "failed") return `${label} failed`;
    return null;
  }
  if (event.state === "failed") return `${humanize(event.stage)} failed`;
  if (event.state !== "started") return null;
  if (event.stage === "routing") return "Choosing who answers…";
  if (event.stage === "generation") return "Writing the answer…";
  if (event.stage === "reasoning") return "Thinking it through…";
  if (event.stage === "agent") return "Working on it…";
  return `${humanize(event.stage)}…`;
}

// ---------------------------------------------------------------------------------------------
// Components

const VERDICTS = {
  strong: "Strong fit",
  good: "Good fit",
  partial: "Partial fit",
  weak: "Weak fit",
};

const duration = (ms) => (ms < 1000 ? `${Math.max(1, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`);

const list = (value) => (Array.isArray(value) ? value : []);

function initials(name) {
  const words = String(name ?? "").split(/\s+/).filter((w) => /^[A-Za-z0-9]/.test(w));
  return (words[0]?.[0] ?? "?").toUpperCase() + (words[1]?.[0] ?? "").toUpperCase();
}

/** A company "logo": initials on a muted colour picked from the name (decorative). */
export function logo(name, size = "") {
  let hash = 0;
  for (const ch of String(name ?? "")) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return h("span", { class: `logo logo-${hash % 6} ${size}`.trim(), "aria-hidden": "true" }, initials(name));
}

function card(type, eyebrow, ...children) {
  return h("article", { class: `card card-${type.replace(/_/g, "-")}` }, eyebrow ? h("p", { class: "eyebrow", text: eyebrow }) : null, ...children);
}

function tags(items, kind = "") {
  const values = list(items).filter((v) => v !== null && v !== undefined && v !== "");
  if (!values.length) return null;
  return h("ul", { class: "tags" }, values.map((v) => h("li", { class: `tag ${kind}`.trim(), text: v })));
}

function field(label, ...content) {
  return h("div", { class: "field" }, h("h4", { class: "field-label", text: label }), ...content);
}

function jobMeta(job) {
  const parts = [job.company_name, job.remote ? "Remote" : job.location].filter(Boolean);
  return parts.join(" · ");
}

function jobCard(c, options, { compact = false } = {}) {
  const open =
    options.onOpen && c.job_id != null
      ? h("button", {
          type: "button",
          class: "btn btn-quiet btn-small",
          "aria-label": `View job: ${c.title}`,
          text: "View job",
          on: { click: () => options.onOpen({ type: "job", id: c.job_id }) },
        })
      : null;
  return card(
    "job_card",
    compact ? null : "Job",
    h(
      "div",
      { class: "job-head" },
      logo(c.company_name),
      h(
        "div",
        { class: "job-head-text" },
        h(compact ? "h4" : "h3", { class: "card-title", text: c.title }),
        h("p", { class: "muted", text: jobMeta(c) }),
        tags([humanize(c.seniority), c.remote ? "Remote" : null, c.salary_range]),
      ),
      open,
    ),
  );
}

function jobFit(c, options) {
  const job = c.job ?? {};
  const score = Math.max(0, Math.min(1, Number(c.score) || 0));
  const percent = Math.round(score * 100);
  const verdict = VERDICTS[c.verdict] ?? humanize(c.verdict);
  const bar = h("span", { class: "meter-fill" });
  bar.style.width = `${percent}%`;
  const required = list(c.matched_required).length + list(c.missing_required).length;
  const years = Number(c.relevant_years ?? 0).toFixed(1).replace(/\.0$/, "");
  const asks =
    c.required_years_max != null
      ? `${c.required_years_min}–${c.required_years_max}`
      : `${c.required_years_min}+`;
  const experienceWord = { below: "below the range", within: "within the range", above: "above the range" }[c.experience] ?? "";
  return card(
    "job_fit",
    "Job fit",
    h(
      "div",
      { class: "job-head" },
      logo(job.company_name),
      h(
        "div",
        { class: "job-head-text" },
        h("h3", { class: "card-title", text: job.title ?? "This job" }),
        h("p", { class: "muted", text: jobMeta(job) }),
      ),
      h(
        "p",
        { class: `score verdict-${c.verdict}` },
        h("span", { class: "score-number", text: `${percent}%` }),
        h("span", { class: "score-verdict", text: verdict }),
      ),
    ),
    h("div", { class: `meter verdict-${c.verdict}`, "aria-hidden": "true" }, bar),
    h(
      "div",
      { class: "fit-grid" },
      field(
        `Required skills you have (${list(c.matched_required).length} of ${required})`,
        tags(c.matched_required, "tag-ok") ?? h("p", { class: "muted", text: "None yet" }),
      ),
      list(c.missing_required).length
        ? field("Required skills to build", tags(c.missing_required, "tag-missing"))
        : null,
      list(c.nice_to_have_held).length ? field("Nice to have, and you have", tags(c.nice_to_have_held)) : null,
    ),
    h(
      "p",
      { class: "fit-experience" },
      h("strong", { text: `${years} years` }),
      ` of relevant experience; the job asks ${asks} years`,
      experienceWord ? ` (${experienceWord}).` : ".",
    ),
    list(c.relevant_positions).length
      ? h("p", { class: "muted small", text: `Counted: ${list(c.relevant_positions).join("; ")}` })
      : null,
  );
}

function companyCard(c, options) {
  const stat = (value, label) =>
    h("div", { class: "stat" }, h("span", { class: "stat-value", text: formatNumber(value) }), h("span", { class: "stat-label", text: label }));
  const website = safeUrl(c.website);
  return card(
    "company_card",
    "Company",
    h(
      "div",
      { class: "job-head" },
      logo(c.name, "logo-large"),
      h(
        "div",
        { class: "job-head-text" },
        h("h3", { class: "card-title", text: c.name }),
        h("p", { class: "muted", text: [c.industry, c.headquarters].filter(Boolean).join(" · ") }),
      ),
    ),
    h(
      "div",
      { class: "stats" },
      c.members_on_network != null ? stat(c.members_on_network, "members on the network") : null,
      c.open_jobs != null ? stat(c.open_jobs, "open jobs") : null,
      c.employee_count != null ? stat(c.employee_count, "employees") : null,
    ),
    list(c.specialties).length ? field("Specialties", tags(c.specialties)) : null,
    list(c.top_titles).length ? field("Common roles here", tags(c.top_titles)) : null,
    list(c.recent_posts).length
      ? field(
          "Recent posts",
          h(
            "ul",
            { class: "plain-list" },
            list(c.recent_posts).map((p) =>
              h(
                "li",
                {},
                options.onOpen && p.post_id != null
                  ? h("button", {
                      type: "button",
                      class: "link-button",
                      text: p.title,
                      on: { click: () => options.onOpen({ type: "post", id: p.post_id }) },
                    })
                  : h("span", { text: p.title }),
                p.topic ? h("span", { class: "muted small", text: ` · ${p.topic}` }) : null,
              ),
            ),
          ),
        )
      : null,
    website
      ? h("p", { class: "small" }, h("a", { href: website, target: "_blank", rel: "noopener noreferrer", text: c.website.replace(/^https?:\/\//, "") }))
      : null,
  );
}

function postTakeaways(c) {
  return card(
    "post_takeaways",
    "Takeaways",
    h("h3", { class: "card-title", text: c.title }),
    h("p", { class: "muted", text: [c.author_name && `by ${c.author_name}`, c.topic].filter(Boolean).join(" · ") }),
    h(
      "ol",
      { class: "takeaways" },
      list(c.takeaways).map((t) =>
        h(
          "li",
          {},
          h("p", { text: t.text }),
          t.quote && t.quote.trim() !== String(t.text ?? "").trim()
            ? h("blockquote", { class: "quote", text: `“${t.quote}”` })
            : null,
        ),
      ),
    ),
  );
}

function actionPlan(c, options) {
  return card(
    "action_plan",
    "Action plan",
    h("h3", { class: "card-title", text: c.goal ? `Goal: ${c.goal}` : "Your next steps" }),
    list(c.steps).length ? field("Next steps", h("ol", { class: "steps" }, list(c.steps).map((s) => h("li", { text: s })))) : null,
    list(c.skills_to_learn).length
      ? field(
          "Skills to learn",
          h(
            "ul",
            { class: "skills" },
            list(c.skills_to_learn).map((s) => {
              const share = s.jobs_considered ? Math.round((100 * s.jobs_asking) / s.jobs_considered) : 0;
              const fill = h("span", { class: "meter-fill" });
              fill.style.width = `${share}%`;
              return h(
                "li",
                {},
                h("span", { class: "skill-name", text: s.skill }),
                h("span", { class: "meter meter-thin", "aria-hidden": "true" }, fill),
                h("span", { class: "muted small", text: s.why || `${s.jobs_asking} of ${s.jobs_considered} jobs` }),
              );
            }),
          ),
        )
      : null,
    list(c.matching_jobs).length
      ? field("Jobs that fit you", h("div", { class: "mini-cards" }, list(c.matching_jobs).map((j) => jobCard(j, options, { compact: true }))))
      : null,
  );
}

function suggestionChips(c, options) {
  const chips = list(c.chips).filter((chip) => typeof chip === "string" && chip.trim());
  if (!chips.length) return null;
  return h(
    "div",
    { class: "chips", role: "group", "aria-label": "Suggested questions" },
    chips.map((chip) =>
      h("button", {
        type: "button",
        class: "chip",
        text: chip,
        on: { click: () => options.onAsk?.(chip) },
      }),
    ),
  );
}

function citations(c) {
  const sources = list(c.sources);
  if (!sources.length) return null;
  return h(
    "section",
    { class: "sources", "aria-label": "Sources" },
    h("h3", { class: "eyebrow", text: "Sources" }),
    h(
      "ol",
      { class: "source-list" },
      sources.map((s) => {
        const url = safeUrl(s.url);
        return h(
          "li",
          { class: s.cited === false ? "source not-cited" : "source", "data-cited": String(s.cited !== false), value: s.index },
          h("span", { class: "source-index", "aria-hidden": "true", text: `[${s.index}]` }),
          h(
            "div",
            {},
            url
              ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: s.title })
              : h("span", { text: s.title }),
            s.cited === false ? h("span", { class: "visually-hidden", text: " (not cited in the answer)" }) : null,
            s.snippet ? h("p", { class: "muted small snippet", text: s.snippet }) : null,
          ),
        );
      }),
    ),
  );
}

function notice(c, options) {
  const level = ["info", "warning", "error"].includes(c.level) ? c.level : "info";
  const role = level === "error" && options.live ? "alert" : "note";
  return h(
    "div",
    { class: `notice notice-${level}`, role },
    h("span", { class: "notice-icon", "aria-hidden": "true", text: level === "info" ? "i" : "!" }),
    h("p", { text: c.text }),
  );
}

function textBlock(c) {
  return h("p", { class: "text-block", text: c.text ?? "" });
}

function fallback(c) {
  const text = typeof c?.text === "string" && c.text ? c.text : "This content cannot be shown here.";
  return h("div", { class: "card card-fallback" }, h("p", { text }));
}

const RENDERERS = {
  job_card: (c, o) => jobCard(c, o),
  job_fit: jobFit,
  company_card: companyCard,
  post_takeaways: postTakeaways,
  action_plan: actionPlan,
  suggestion_chips: suggestionChips,
  citations,
  notice,
  text: textBlock,
};

/**
 * Render a component by its `type`. Unknown types, and components a renderer cannot draw,
 * degrade to their `text`. Options: `onAsk(question)` (chips), `onOpen({type, id})` (open a
 * job or post of the network), `live` (false when replaying stored events: no alerts).
 */
export function renderComponent(component, options = {}) {
  const type = typeof component?.type === "string" ? component.type : "unknown";
  let el = null;
  if (Object.hasOwn(RENDERERS, type)) {
    try {
      el = RENDERERS[type](component, { live: true, ...options });
    } catch (error) {
      console.warn(`could not render a ${type} component`, error);
      el = null;
    }
  }
  el ??= fallback(component);
  el.dataset.componentType = type;
  return el;
}

// ---------------------------------------------------------------------------------------------
// Patches

const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

function child(node, key) {
  if (FORBIDDEN.has(key)) throw new Error(`bad patch path segment ${key}`);
  if (Array.isArray(node)) return node[Number(key)];
  return node !== null && typeof node === "object" ? node[key] : undefined;
}

/**
 * Apply a patch to a component (mutated and returned). `path`: dot-separated object keys and
 * list indexes; `set` replaces the value there (an empty path replaces the whole component),
 * `append` pushes `value` onto the list there (or extends a string).
 */
export function applyPatch(component, op, path, value) {
  const keys = path ? String(path).split(".") : [];
  if (!keys.length) {
    if (op === "set") return value;
    throw new Error("append needs a path");
  }
  let parent = component;
  for (const key of keys.slice(0, -1)) {
    parent = child(parent, key);
    if (parent === null || typeof parent !== "object") throw new Error(`no ${path} in the component`);
  }
  const last = keys[keys.length - 1];
  if (FORBIDDEN.has(last)) throw new Error(`bad patch path segment ${last}`);
  const slot = Array.isArray(parent) ? Number(last) : last;
  if (op === "set") {
    parent[slot] = value;
  } else if (op === "append") {
    const current = parent[slot];
    if (Array.isArray(current)) current.push(value);
    else if (typeof current === "string") parent[slot] = current + String(value);
    else if (current === undefined || current === null) parent[slot] = [value];
    else throw new Error(`cannot append to ${path}`);
  } else {
    throw new Error(`unknown patch op ${op}`);
  }
  return component;
}

// ---------------------------------------------------------------------------------------------
// Turns

/** The member's question, as shown in the transcript. */
export function renderUserTurn(text, contextLabel = null) {
  return h(
    "article",
    { class: "turn turn-user", "aria-label": "You asked" },
    h("p", { class: "bubble", text }),
    h("p", { class: "turn-context muted small", hidden: !contextLabel, text: contextLabel ? `About: ${contextLabel}` : "" }),
  );
}

/** Where a component goes in a turn: sources and chips below the answer, the rest in order. */
const BELOW = { citations: "sources", suggestion_chips: "chips" };

export class TurnView {
  /**
   * Options: `live` (default true; false when replaying), `onAsk(question)`, `onOpen({type,
   * id})`, `onStatus(line)` (progress, for a status line outside the transcript).
   */
  constructor(options = {}) {
    this.options = { live: true, ...options };
    this.components = new Map(); // id -> {component, element}
    this.citedSources = new Map(); // index -> source, from citation events
    this.textBlock = null;
    this.text = "";
    this.autoId = 0;
    this.ended = false;
    this.agentEl = h("p", { class: "turn-agent", hidden: true });
    this.body = h("div", { class: "turn-body" });
    this.slots = {
      sources: h("div", { class: "turn-sources" }),
      chips: h("div", { class: "turn-chips" }),
    };
    this.endEl = h("div", { class: "turn-end" });
    this.footer = h("p", { class: "turn-foot muted small", hidden: true });
    this.element = h(
      "article",
      { class: "turn turn-assistant", "aria-label": "Assistant answer", "data-status": "streaming", "aria-busy": this.options.live ? "true" : null },
      this.agentEl,
      this.body,
      this.slots.sources,
      this.endEl,
      this.slots.chips,
      this.footer,
    );
  }

  get status() {
    return this.element.dataset.status;
  }

  /** Apply one wire event; unknown events are ignored. */
  apply(event) {
    if (!event || typeof event !== "object") return;
    try {
      switch (event.type) {
        case "route":
          return this.route(event);
        case "status": {
          const line = describeStatus(event);
          if (line) this.options.onStatus?.(line);
          return;
        }
        case "component":
          return this.addComponent(event.component, event.id);
        case "patch":
          return this.patch(event);
        case "text":
          return this.addText(event.delta);
        case "citation":
          return this.cite(event);
        case "suggestions": // before the presenter: follow-ups as their own event
          return this.addComponent({
            type: "suggestion_chips",
            chips: list(event.suggestions),
            text: `Try: ${list(event.suggestions).join(" · ")}`,
          });
        case "error":
          return this.fail(event);
        case "done":
          return this.done(event);
        default:
          return;
      }
    } catch (error) {
      console.warn("could not apply an event", event, error);
    }
  }

  route(event) {
    this.element.dataset.agent = event.agent ?? "";
    this.agentEl.textContent = agentLabel(event.agent) + (event.follow_up ? " · follow-up" : "");
    this.agentEl.hidden = false;
  }

  addComponent(component, id) {
    if (!component || typeof component !== "object") return;
    const key = id ? String(id) : `auto-${++this.autoId}`;
    const data = structuredClone(component);
    const element = this.draw(data, key);
    const previous = this.components.get(key);
    if (previous) {
      previous.element.replaceWith(element);
    } else if (BELOW[data.type]) {
      this.slots[BELOW[data.type]].append(element);
    } else {
      this.body.append(element);
    }
    this.components.set(key, { component: data, element });
  }

  draw(component, key) {
    const element = renderComponent(component, this.options);
    element.dataset.componentId = key;
    return element;
  }

  patch(event) {
    const entry = this.components.get(String(event.id));
    if (!entry) return;
    entry.component = applyPatch(entry.component, event.op, event.path, event.value);
    const element = this.draw(entry.component, String(event.id));
    entry.element.replaceWith(element);
    entry.element = element;
  }

  addText(delta) {
    if (typeof delta !== "string" || !delta) return;
    if (!this.textBlock || this.body.lastElementChild !== this.textBlock) {
      this.textBlock = h("p", { class: "answer", "data-role": "answer-text" });
      this.body.append(this.textBlock);
    }
    this.textBlock.append(document.createTextNode(delta));
    this.text += delta;
    if (this.options.live && this.text === delta) this.options.onStatus?.("Writing the answer…");
  }

  cite(event) {
    const source = { index: event.index, title: event.title, url: event.url, snippet: event.snippet, cited: true };
    this.citedSources.set(event.index, source);
    // Before the presenter, sources arrived as citation events before any text: no marker then.
    if (!this.textBlock) return;
    const url = safeUrl(event.url);
    const label = `Source ${event.index}: ${event.title ?? ""}`.trim();
    const marker = url
      ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer", "aria-label": label, title: event.title ?? "", text: `[${event.index}]` })
      : h("span", { "aria-label": label, title: event.title ?? "", text: `[${event.index}]` });
    this.textBlock.append(h("sup", { class: "cite" }, marker));
  }

  fail(event) {
    this.ended = true;
    if (event.code === "stopped") {
      this.setStatus("stopped");
      this.endEl.replaceChildren(h("p", { class: "turn-stopped", role: this.options.live ? "status" : null, text: "Stopped" }));
    } else {
      this.setStatus("error");
      this.endEl.replaceChildren(
        h(
          "div",
          { class: "turn-error", role: this.options.live ? "alert" : null },
          h("strong", { text: "Something went wrong: " }),
          h("span", { text: event.message || event.code || "the answer could not be completed" }),
          event.retryable ? h("span", { class: "muted", text: " You can try again." }) : null,
        ),
      );
    }
    this.settle();
  }

  done(event) {
    this.ended = true;
    this.setStatus("complete");
    const timings = event.timings ?? {};
    const parts = [];
    if (typeof timings.reasoning_ms === "number") parts.push(`thought ${Math.round(timings.reasoning_ms)} ms`);
    if (typeof timings.ttft_ms === "number") parts.push(`first token ${Math.round(timings.ttft_ms)} ms`);
    if (typeof timings.total_ms === "number") parts.push(`answered in ${duration(timings.total_ms)}`);
    if (parts.length) {
      this.footer.textContent = parts.join(" · ");
      this.footer.hidden = false;
    }
    this.settle();
  }

  /**
   * End the turn when its stream ended without `done`/`error` (a dropped connection), or when
   * a stored message is replayed: `status` is the stored message status.
   */
  finish(status = "interrupted") {
    if (!this.ended) {
      this.ended = true;
      if (status === "complete") {
        this.setStatus("complete");
      } else {
        const stopped = status === "stopped";
        this.setStatus(stopped ? "stopped" : "interrupted");
        this.endEl.replaceChildren(
          h("p", { class: "turn-stopped", text: stopped ? "Stopped" : "Interrupted: this answer did not finish." }),
        );
      }
    }
    this.settle();
  }

  setStatus(status) {
    this.element.dataset.status = status;
  }

  settle() {
    this.element.removeAttribute("aria-busy");
    // Sources seen only as citation events (before the presenter): show them as a list.
    const hasCitations = [...this.components.values()].some((e) => e.component.type === "citations");
    if (!hasCitations && this.citedSources.size) {
      const sources = [...this.citedSources.values()].sort((a, b) => a.index - b.index);
      this.addComponent({ type: "citations", sources, text: sources.map((s) => `[${s.index}] ${s.title}`).join("; ") });
    }
  }
}
