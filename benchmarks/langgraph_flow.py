"""The same turn written in LangGraph: careerpilot's added latency per turn against LangGraph's.

Both sides answer the same inputs (job page, post page, company page, career question, general
question; ``--turns`` each, default 15) in the same process, with the same parts:

* the same ``Router`` object (``assistant.router``), the embedder's cache cleared before every
  turn on both sides, so neither routes a question the other has just embedded;
* the same skills (``assistant.skills``: the registry whose skills call the in-process network
  REST API over httpx), with the same fixed calls per agent, run concurrently in an
  ``asyncio.TaskGroup`` and timed the same way (the group's wall time);
* the same facts and components (careerpilot's own functions: ``assess_fit``,
  ``extract_takeaways``, ``company_card``, ``build_plan``, ``sources_facts``...), the same
  example store and prompt (``few_shot_messages``);
* the same model object: ``ScriptedModel`` at ``--token-ms`` per token (default 20 ms),
  wrapped in ``TimedModel``, which timestamps its own request and tokens.

careerpilot is ``Assistant.turn`` as shipped: validation, routing, the agent's async-generator
chain (status, component, citation, text and suggestion events), the presenter (component ids,
every text delta through the markup parser, sources and suggestions folded into components),
``TurnTimer`` per token and the ``done`` event with timings: more work than the LangGraph
version does, which parses no markup. The LangGraph version is a ``StateGraph`` with three nodes,
``route -> skills -> generate``, no checkpointer, run with ``graph.astream(...,
stream_mode="custom")``; each node sends the same careerpilot event objects through
``get_stream_writer()`` (route; skill statuses; the component or citations; each token as a
text event; suggestions; done). Inputs alternate which side runs first; one warm-up round each.

Per turn and side (ms): ``added`` = the turn's wall time (first call to the last event) - the
model's own time (its time per token, summed: see ``_scripted_flow.StreamRecord``) - the
skills' wall time, split into ``routing`` (the same router on both sides), ``held`` (the time
the consumer held tokens before asking the model for the next one: the pipeline's work per
token on the model's critical path) and ``rest`` (per-turn work: agent or graph set-up, facts,
prompt, events, the last token's delivery). Also TTFT added over the model's own (excluding
routing and skills, as in ``pipeline_overhead.py``), TBT added (the consumer's gap - the
model's own time for the token) and token lag (the consumer seeing a token - the model
yielding it).

Two model paces, each a full pass (``--paces``): ``pull``, ``ScriptedModel`` as it is (it sleeps
before a token only when asked for it, so whatever the consumer does per token lengthens the
stream: careerpilot's async-generator chain pays that, LangGraph's node hands each token to a
queue and goes on); and ``free``, the same model driven by a task into a queue at its own pace,
as careerpilot's real backends run (llama.cpp on its worker thread, an OpenAI-compatible
server streaming into the socket).

    .venv/bin/python benchmarks/langgraph_flow.py [--turns 15] [--token-ms 20] [--tokens 40]
        [--paces pull,free] [--data-dir DIR | --small]

Target: careerpilot's added latency per turn at most half of LangGraph's (the median over all
turns, and for every agent), with the model at a fixed token rate (pace ``free``). Both sides
call the same router, as they call the same skills and the same model; what each framework adds
is the target, so the router's own time (``routing``, the embedding and the classifier) is
excluded like the skills' and the model's. The ratio with the router counted on both sides, and
the ``pull`` pace, are printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from _scripted_flow import (
    AGENT_LABELS,
    AGENTS,
    TimedModel,
    TurnInput,
    add_data_options,
    added_gaps,
    bench_settings,
    interleaved,
    lags,
    machine_load,
    pct,
    prepared_data,
    stream_id,
    turn_inputs,
)
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph

from careerpilot.agents import career_advice, company, job_assessment, post_takeaways
from careerpilot.agents.base import SkillCall
from careerpilot.agents.general import SOURCES, sources_facts
from careerpilot.agents.job_fit import assess_fit
from careerpilot.agents.prompting import few_shot_messages
from careerpilot.network.schemas import Company, Member, Page, Post
from careerpilot.network.taxonomy import FAMILIES
from careerpilot.pipeline.assistant import Assistant
from careerpilot.pipeline.events import (
    CitationEvent,
    ComponentEvent,
    DoneEvent,
    Event,
    RouteEvent,
    StatusEvent,
    SuggestionsEvent,
    TextEvent,
)
from careerpilot.skills.web_search import WebSearchResults

RATIO_TARGET = 0.5
# The scripted model runs "at a fixed token rate": the free pace. The pull pace puts
# each side's per-token work on the model's critical path, a harsher test reported beside it.
TARGET_PACE = "free"

# --- the flow's fixed skill calls and facts, per agent (careerpilot's own functions) -------


@dataclass
class Composed:
    events: list[Event]  # the component or citations, sent before the narration
    facts: str
    suggestions: list[str]


def skill_calls(agent: str, turn: TurnInput) -> list[SkillCall]:
    """The calls careerpilot's agent makes for these inputs (a page open, or a question)."""
    page_id = turn.page.id if turn.page is not None else 0
    if agent == "job_assessment":
        return [
            SkillCall("get_job", {"job_id": page_id}),
            SkillCall("get_member", {"member_id": turn.member_id}),
        ]
    if agent == "post_takeaways":
        return [SkillCall("get_post", {"post_id": page_id})]
    if agent == "company":
        return [
            SkillCall("get_company", {"company_id": page_id}),
            SkillCall("search_jobs", {"company_id": page_id, "limit": company.JOBS_SHOWN}),
            SkillCall("search_people", {"company_id": page_id, "limit": 1}),
            SkillCall("search_posts", {"company_id": page_id, "limit": company.RECENT_POSTS}),
        ]
    if agent == "career_advice":
        named = career_advice.named_target(turn.question)
        limit = career_advice.TARGET_JOBS
        if named is None:
            lookup = SkillCall("match_jobs", {"member_id": turn.member_id, "limit": limit})
        else:
            args: dict[str, object] = {"q": named.label, "limit": limit}
            if named.family is not None:
                args["family"] = named.family
            lookup = SkillCall("search_jobs", args)
        return [SkillCall("get_member", {"member_id": turn.member_id}), lookup]
    if agent == "general":
        return [SkillCall("web_search", {"query": turn.question[:400], "count": SOURCES})]
    raise ValueError(f"this flow does not cover {agent}")


