"""The LLM endpoint pool: every task's model calls go through a chain of endpoints.

An endpoint is one configured backend (``[llm]`` is "default"; more under ``[endpoints.NAME]``)
with a concurrency limit, timeouts, a circuit breaker, a price table and a fallback chain.
Each task (router fallback, planner, generator, judge) names its endpoint in ``[tasks]``, and
``EndpointPool.for_task`` gives it a ``PooledModel``: a ``ChatModel`` that, per request,

1. skips endpoints whose circuit is open;
2. waits for a slot (at most ``queue_timeout_s``, never past the turn's deadline); a saturated
   endpoint passes the request on to the next one;
3. streams with a first-token timeout and a stall timeout between tokens; a failure before the
   first token fails over to the next endpoint, a failure after it ends the answer (what was
   streamed cannot be taken back);
4. records usage and cost in the turn's ledger and checks its token budget before starting.

Failures that count against a breaker: the backend unreachable or erroring, a timeout. Not:
the turn's own deadline, a cancelled turn, a spent budget.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import aclosing
from typing import Protocol

from careerpilot.config import LLMSettings, Settings
from careerpilot.deadline import within_deadline
from careerpilot.errors import ConfigurationError, ModelError, ModelUnavailableError
from careerpilot.llm.accounting import Price, current_ledger
from careerpilot.llm.base import ChatMessage, ChatModel, Chunk, GenerationOptions, Usage
from careerpilot.llm.breaker import CircuitBreaker

__all__ = ["DEFAULT_ENDPOINT", "Endpoint", "EndpointPool", "PoolObserver", "PooledModel"]

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "default"
TASKS = ("router_fallback", "planner", "generator", "judge")
_DEFAULT_OPTIONS = GenerationOptions()


class PoolObserver(Protocol):
    """Hears what the pool spends and where it fails over (metrics)."""

    def endpoint_usage(self, endpoint: str, usage: Usage, cost_usd: float) -> None: ...

    def endpoint_fallback(self, endpoint: str, reason: str) -> None: ...


class Endpoint:
    """One backend, its limits and its breaker. With ``per_agent_models`` (llamacpp), each key
    (an agent) gets its own model instance, sharing this endpoint's slots and breaker. A
    ``dedicated`` key (the eval judge) gets its own llama.cpp instance even without it, so its
    prompts never evict a narrator's prompt prefix from the shared instance's KV cache."""

    def __init__(
        self,
        name: str,
        settings: LLMSettings,
        make_model: Callable[[LLMSettings], ChatModel],
        model: ChatModel | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self._make_model = make_model
        self._models: dict[str | None, ChatModel] = {} if model is None else {None: model}
        # Instances are this endpoint's own llama.cpp models (not one passed in).
        self.own_llamacpp = model is None and settings.backend == "llamacpp"
        self.per_key = self.own_llamacpp and settings.per_agent_models
        concurrency = settings.max_concurrency or (1 if settings.backend == "llamacpp" else 16)
        self.max_concurrency = concurrency
        self.slots = asyncio.Semaphore(concurrency)
        self.breaker = CircuitBreaker(
            failures=settings.breaker_failures, cooldown_s=settings.breaker_cooldown_s
        )
        self.price = Price(settings.price_prompt_per_1k, settings.price_completion_per_1k)

    def model(self, key: str | None = None, *, dedicated: bool = False) -> ChatModel:
        slot = key if self.per_key or (dedicated and self.own_llamacpp) else None
        if slot not in self._models:
            self._models[slot] = self._make_model(self.settings)
        return self._models[slot]

    def models(self) -> list[ChatModel]:
        return list(self._models.values())

    @property
    def in_use(self) -> int:
        return self.max_concurrency - self.slots._value

    async def aclose(self) -> None:
        for model in self._models.values():
            close = getattr(model, "aclose", None)
            if close is not None:
                await close()


class EndpointPool:
    def __init__(
        self,
        settings: Settings,
        *,
        model: ChatModel | None = None,
        make_model: Callable[[LLMSettings], ChatModel] | None = None,
        observer: PoolObserver | None = None,
    ) -> None:
        """``model`` stands in for the default endpoint's backend (tests bring a scripted one)."""
        if make_model is None:
            from careerpilot.llm.factory import create_chat_model

            make_model = create_chat_model
        self.endpoints: dict[str, Endpoint] = {
            DEFAULT_ENDPOINT: Endpoint(DEFAULT_ENDPOINT, settings.llm, make_model, model)
        }
        for name, endpoint_settings in settings.endpoints.items():
            if name == DEFAULT_ENDPOINT:
                raise ConfigurationError('"default" is the [llm] endpoint; name others otherwise')
            self.endpoints[name] = Endpoint(name, endpoint_settings, make_model)
        self.tasks = settings.tasks.model_dump()
        self.observer = observer
        for endpoint in self.endpoints.values():
            self.chain(endpoint.name)  # fail at start-up on an unknown fallback name
        for task, name in self.tasks.items():
            if name not in self.endpoints:
                raise ConfigurationError(f"task {task!r} names an unknown endpoint {name!r}")

    def chain(self, name: str) -> list[Endpoint]:
        """The endpoint, then its fallbacks in order (each once)."""
        first = self.endpoints[name]
        names = list(dict.fromkeys([name, *first.settings.fallback]))
        unknown = [n for n in names if n not in self.endpoints]
        if unknown:
            raise ConfigurationError(f"endpoint {name!r} falls back to unknown {unknown}")
        return [self.endpoints[n] for n in names]

    def for_task(
        self, task: str, key: str | None = None, *, dedicated: bool = False
    ) -> PooledModel:
        """The task's model over its endpoint's chain; ``key`` and ``dedicated``: see
        ``Endpoint``."""
        if task not in self.tasks:
            raise ConfigurationError(f"unknown LLM task {task!r}; one of {', '.join(TASKS)}")
        return PooledModel(self, self.tasks[task], key, dedicated=dedicated)

    async def aclose(self) -> None:
        for endpoint in self.endpoints.values():
            await endpoint.aclose()


