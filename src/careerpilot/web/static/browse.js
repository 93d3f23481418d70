// Browsing the network: lists and detail views of jobs, posts and companies.

import { formatDate, formatNumber, h, humanize, safeUrl } from "./dom.js";
import { logo } from "./render.js";

export const KINDS = {
  jobs: {
    path: "/api/v1/jobs",
    searchParam: "q",
    contextType: "job",
    searchLabel: "Search jobs",
    placeholder: "Title, skill or field",
    starter: "Am I a good fit for this job?",
    noun: "job",
  },
  posts: {
    path: "/api/v1/posts",
    searchParam: "q",
    contextType: "post",
    searchLabel: "Search posts",
    placeholder: "What it is about",
    starter: "Summarise this post",
    noun: "post",
  },
  companies: {
    path: "/api/v1/companies",
    searchParam: "name",
    contextType: "company",
    searchLabel: "Search companies",
    placeholder: "Company name",
    starter: "What does this company do?",
    noun: "company",
  },
};

/** The kind of list a page context type belongs to. */
export const kindOf = (contextType) => Object.keys(KINDS).find((k) => KINDS[k].contextType === contextType);

/** How an item is named in the context chip and the transcript. */
export function itemLabel(kind, item) {
  if (kind === "jobs") return `${item.title} at ${item.company_name}`;
  if (kind === "companies") return item.name;
  return item.title;
}

function salary(job) {
  if (job.salary_min == null) return null;
  const money = (n) => formatNumber(n);
  return `${job.salary_currency ?? ""} ${money(job.salary_min)}–${money(job.salary_max)}`.trim();
}

function listItemContent(kind, item) {
  if (kind === "jobs") {
    return [
      logo(item.company_name),
      h(
        "span",
        { class: "item-text" },
        h("span", { class: "item-title", text: item.title }),
        h("span", { class: "item-sub", text: item.company_name }),
        h("span", { class: "item-meta", text: [item.remote ? "Remote" : item.location, humanize(item.seniority)].filter(Boolean).join(" · ") }),
      ),
    ];
  }
  if (kind === "posts") {
    return [
      logo(item.author_name),
      h(
        "span",
        { class: "item-text" },
        h("span", { class: "item-title", text: item.title }),
        h("span", { class: "item-sub", text: item.author_name }),
        h("span", { class: "item-meta", text: [humanize(item.topic), `${formatNumber(item.reaction_count)} reactions`].join(" · ") }),
      ),
    ];
  }
  return [
    logo(item.name),
    h(
      "span",
      { class: "item-text" },
      h("span", { class: "item-title", text: item.name }),
      h("span", { class: "item-sub", text: item.industry }),
      h("span", { class: "item-meta", text: `${item.size_band} employees · ${item.headquarters}` }),
    ),
  ];
}

export function renderListItem(kind, item, { selected, onSelect }) {
  return h(
    "li",
    {},
    h(
      "button",
      {
        type: "button",
        class: "item",
        "data-kind": kind,
        "data-id": item.id,
        "aria-current": selected ? "true" : null,
        on: { click: () => onSelect(kind, item) },
      },
      listItemContent(kind, item),
    ),
  );
}

function section(title, ...content) {
  const body = content.filter(Boolean);
  if (!body.length) return null;
  return h("section", { class: "detail-section" }, h("h3", { class: "field-label", text: title }), ...body);
}

function skillTags(skills, kind = "") {
  if (!skills?.length) return null;
  return h("ul", { class: "tags" }, skills.map((s) => h("li", { class: `tag ${kind}`.trim(), text: s })));
}

/** Paragraphs of plain text (blank lines separate them); "- " lines become list items. */
function prose(text) {
  const blocks = String(text ?? "").split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  return h(
    "div",
    { class: "prose" },
    blocks.map((block) => {
      const lines = block.split("\n");
      const bullets = lines.filter((l) => /^\s*[-•]\s+/.test(l));
      if (bullets.length && bullets.length >= lines.length - 1) {
        const intro = lines.length > bullets.length ? lines[0] : null;
        return [
          intro ? h("p", { class: "prose-lead", text: intro }) : null,
          h("ul", {}, bullets.map((l) => h("li", { text: l.replace(/^\s*[-•]\s+/, "") }))),
        ];
      }
      return h("p", { text: block });
    }),
  );
}

function head(kind, item) {
  if (kind === "jobs") {
    return [
      logo(item.company_name, "logo-large"),
      h(
        "div",
        { class: "detail-head-text" },
        h("h2", { id: "detail-heading", class: "detail-title", text: item.title }),
        h("p", { class: "detail-sub", text: `${item.company_name} · ${item.location}` }),
        skillTags([humanize(item.seniority), item.remote ? "Remote" : "On-site", humanize(item.employment_type), salary(item)].filter(Boolean)),
      ),
    ];
  }
  if (kind === "posts") {
    return [
      logo(item.author_name, "logo-large"),
      h(
        "div",
        { class: "detail-head-text" },
        h("h2", { id: "detail-heading", class: "detail-title", text: item.title }),
        h("p", { class: "detail-sub", text: `${item.author_name} · ${item.author_headline}` }),
        h("p", { class: "muted small", text: `${humanize(item.topic)} · ${formatDate(item.created_at)} · ${formatNumber(item.reaction_count)} reactions · ${formatNumber(item.comment_count)} comments` }),
      ),
    ];
  }
  const website = safeUrl(item.website);
  return [
    logo(item.name, "logo-large"),
    h(
      "div",
      { class: "detail-head-text" },
      h("h2", { id: "detail-heading", class: "detail-title", text: item.name }),
      h("p", { class: "detail-sub", text: `${item.industry} · ${item.size_band} employees · founded ${item.founded_year}` }),
      website ? h("p", { class: "small" }, h("a", { href: website, target: "_blank", rel: "noopener noreferrer", text: item.website.replace(/^https?:\/\//, "") })) : null,
    ),
  ];
}

function body(kind, item) {
  if (kind === "jobs") {
    return [
      section("Required skills", skillTags(item.required_skills)),
      section("Nice to have", skillTags(item.nice_to_have_skills)),
      section("About the job", prose(item.description)),
      h("p", { class: "muted small", text: `Posted ${formatDate(item.posted_on)} · ${formatNumber(item.applicant_count)} applicants` }),
    ];
  }
  if (kind === "posts") return [section("Post", prose(item.body))];
  return [
    section("About", prose(item.description)),
    section("Specialties", skillTags(item.specialties)),
    section("Locations", skillTags(item.locations)),
    h("p", { class: "muted small", text: `Headquarters: ${item.headquarters} · ${formatNumber(item.employee_count)} employees` }),
  ];
}

/**
 * The detail view of a selected item, with a button that asks the assistant beside it.
 * `onAsk(question)` sends a question; `onClose()` deselects.
 */
export function renderDetail(kind, item, { onAsk, onClose, canAsk }) {
  const spec = KINDS[kind];
  return h(
    "article",
    { class: "detail-card", "data-kind": kind, "data-id": item.id },
    h("div", { class: "detail-head" }, head(kind, item)),
    h(
      "div",
      { class: "detail-actions" },
      h("button", {
        type: "button",
        class: "btn btn-primary",
        disabled: !canAsk,
        title: canAsk ? null : "Sign in to ask the assistant",
        text: `Ask: “${spec.starter}”`,
        on: { click: () => onAsk(spec.starter) },
      }),
      h("button", { type: "button", class: "btn btn-quiet", text: `Close ${spec.noun}`, on: { click: onClose } }),
    ),
    body(kind, item),
  );
}