def _related(family: str) -> Sequence[str]:
    known = FAMILIES.get(family)
    return tuple(known.related) if known is not None else ()


def compose(agent: str, turn: TurnInput, results: list[Any]) -> Composed:
    """The facts (and what is sent before the narration), as careerpilot's agent computes them."""
    today = dt.date.today()
    if agent == "job_assessment":
        job, member = results
        fit = assess_fit(member, job, _related(job.family), today)
        component = job_assessment.fit_component(member, job, fit).model_dump(mode="json")
        return Composed(
            [ComponentEvent(component=component)],
            job_assessment.job_facts(job, fit),
            job_assessment._suggestions(job, fit),
        )
    if agent == "post_takeaways":
        [post] = results
        assert isinstance(post, Post)
        sentences = post_takeaways.extract_takeaways(post.body)
        component = post_takeaways.takeaways_component(post, sentences).model_dump(mode="json")
        return Composed(
            [ComponentEvent(component=component)],
            post_takeaways.post_facts(post, sentences),
            post_takeaways._suggestions(post),
        )
    if agent == "company":
        found, jobs, people, posts = results
        assert isinstance(found, Company) and isinstance(jobs, Page)
        card = company.company_card(found, jobs, people, posts)
        return Composed(
            [ComponentEvent(component=card.model_dump(mode="json"))],
            company.company_facts(card, found.founded_year),
            company._suggestions(card),
        )
    if agent == "career_advice":
        member, lookup = results
        assert isinstance(member, Member)
        named = career_advice.named_target(turn.question)
        target = named or career_advice.Target("profile", "matching")
        targets = career_advice._jobs(lookup)[: career_advice.TARGET_JOBS]
        plan = career_advice.build_plan(member, targets, target, None)
        return Composed(
            [ComponentEvent(component=plan.model_dump(mode="json"))],
            career_advice.advice_facts(member, plan, today),
            career_advice._suggestions(plan, None),
        )
    [page] = results
    found_results = page.results if isinstance(page, WebSearchResults) else []
    citations: list[Event] = [
        CitationEvent(index=n, title=r.title, url=r.url, snippet=r.snippet)
        for n, r in enumerate(found_results, start=1)
    ]
    return Composed(
        citations,
        sources_facts(found_results),
        [f"Tell me more about {found_results[0].title.rstrip('?')}", "How does this apply to me?"],
    )


