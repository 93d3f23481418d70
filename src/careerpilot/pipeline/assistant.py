"""One turn, end to end: router → agent → skills → generation, as a stream of events.

``Assistant`` owns the long-lived parts (model, embedder, router, skills and their HTTP client)
and runs turns. ``done`` or ``error`` is always the last event of a turn.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

import httpx

from careerpilot.agents.base import Agent, PageContext, TurnContext
from careerpilot.agents.example_store import ExampleStore
from careerpilot.agents.prompting import example_messages
from careerpilot.agents.registry import default_agents
from careerpilot.config import Settings
from careerpilot.deadline import deadline_scope, within_deadline
from careerpilot.errors import (
    CareerpilotError,
    ConfigurationError,
    InvalidQuestionError,
    NotFoundError,
)
from careerpilot.llm.accounting import TurnLedger, ledger_scope
from careerpilot.llm.base import ChatMessage, ChatModel, GenerationOptions
from careerpilot.llm.pool import EndpointPool
from careerpilot.network.api import create_network_app
from careerpilot.network.repository import NetworkRepository
from careerpilot.network.seeding import ensure_seeded
from careerpilot.pipeline.events import DoneEvent, ErrorEvent, Event, RouteEvent, StatusEvent
from careerpilot.pipeline.preparation import PreparationGate
from careerpilot.pipeline.presenter import Presenter
from careerpilot.pipeline.timing import TurnTimer
from careerpilot.retrieval.embedder import Embedder
from careerpilot.routing.fallback import LLMRouteFallback
from careerpilot.routing.router import Router

if TYPE_CHECKING:
    from careerpilot.retrieval.setup import SearchStack
from careerpilot.skills.defaults import default_skills
from careerpilot.skills.http import NetworkApi

__all__ = ["NARRATING_AGENTS", "Assistant"]

# The agents whose answers the LLM words (out_of_scope never calls it).
NARRATING_AGENTS = ("job_assessment", "post_takeaways", "company", "career_advice", "general")

log = logging.getLogger(__name__)

_IN_PROCESS_API = "http://network.internal"


class Assistant:
    def __init__(
        self,
        settings: Settings,
        *,
        model: ChatModel,
        router: Router,
        http: httpx.AsyncClient,
        agents: dict[str, Agent],
        network_repository: NetworkRepository | None = None,
        search: SearchStack | None = None,
        examples: ExampleStore | None = None,
        agent_models: dict[str, ChatModel] | None = None,
        pool: EndpointPool | None = None,
    ) -> None:
        self.settings = settings
        self.pool = pool
        # The planner's endpoint ([tasks] planner); None: the agent's own model.
        self.planner_model = pool.for_task("planner") if pool is not None else None
        self.model = model
        self.router = router
        self.http = http
        knowledge = search.knowledge if search is not None else None
        self.skills = default_skills(NetworkApi(http), settings, knowledge=knowledge)
        self.search = search
        self.examples = examples
        # Per-agent model instances (embedded backend): each keeps its own prompt prefix in its
        # KV cache, so interleaved turns of different agents do not evict each other's prefix.
        self.agent_models = agent_models or {}
        self.agents = agents
        unknown = set(settings.chain_of_thought.agents) - set(agents)
        if unknown:
            raise ConfigurationError(
                f"chain_of_thought.agents names no agent: {', '.join(sorted(unknown))}"
                f" (agents: {', '.join(sorted(agents))})"
            )
        self.network_repository = network_repository
        self.preparation = PreparationGate(settings.max_preparing_turns)
        self.generation = GenerationOptions(
            max_tokens=settings.llm.max_tokens,
            temperature=settings.llm.temperature,
            seed=settings.llm.seed,
        )

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        model: ChatModel | None = None,
        embedder: Embedder | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Assistant:
        """Build the assistant: seed the network if it is missing, load models, warm the router."""
        # Imported here so that library users who bring their own parts do not pay for them.
        from careerpilot.retrieval.embedder import OnnxEmbedder
        from careerpilot.retrieval.setup import SearchStack, refresh_indexes

        # Every LLM call goes through the endpoint pool (limits, timeouts, breakers, fallback,
        # cost). On llamacpp with per_agent_models each narrating agent gets its own instance
        # (loaded lazily; the weights file is memory-mapped and shared; each instance adds its
        # KV cache and compute buffers, ~160 MB at n_ctx 2048).
        pool = EndpointPool(settings, model=model)
        model = pool.for_task("generator")
        per_agent = pool.chain(pool.tasks["generator"])[0].per_key
        agent_models: dict[str, ChatModel] = (
            {a: pool.for_task("generator", key=a) for a in NARRATING_AGENTS} if per_agent else {}
        )
        warm = getattr(model.primary, "warm", None)
        # The LLM loads on its own thread while the embedder loads and the indexes open.
        model_ready = asyncio.ensure_future(warm()) if warm is not None else None
        repository: NetworkRepository | None = None
        try:
            if settings.api_base_url is None:
                await asyncio.to_thread(ensure_seeded, settings, progress)
            if embedder is None:
                embedder = await asyncio.to_thread(OnnxEmbedder, settings.embedder)
            search = SearchStack.open(settings, embedder)
            if settings.api_base_url is None:
                say = progress or (lambda _m: None)
                # Up-to-date indexes cost a few stat calls; the first run embeds everything.
                await refresh_indexes(
                    settings,
                    search,
                    lambda c, d, t: say(f"indexing {t} {c} documents") if d == 0 and t else None,
                )
                repository = NetworkRepository(settings.network_db_path)
                app = create_network_app(repository, search.network)
                transport = httpx.ASGITransport(app=app)
                http = httpx.AsyncClient(transport=transport, base_url=_IN_PROCESS_API)
            else:
                http = httpx.AsyncClient(
                    base_url=settings.api_base_url, timeout=settings.api_timeout_s
                )
            router = Router(
                embedder,
                cache_dir=settings.ensure_data_dir() / "cache",
                fallback=LLMRouteFallback(pool.for_task("router_fallback")),
            )
            await router.warm()
        finally:
            if model_ready is not None:
                await model_ready
        return cls(
            settings,
            model=model,
            router=router,
            http=http,
            agents=default_agents(),
            network_repository=repository,
            search=search,
            examples=ExampleStore(
                embedder, [settings.data_dir / "examples"], use_pinned=settings.examples_pinned
            ),
            agent_models=agent_models,
            pool=pool,
        )

    async def warm_prefixes(self) -> None:
        """Load each agent's model and process its static prompt prefix (system prompt and
        pinned examples) once, so that the first real turn pays only for what is new, and
        every later one too when each agent has its own instance. ``serve`` calls this."""
        for agent in NARRATING_AGENTS:
            model = self.agent_models.get(agent, self.model)
            model = getattr(model, "primary", model)  # the backend behind the pool
            if getattr(model, "warm", None) is None:
                continue  # a remote or scripted model: no local prefix to warm
            pinned = await self.examples.select(agent, "", 0) if self.examples else []
            messages = example_messages(agent, pinned)
            options = GenerationOptions(max_tokens=1, temperature=0.0, seed=self.generation.seed)
            async for _chunk in model.stream(messages, options):
                pass

    async def aclose(self) -> None:
        for extra in self.agent_models.values():
            close_extra = getattr(extra, "aclose", None)
            if close_extra is not None:
                await close_extra()
        await self.http.aclose()
        if self.network_repository is not None:
            await self.network_repository.aclose()
        if self.pool is not None:
            await self.pool.aclose()  # every endpoint's models, including one passed in
            return
        close = getattr(self.model, "aclose", None)
        if close is not None:
            await close()

    @staticmethod
    async def _job_card(ctx: TurnContext, job_id: int) -> dict[str, Any]:
        """A job as a card, for ``{{job: ID}}`` markup in an answer: only a job this turn's
        skills returned. Markup the model copied from a post or a web page names other jobs;
        it must not make the turn look anything up (injected content stays data)."""
        from careerpilot.agents.job_assessment import job_card
        from careerpilot.network.schemas import Job, Page

        for output in ctx.skill_outputs.values():
            found = output.items if isinstance(output, Page) else [output]
            for job in found:
                if isinstance(job, Job) and job.id == job_id:
                    return job_card(job).model_dump()
        raise NotFoundError("job in this turn's results", job_id)

    def validate_question(self, text: str) -> str:
        question = text.strip()
        if not question:
            raise InvalidQuestionError("the question is empty")
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise InvalidQuestionError(
                f"the question is {len(question):,} characters long; the limit is {limit:,}"
            )
        return question

    async def turn(
        self,
        question: str,
        member_id: int,
        page: PageContext | None = None,
        history: Sequence[ChatMessage] = (),
        previous_agent: str | None = None,
    ) -> AsyncGenerator[Event, None]:
        """Run one turn. Cancelling the consumer cancels the skills and the LLM generation.

        ``previous_agent`` (the agent of the conversation's last answer) lets a follow-up such
        as "and what about remote ones?" stay with it."""
        ledger = TurnLedger(self.settings.turn_token_budget)
        # The deadline counts from arrival: waiting for a preparation slot spends it too.
        with deadline_scope(self.settings.turn_deadline_s), ledger_scope(ledger):
            timer = TurnTimer()
            ctx: TurnContext | None = None
            with timer.stage("queued"):
                slot = await self.preparation.acquire()
            try:
                question = self.validate_question(question)
                with timer.stage("routing"):
                    async with within_deadline("routing"):
                        route = await self.router.route(
                            question, page.type if page else None, previous_agent
                        )
                yield RouteEvent(
                    agent=route.agent,
                    confidence=route.confidence,
                    fallback=route.fallback,
                    follow_up=route.follow_up,
                )
                ctx = TurnContext(
                    question=question,
                    member_id=member_id,
                    page=page,
                    skills=self.skills,
                    model=self.agent_models.get(route.agent, self.model),
                    generation=self.generation,
                    history=history,
                    timer=timer,
                    examples=self.examples,
                    examples_k=self.settings.examples_k,
                    on_generate=slot.release,
                    planner_model=self.planner_model,
                    chain_of_thought=self.settings.chain_of_thought
                    if route.agent in self.settings.chain_of_thought.agents
                    else None,
                )
                agent = self.agents[route.agent]
                yield StatusEvent(stage="agent", state="started", detail=agent.name)
                # aclosing: when the consumer stops, the agent (and its model stream) stop now,
                # not whenever the garbage collector finalises the generators.
                presenter = Presenter(functools.partial(self._job_card, ctx))
                async with (
                    aclosing(agent.run(ctx)) as agent_events,
                    aclosing(presenter.present(agent_events)) as events,
                ):
                    async for event in events:
                        if event.type == "component":
                            timer.component()
                        yield event
                yield StatusEvent(stage="agent", state="finished", detail=agent.name)
            except CareerpilotError as exc:
                slot.release()
                yield ErrorEvent(code=exc.code, message=exc.message, retryable=exc.retryable)
                return
            except Exception as exc:  # the member gets a typed error, the operator the traceback
                slot.release()
                log.exception("turn failed")
                yield ErrorEvent(
                    code="internal_error",
                    message=f"the turn failed: {type(exc).__name__}",
                    retryable=True,
                )
                return
            finally:
                slot.release()
            # Every LLM call of the turn (router fallback, planner, narration) when they went
            # through the pool; the narration's own count otherwise.
            spent = ledger.by_endpoint.values()
            prompt = sum(s.prompt_tokens for s in spent)
            completion = sum(s.completion_tokens for s in spent)
            if not spent and ctx is not None:
                prompt, completion = ctx.usage.prompt_tokens, ctx.usage.completion_tokens
            usage = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }
            yield DoneEvent(
                usage=usage,
                timings=timer.summary() | ledger.slot_timings(),
                cost_usd=round(ledger.cost_usd, 6),
            )
