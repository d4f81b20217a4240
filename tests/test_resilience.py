"""The deadline, the circuit breaker and single flight on their own, with a clock we move."""

from __future__ import annotations

import threading

import pytest

from embedding.models.resilience import (
    CircuitBreaker,
    CircuitOpen,
    Deadline,
    SingleFlight,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_deadline_counts_down_and_never_goes_negative():
    clock = Clock()
    d = Deadline(10, clock=clock)
    clock.advance(4)
    assert d.remaining() == 6 and not d.expired() and d.elapsed() == 4
    clock.advance(7)
    assert d.remaining() == 0 and d.expired()


def test_breaker_states_one_probe_and_a_window_that_doubles():
    clock = Clock()
    b = CircuitBreaker(cooldown=30, max_cooldown=100, clock=clock)
    assert b.status().state == "unchecked"
    assert b.enter(Deadline(5, clock=clock)) is True  # the first caller is the probe
    b.failed("it did not answer within 5 s.")
    s = b.status()
    assert (s.state, s.retry_in, s.reason) == ("open", 30, "it did not answer within 5 s.")
    with pytest.raises(CircuitOpen) as exc:  # skipped at once, nobody waits
        b.enter(Deadline(5, clock=clock))
    assert exc.value.retry_in == 30
    clock.advance(30)
    assert b.status().state == "half-open"
    assert b.enter(Deadline(5, clock=clock)) is True  # one probe…
    assert b.status().probing
    b.failed("still down")  # …fails: the window doubles
    assert b.status().retry_in == 60 and b.status().cooldown == 60
    clock.advance(60)
    assert b.enter(Deadline(5, clock=clock)) is True
    b.failed("still down")
    assert b.status().retry_in == 100  # capped at max_cooldown
    clock.advance(100)
    assert b.enter(Deadline(5, clock=clock)) is True
    b.succeeded(0.12)
    s = b.status()
    assert (s.state, s.cooldown, s.latency, s.successes) == ("closed", 30, 0.12, 1)
    assert b.enter(Deadline(5, clock=clock)) is False  # closed: everyone goes


def test_a_rate_limit_keeps_the_breaker_open_as_long_as_asked():
    clock = Clock()
    b = CircuitBreaker(cooldown=30, clock=clock)
    b.failed("429", retry_after=120)
    assert b.status().retry_in == 120


def test_others_wait_for_the_probes_verdict_instead_of_asking_too():
    b = CircuitBreaker(cooldown=30)
    assert b.enter(Deadline(5)) is True  # the probe is out
    results: list = []
    entered = threading.Barrier(5)

    def caller() -> None:
        entered.wait()
        try:
            results.append(b.enter(Deadline(30)))
        except CircuitOpen as exc:
            results.append(exc.reason)

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for t in threads:
        t.start()
    entered.wait()  # the four are in enter() or about to be: none may become a probe
    b.failed("no answer")
    for t in threads:
        t.join(10)
    assert results == ["no answer"] * 4  # the probe's verdict, without contacting anyone


def test_a_waiter_whose_deadline_passes_gets_a_calm_error_not_a_second_probe():
    b = CircuitBreaker(cooldown=30)
    assert b.enter(Deadline(5)) is True
    with pytest.raises(CircuitOpen) as exc:
        b.enter(Deadline(0.01))
    assert exc.value.probing
    b.release()  # the probe gave up without a verdict: the next caller probes
    assert b.enter(Deadline(1)) is True


def test_single_flight_shares_one_run_and_its_error():
    flights = SingleFlight()
    release, calls = threading.Event(), []

    def slow():
        calls.append(1)
        release.wait(10)
        raise ValueError("down")

    futures = [flights.submit("k", slow) for _ in range(10)]
    assert len({id(f) for f in futures}) == 1 and len(flights) == 1
    release.set()
    for f in futures:
        with pytest.raises(ValueError, match="down"):
            f.result(10)
    assert calls == [1]
    assert flights.running("k") is None  # forgotten once finished: the next call runs again
    assert flights.submit("k", lambda: 42).result(10) == 42