# --- the LangGraph version ----------------------------------------------------------------


@dataclass
class Probe:
    """What the LangGraph nodes measured: the same stages careerpilot's TurnTimer reports."""

    routing_ms: float = 0.0
    skills_ms: float = 0.0


class FlowState(TypedDict, total=False):
    turn: TurnInput
    probe: Probe
    agent: str
    composed: Composed


def build_graph(assistant: Assistant) -> Any:
    router, skills = assistant.router, assistant.skills
    examples, generation = assistant.examples, assistant.generation
    examples_k = assistant.settings.examples_k

    async def route(state: FlowState) -> dict[str, Any]:
        write = get_stream_writer()
        turn, probe = state["turn"], state["probe"]
        start = time.perf_counter()
        chosen = await router.route(turn.question, turn.page.type if turn.page else None, None)
        probe.routing_ms = (time.perf_counter() - start) * 1000
        write(
            RouteEvent(
                agent=chosen.agent,
                confidence=chosen.confidence,
                fallback=chosen.fallback,
                follow_up=chosen.follow_up,
            )
        )
        return {"agent": chosen.agent}

    async def call_skills(state: FlowState) -> dict[str, Any]:
        write = get_stream_writer()
        turn, agent = state["turn"], state["agent"]
        calls = skill_calls(agent, turn)
        for call in calls:
            write(StatusEvent(stage="skill", state="started", skill=call.skill))

        async def one(call: SkillCall) -> tuple[Any, float]:
            start = time.perf_counter()
            result = await skills.get(call.skill).invoke(dict(call.args))
            return result, (time.perf_counter() - start) * 1000

        start = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(call)) for call in calls]
        state["probe"].skills_ms = (time.perf_counter() - start) * 1000
        results = []
        for call, task in zip(calls, tasks, strict=True):
            result, ms = task.result()
            results.append(result)
            write(StatusEvent(stage="skill", state="finished", skill=call.skill, duration_ms=ms))
        composed = compose(agent, turn, results)
        for event in composed.events:
            write(event)
        return {"composed": composed}

    async def generate(state: FlowState) -> dict[str, Any]:
        write = get_stream_writer()
        turn, agent, composed = state["turn"], state["agent"], state["composed"]
        chosen = await examples.select(agent, turn.question, examples_k) if examples else []
        messages = few_shot_messages(agent, composed.facts, turn.question, chosen)
        model = assistant.agent_models.get(agent, assistant.model)
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        async for chunk in model.stream(messages, generation):
            if chunk.usage is not None:
                usage = {
                    "prompt_tokens": chunk.usage.prompt_tokens,
                    "completion_tokens": chunk.usage.completion_tokens,
                    "total_tokens": chunk.usage.total_tokens,
                }
            if chunk.delta:
                write(TextEvent(delta=chunk.delta))
        write(SuggestionsEvent(suggestions=composed.suggestions))
        write(DoneEvent(usage=usage, timings={}))
        return {}

    graph = StateGraph(FlowState)
    graph.add_node("route", route)
    graph.add_node("skills", call_skills)
    graph.add_node("generate", generate)
    graph.add_edge(START, "route")
    graph.add_edge("route", "skills")
    graph.add_edge("skills", "generate")
    graph.add_edge("generate", END)
    return graph.compile()


# --- measuring ----------------------------------------------------------------------------


@dataclass
class Measured:
    pace: str
    agent: str
    side: str
    total_ms: float
    model_ms: float
    held_ms: float
    routing_ms: float
    skills_ms: float
    ttft_added_ms: float
    tbt_added_ms: list[float]
    lag_ms: list[float]
    routed: str | None
    events: int

    @property
    def added_ms(self) -> float:
        return self.total_ms - self.model_ms - self.skills_ms

    @property
    def rest_ms(self) -> float:
        return self.added_ms - self.routing_ms - self.held_ms


@dataclass
class Consumed:
    started: float
    text_times: list[float] = field(default_factory=list)
    first_delta: str = ""
    routed: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    events: int = 0
    finished: float = 0.0

    def see(self, event: Event) -> None:
        self.events += 1
        if event.type == "text":
            self.text_times.append(time.perf_counter())
            if len(self.text_times) == 1:
                self.first_delta = event.delta
        elif event.type == "route":
            self.routed = event.agent
        elif event.type == "done":
            self.timings = event.timings


