"""What a turn spends on LLMs: tokens and cost per endpoint, against the turn's token budget.

``Assistant.turn`` opens a ``ledger_scope``; every pooled model call records its usage in the
current ledger (``current_ledger``), priced from its endpoint's price table, and checks the
budget before it starts. The ledger's totals travel in the turn's ``done`` event.
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from careerpilot.errors import BudgetExceededError
from careerpilot.llm.base import ChatMessage, GenerationOptions, Usage

__all__ = [
    "EndpointSpend",
    "Price",
    "TurnLedger",
    "current_ledger",
    "estimate_tokens",
    "ledger_scope",
]


def estimate_tokens(messages: Sequence[ChatMessage]) -> int:
    """A prompt's tokens before the backend counts them: about 4 characters a token in
    English for BPE tokenizers, plus a few per message for the chat template."""
    return sum(len(m.content) for m in messages) // 4 + 4 * len(messages)


@dataclass(frozen=True, slots=True)
class Price:
    """US dollars per 1,000 tokens (an embedded model costs nothing per token)."""

    prompt_per_1k: float = 0.0
    completion_per_1k: float = 0.0

    def cost(self, usage: Usage) -> float:
        return (
            usage.prompt_tokens * self.prompt_per_1k
            + usage.completion_tokens * self.completion_per_1k
        ) / 1000


@dataclass(slots=True)
class EndpointSpend:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


@dataclass
class TurnLedger:
    budget_tokens: int | None = None
    by_endpoint: dict[str, EndpointSpend] = field(default_factory=dict)
    # Seconds the turn's LLM calls waited for an endpoint slot, and held one, summed over its
    # calls (router fallback, planner, narration) on every endpoint: the first says whether
    # endpoints are saturated, the second is what `careerpilot capacity` sizes them by.
    slot_wait_s: float = 0.0
    slot_hold_s: float = 0.0

    @property
    def total_tokens(self) -> int:
        return sum(s.prompt_tokens + s.completion_tokens for s in self.by_endpoint.values())

    @property
    def cost_usd(self) -> float:
        return sum(s.cost_usd for s in self.by_endpoint.values())

    def record(self, endpoint: str, usage: Usage, price: Price) -> float:
        """Add one call's usage; returns its cost."""
        spend = self.by_endpoint.setdefault(endpoint, EndpointSpend())
        cost = price.cost(usage)
        spend.calls += 1
        spend.prompt_tokens += usage.prompt_tokens
        spend.completion_tokens += usage.completion_tokens
        spend.cost_usd += cost
        return cost

    def admit(
        self, options: GenerationOptions, messages: Sequence[ChatMessage] = ()
    ) -> GenerationOptions:
        """Before a call: refuse it when what is left cannot hold its prompt, else cap its
        completion to what is left after the prompt (estimated: backends count differently)."""
        if self.budget_tokens is None:
            return options
        left = self.budget_tokens - self.total_tokens - estimate_tokens(messages)
        if left <= 0:
            raise BudgetExceededError(
                f"the turn's {self.budget_tokens:,}-token budget is spent "
                f"({self.total_tokens:,} used, about {estimate_tokens(messages):,} more needed)"
            )
        if options.max_tokens > left:
            return dataclasses.replace(options, max_tokens=left)
        return options

    def slot_timings(self) -> dict[str, float]:
        """``llm_wait_ms`` and ``llm_hold_ms`` for the turn's timings (none without a call)."""
        if not self.by_endpoint and not self.slot_hold_s and not self.slot_wait_s:
            return {}
        return {
            "llm_wait_ms": round(self.slot_wait_s * 1000, 2),
            "llm_hold_ms": round(self.slot_hold_s * 1000, 2),
        }

    def summary(self) -> dict[str, float]:
        return {"cost_usd": round(self.cost_usd, 6)}


_current: contextvars.ContextVar[TurnLedger | None] = contextvars.ContextVar(
    "careerpilot_ledger", default=None
)


def current_ledger() -> TurnLedger | None:
    return _current.get()


@contextmanager
def ledger_scope(ledger: TurnLedger) -> Iterator[TurnLedger]:
    token = _current.set(ledger)
    try:
        yield ledger
    finally:
        _current.reset(token)
