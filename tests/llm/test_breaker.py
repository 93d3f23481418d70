"""The circuit breaker's state machine, driven by a fake clock."""

from careerpilot.llm.breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_and_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(failures=3, cooldown_s=10, clock=Clock())
    breaker.failed()
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    breaker.failed()
    assert breaker.state == "closed" and breaker.allow()
    breaker.failed()
    assert breaker.state == "open" and not breaker.allow()


def test_half_open_lets_one_probe_through_and_its_outcome_decides() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, cooldown_s=10, max_cooldown_s=25, clock=clock)
    breaker.failed()
    assert breaker.retry_after_s() == 10
    clock.now = 9.9
    assert not breaker.allow()
    clock.now = 10
    assert breaker.state == "half_open"
    assert breaker.allow() and not breaker.allow()  # one probe at a time
    breaker.failed()  # the probe failed: open again, for twice as long
    assert breaker.state == "open" and breaker.retry_after_s() == 20
    clock.now = 30
    assert breaker.allow()
    breaker.failed()
    assert breaker.retry_after_s() == 25  # capped
    clock.now = 55
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.allow() and breaker.allow()
    breaker.failed()
    assert breaker.retry_after_s() == 10  # the cooldown starts over after a recovery


def test_an_abandoned_probe_frees_its_place() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=1, cooldown_s=1, clock=clock)
    breaker.failed()
    clock.now = 1
    assert breaker.allow() and not breaker.allow()
    breaker.abandoned()  # the probing turn was cancelled: no outcome
    assert breaker.allow()