def measured(
    side: str, turn: TurnInput, seen: Consumed, model: TimedModel, routing: float, skills: float
) -> Measured:
    sid = stream_id(seen.first_delta)
    if sid is None or sid not in model.records:
        raise RuntimeError(f"{side}: no narration for {turn}")
    record = model.records.pop(sid)
    first_seen = seen.text_times[0]
    model_ttft = record.tokens[0] - record.requested
    ttft_added = (first_seen - seen.started) * 1000 - routing - skills - model_ttft * 1000
    return Measured(
        "free" if model.free_running else "pull",
        turn.agent,
        side,
        (seen.finished - seen.started) * 1000,
        record.busy * 1000,
        record.held * 1000,
        routing,
        skills,
        ttft_added,
        added_gaps(seen.text_times, record),
        lags(seen.text_times, record.tokens),
        seen.routed,
        seen.events,
    )


async def careerpilot_turn(assistant: Assistant, model: TimedModel, turn: TurnInput) -> Measured:
    seen = Consumed(time.perf_counter())
    async for event in assistant.turn(turn.question, turn.member_id, turn.page):
        seen.see(event)
    seen.finished = time.perf_counter()
    routing = seen.timings.get("routing_ms", 0.0)
    skills = seen.timings.get("skills_ms", 0.0)
    return measured("careerpilot", turn, seen, model, routing, skills)


async def langgraph_turn(graph: Any, model: TimedModel, turn: TurnInput) -> Measured:
    probe = Probe()
    seen = Consumed(time.perf_counter())
    async for event in graph.astream({"turn": turn, "probe": probe}, stream_mode="custom"):
        seen.see(event)
    seen.finished = time.perf_counter()
    return measured("langgraph", turn, seen, model, probe.routing_ms, probe.skills_ms)


def two_sides(
    assistant: Assistant, graph: Any, model: TimedModel
) -> dict[str, Callable[[TurnInput], Awaitable[Measured]]]:
    async def careerpilot(turn: TurnInput) -> Measured:
        return await careerpilot_turn(assistant, model, turn)

    async def langgraph(turn: TurnInput) -> Measured:
        return await langgraph_turn(graph, model, turn)

    return {"careerpilot": careerpilot, "langgraph": langgraph}


async def run(data_dir: Path, work: Path, small: bool, args: argparse.Namespace) -> list[Measured]:
    settings = bench_settings(data_dir, work, small)
    assistant = await Assistant.open(settings, model=TimedModel(0.0, 1))
    graph = build_graph(assistant)
    members = assistant.settings.network.members
    clear: Callable[[], None] = getattr(assistant.router.embedder, "_cache", {}).clear
    out: list[Measured] = []
    try:
        for pace in args.paces.split(","):
            # Both sides read assistant.model at each turn: one model object for both.
            model = TimedModel(args.token_ms / 1000, args.tokens, free_running=pace == "free")
            assistant.model = model
            sides = two_sides(assistant, graph, model)
            for turn in interleaved(turn_inputs(1, members, offset=1000)):  # warm-up
                for side in sides.values():
                    clear()
                    await side(turn)
            for n, turn in enumerate(interleaved(turn_inputs(args.turns, members))):
                order = list(sides) if n % 2 == 0 else list(sides)[::-1]
                for name in order:
                    clear()
                    out.append(await sides[name](turn))
    finally:
        await assistant.aclose()
    return out


PACES = {
    "pull": "the consumer pulls each token from ScriptedModel, which sleeps only when asked",
    "free": "ScriptedModel driven by a task into a queue, at its own pace (as the llama.cpp "
    "backend's worker thread)",
}


