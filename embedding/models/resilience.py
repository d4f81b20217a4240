"""Failing well when a remote service is slow or down: one deadline, a circuit breaker, one flight.

- :class:`Deadline`: one time limit for a whole action (every try, every wait included).
- :class:`CircuitBreaker`: after a failure the service is *open* (skipped at once, no waiting)
  for a cool-down; then *half-open*: one probe at a time finds out whether it is back, and
  everyone else waits for that probe's verdict instead of asking too. A process starts
  *unchecked*, which behaves like half-open: the first caller is the probe.
- :class:`SingleFlight`: concurrent callers asking for the same thing share one run, its
  result or its error.

    >>> breaker = CircuitBreaker(cooldown=30, clock=lambda: 0.0)
    >>> breaker.enter(Deadline(5, clock=lambda: 0.0))   # the first caller is the probe
    True
    >>> breaker.failed("no answer within 5 s"); breaker.status().state
    'open'
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

Clock = Callable[[], float]

UNCHECKED, CLOSED, OPEN, HALF_OPEN = "unchecked", "closed", "open", "half-open"


class Deadline:
    """A point in time ``seconds`` from now; :meth:`remaining` is what is left of it.

    Usage: ``d = Deadline(10)`` … ``client.create(..., timeout=d.remaining())``
    """

    def __init__(self, seconds: float, clock: Clock = time.monotonic):
        self.seconds, self._clock = float(seconds), clock
        self.at = clock() + self.seconds

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self.at - self._clock())

    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def elapsed(self) -> float:
        return self.seconds - (self.at - self._clock())


class CircuitOpen(Exception):
    """The breaker is open (or a probe is still out when the caller's deadline came):
    ``retry_in`` seconds until the next probe may go, ``reason`` the failure that opened it."""

    def __init__(self, reason: str, retry_in: float, probing: bool = False):
        super().__init__(reason)
        self.reason, self.retry_in, self.probing = reason, retry_in, probing


@dataclass(frozen=True)
class BreakerStatus:
    """What the instructor sees: the state, how long until the next probe (``open``), the last
    failure and when it happened (clock seconds ago), and the last answer's latency."""

    state: str
    retry_in: float
    reason: str | None
    failed_ago: float | None
    latency: float | None
    probing: bool
    failures: int  # consecutive failed tries since the last success
    cooldown: float  # the current window
    successes: int  # answers since the process started (a newer success makes old failures stale)


class CircuitBreaker:
    """Closed / open / half-open, shared by every caller in the process (thread-safe).

    ``cooldown`` is the first window a failing service is skipped; each failed probe doubles
    it, up to ``max_cooldown``; a success resets it. A ``retry_after`` the service asked for
    (HTTP 429) lengthens the window to at least that.
    """

    def __init__(self, cooldown: float = 30.0, max_cooldown: float = 300.0,
                 clock: Clock = time.monotonic):
        self.base_cooldown, self.max_cooldown = float(cooldown), float(max(cooldown, max_cooldown))
        self._clock = clock
        self._cond = threading.Condition()
        self._state = UNCHECKED
        self._cooldown = self.base_cooldown
        self._open_until = 0.0
        self._probing = False
        self._reason: str | None = None
        self._failed_at: float | None = None
        self._latency: float | None = None
        self._failures = 0
        self._successes = 0

    def _refresh(self) -> None:  # under the lock: an open breaker whose window ended
        if self._state == OPEN and self._clock() >= self._open_until:
            self._state = HALF_OPEN

    def enter(self, deadline: Deadline) -> bool:
        """Ask to call the service. Returns ``True`` when the caller is the probe (it must
        report :meth:`succeeded`, :meth:`failed` or :meth:`release`), ``False`` when the breaker
        is closed. Raises :class:`CircuitOpen` when open, or when another caller's probe is out
        and gives no verdict before ``deadline`` (then nobody else contacts the service)."""
        with self._cond:
            while True:
                self._refresh()
                if self._state == CLOSED:
                    return False
                if self._state == OPEN:
                    raise CircuitOpen(self._reason or "it failed", self._open_until - self._clock())
                if not self._probing:  # unchecked or half-open, nobody asking yet: you probe
                    self._probing = True
                    return True
                left = deadline.remaining()
                if left <= 0:
                    raise CircuitOpen(self._reason or "it is being checked", 0.0, probing=True)
                self._cond.wait(left)

    def succeeded(self, latency: float | None = None) -> None:
        """The service answered: closed, window back to ``cooldown``."""
        with self._cond:
            self._state, self._probing, self._failures = CLOSED, False, 0
            self._successes += 1
            self._cooldown = self.base_cooldown
            if latency is not None:
                self._latency = latency
            self._cond.notify_all()

    def failed(self, reason: str, retry_after: float | None = None) -> None:
        """The service failed: open for the current window (doubled when the probe of a
        half-open breaker failed: it is still down)."""
        with self._cond:
            now = self._clock()
            if self._state == HALF_OPEN:
                self._cooldown = min(self.max_cooldown, self._cooldown * 2)
            window = max(self._cooldown, retry_after or 0.0)
            # a slow failure from before a newer one must not shorten the window
            self._open_until = max(self._open_until, now + window)
            self._state, self._probing = OPEN, False
            self._reason, self._failed_at = reason, now
            self._failures += 1
            self._cond.notify_all()

    def release(self) -> None:
        """A probe that ended without a verdict (the caller gave up): the next caller probes."""
        with self._cond:
            self._probing = False
            self._cond.notify_all()

    def status(self) -> BreakerStatus:
        with self._cond:
            self._refresh()
            now = self._clock()
            return BreakerStatus(
                state=self._state, retry_in=max(0.0, self._open_until - now)
                if self._state == OPEN else 0.0, reason=self._reason,
                failed_ago=None if self._failed_at is None else now - self._failed_at,
                latency=self._latency, probing=self._probing, failures=self._failures,
                cooldown=self._cooldown, successes=self._successes)


class SingleFlight:
    """Runs ``fn`` once per ``key`` at a time in a shared pool of threads; callers asking for a
    key already running get the same :class:`~concurrent.futures.Future` (same result, same
    error). A finished run is forgotten: the next call for that key runs again.

    Usage: ``SingleFlight().submit(("texts", "a cat"), lambda: slow_call()).result()``
    """

    _pool: ThreadPoolExecutor | None = None
    _pool_lock = threading.Lock()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Hashable, Future] = {}

    @classmethod
    def pool(cls) -> ThreadPoolExecutor:
        """The threads every flight runs on (one pool per process: they mostly wait on sockets)."""
        with cls._pool_lock:
            if cls._pool is None:
                cls._pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="remote-call")
            return cls._pool

    def submit(self, key: Hashable, fn: Callable[[], Any]) -> Future:
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return running
            future: Future = Future()
            self._running[key] = future

        def run() -> None:
            try:
                result = fn()
            except BaseException as exc:  # handed to every caller of this flight
                with self._lock:
                    self._running.pop(key, None)
                future.set_exception(exc)
            else:
                with self._lock:
                    self._running.pop(key, None)
                future.set_result(result)

        try:
            self.pool().submit(run)
        except RuntimeError as exc:  # the interpreter is shutting down
            with self._lock:
                self._running.pop(key, None)
            future.set_exception(exc)
        return future

    def running(self, key: Hashable) -> Future | None:
        """The run in flight for ``key``, if any."""
        with self._lock:
            return self._running.get(key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._running)


def done_future(value: Any = None, error: BaseException | None = None) -> Future:
    """A future that is already finished (a cache hit, or an error known at once)."""
    f: Future = Future()
    if error is not None:
        f.set_exception(error)
    else:
        f.set_result(value)
    return f