class PooledModel:
    """A ``ChatModel`` over an endpoint's chain (see the module docstring)."""

    def __init__(
        self, pool: EndpointPool, endpoint: str, key: str | None = None, *, dedicated: bool = False
    ) -> None:
        self.pool = pool
        self.endpoint = endpoint
        self.key = key
        self.dedicated = dedicated
        self.chain = pool.chain(endpoint)
        # Per-backend counters (planner metrics) key on the backend's name, not the pool's.
        self.name: str = getattr(self._model(self.chain[0]), "name", endpoint)

    def _model(self, endpoint: Endpoint) -> ChatModel:
        return endpoint.model(self.key, dedicated=self.dedicated)

    @property
    def primary(self) -> ChatModel:
        """The primary endpoint's own model (to warm its prompt prefix, for instance)."""
        return self._model(self.chain[0])

    async def stream(
        self, messages: Sequence[ChatMessage], options: GenerationOptions = _DEFAULT_OPTIONS
    ) -> AsyncIterator[Chunk]:
        ledger = current_ledger()
        if ledger is not None:
            options = ledger.admit(options, messages)
        failures: list[str] = []
        errors: list[Exception] = []
        for endpoint in self.chain:
            if not endpoint.breaker.allow():
                failures.append(f"{endpoint.name}: circuit open")
                self._fallback(endpoint, "circuit_open")
                continue
            waiting = time.perf_counter()
            try:
                async with within_deadline("waiting for an LLM", endpoint.settings.queue_timeout_s):
                    await endpoint.slots.acquire()
            except TimeoutError:
                endpoint.breaker.abandoned()
                failures.append(f"{endpoint.name}: saturated")
                self._fallback(endpoint, "saturated")
                continue
            except BaseException:
                endpoint.breaker.abandoned()
                raise
            finally:
                if ledger is not None:
                    ledger.slot_wait_s += time.perf_counter() - waiting
            holding = time.perf_counter()
            started = False
            try:
                attempt = self._attempt(endpoint, messages, options)
                async with aclosing(attempt) as chunks:
                    async for chunk in chunks:
                        started = started or bool(chunk.delta)
                        yield chunk
            except (ModelError, TimeoutError) as exc:
                endpoint.breaker.failed()
                reason = str(exc) or f"no token within {self._limit(endpoint, started):g} s"
                if started:  # what was streamed cannot be taken back
                    raise ModelError(f"{endpoint.name} failed mid-answer: {reason}") from exc
                failures.append(f"{endpoint.name}: {reason}")
                errors.append(exc)
                self._fallback(endpoint, type(exc).__name__)
                log.warning("LLM endpoint %s failed, trying the next: %s", endpoint.name, reason)
                continue
            except BaseException:  # cancelled, the deadline, a consumer that stopped reading
                endpoint.breaker.abandoned()
                raise
            finally:
                endpoint.slots.release()
                if ledger is not None:
                    ledger.slot_hold_s += time.perf_counter() - holding
            endpoint.breaker.succeeded()
            return
        if len(failures) == 1 and len(errors) == 1 and isinstance(errors[0], ModelError):
            raise errors[0]  # one endpoint, one failure: its own error says it best
        raise ModelUnavailableError("no LLM endpoint could answer: " + "; ".join(failures))

    @staticmethod
    def _limit(endpoint: Endpoint, started: bool) -> float:
        settings = endpoint.settings
        return settings.stall_timeout_s if started else settings.first_token_timeout_s

    async def _attempt(
        self, endpoint: Endpoint, messages: Sequence[ChatMessage], options: GenerationOptions
    ) -> AsyncGenerator[Chunk, None]:
        """One endpoint's stream, each wait bounded (never across a ``yield``)."""
        started = False
        async with aclosing(self._model(endpoint).stream(messages, options)) as inner:  # type: ignore[type-var]
            while True:
                try:
                    async with within_deadline("generation", self._limit(endpoint, started)):
                        chunk = await anext(inner)
                except StopAsyncIteration:
                    return
                if chunk.usage is not None:
                    self._spend(endpoint, chunk.usage)
                started = started or bool(chunk.delta)
                yield chunk

    def _spend(self, endpoint: Endpoint, usage: Usage) -> None:
        ledger = current_ledger()
        cost = endpoint.price.cost(usage)
        if ledger is not None:
            ledger.record(endpoint.name, usage, endpoint.price)
        if self.pool.observer is not None:
            self.pool.observer.endpoint_usage(endpoint.name, usage, cost)

    def _fallback(self, endpoint: Endpoint, reason: str) -> None:
        if self.pool.observer is not None:
            self.pool.observer.endpoint_fallback(endpoint.name, reason)