def report(results: list[Measured]) -> bool:
    passed = True
    for pace in dict.fromkeys(r.pace for r in results):
        print(f"\nmodel pace '{pace}': {PACES[pace]}")
        print(
            f"{'agent':17s} {'side':12s} {'turns':>5s} {'added p50':>9s} {'p99':>6s} "
            f"{'routing':>7s} {'held':>5s} {'rest':>5s} {'skills':>6s} {'TTFT+':>6s} "
            f"{'TBT+ p50':>8s} {'p99':>6s} {'lag p50':>7s} {'p99':>6s} {'events':>6s}"
        )
        ratios: dict[str, float] = {}
        bare: dict[str, float] = {}
        for agent in (*AGENTS, "all"):
            medians: dict[str, tuple[float, float]] = {}
            for side in ("careerpilot", "langgraph"):
                rows = [
                    r
                    for r in results
                    if r.pace == pace and r.side == side and agent in ("all", r.agent)
                ]
                added = [r.added_ms for r in rows]
                gaps = [g for r in rows for g in r.tbt_added_ms]
                lag = [g for r in rows for g in r.lag_ms]
                without = [r.added_ms - r.routing_ms for r in rows]
                medians[side] = (pct(added, 50), pct(without, 50))
                wrong = sum(r.routed != r.agent for r in rows)

                def p50(values: list[float], fmt: str) -> str:
                    return f"{pct(values, 50):{fmt}}"

                print(
                    f"{AGENT_LABELS.get(agent, 'all agents'):17s} {side:12s} {len(rows):5d} "
                    f"{pct(added, 50):9.2f} {pct(added, 99):6.2f} "
                    f"{p50([r.routing_ms for r in rows], '7.2f')} "
                    f"{p50([r.held_ms for r in rows], '5.2f')} "
                    f"{p50([r.rest_ms for r in rows], '5.2f')} "
                    f"{p50([r.skills_ms for r in rows], '6.2f')} "
                    f"{p50([r.ttft_added_ms for r in rows], '6.2f')} "
                    f"{pct(gaps, 50):8.3f} {pct(gaps, 99):6.3f} "
                    f"{pct(lag, 50):7.3f} {pct(lag, 99):6.3f} "
                    f"{p50([r.events for r in rows], '6.0f')}"
                    + (f"  misrouted {wrong}" if wrong else "")
                )
            ratios[agent] = medians["careerpilot"][0] / medians["langgraph"][0]
            bare[agent] = medians["careerpilot"][1] / medians["langgraph"][1]
            print(
                f"{'':17s} careerpilot / langgraph, median added: {ratios[agent]:.2f}; "
                f"without routing: {bare[agent]:.2f}"
            )
        worst = max(v for k, v in bare.items() if k != "all")
        ok = bare["all"] <= RATIO_TARGET and worst <= RATIO_TARGET
        if pace == TARGET_PACE:
            passed = passed and ok
            verdict = "PASS" if ok else "FAIL"
        else:
            verdict = f"{'PASS' if ok else 'FAIL'} (a stress diagnostic: the target is judged at "
            verdict += f"the fixed token rate, pace '{TARGET_PACE}')"
        print(
            f"pace '{pace}': careerpilot's median added latency per turn, the shared router's own "
            f"time excluded, is {bare['all']:.2f}x LangGraph's (worst agent {worst:.2f}x); "
            f"target <= {RATIO_TARGET:g}x: {verdict}. With the router's time counted on both "
            f"sides: {ratios['all']:.2f}x"
        )
    print(
        "\nadded = turn wall time - the model's own time - the skills' wall time; held = time "
        "the consumer held tokens before asking the model for the next (the pipeline's work per "
        "token on the model's critical path); rest = added - routing - held; TTFT+ = TTFT - "
        "routing - skills - the model's TTFT; TBT+ = gap - the model's own time for the token; "
        "lag = seen - yielded; ms, p50 unless p99"
    )
    print(
        "baseline: the same flow in LangGraph (StateGraph route -> skills -> generate, "
        "astream stream_mode='custom'), same run, same inputs, same router, skills and model"
    )
    return passed


def main(args: argparse.Namespace) -> None:
    import langgraph.version

    print(
        f"scripted model: {args.token_ms:g} ms/token, {args.tokens} tokens per answer; "
        f"{args.turns} turns per agent per side per pace; langgraph {langgraph.version.__version__}"
    )
    print(machine_load())
    with prepared_data(args) as (data_dir, work, small):
        print(f"data: {data_dir}{' (small network)' if small else ''}")
        ok = report(asyncio.run(run(data_dir, work, small, args)))
    print(f"at the end: {machine_load()}")
    print(f"langgraph_flow: {'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=15, help="turns per agent per side")
    parser.add_argument(
        "--paces", default="pull,free", help="how the model paces its tokens: pull, free"
    )
    parser.add_argument("--token-ms", type=float, default=20.0, help="the model's ms per token")
    parser.add_argument("--tokens", type=int, default=40, help="tokens per answer")
    add_data_options(parser)
    main(parser.parse_args())
