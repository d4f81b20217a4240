"""Numbers of a load test: percentiles, summaries, and the per-pattern latency/error tally."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def pct(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return math.nan
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": pct(values, 50), "p95": pct(values, 95),
            "max": max(values) if values else math.nan}


def fmt(s: dict) -> str:
    return f"n={s['n']:>4}  p50={s['p50']:6.3f}s  p95={s['p95']:6.3f}s  max={s['max']:6.3f}s"


# --- the server -------------------------------------------------------------------------------


@dataclass
class Stats:
    """Latencies per action and errors, shared by every session of one pattern."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    shown_errors: list[str] = field(default_factory=list)  # st.error boxes (not crashes)
    arrivals: list[dict] = field(default_factory=list)  # each fresh arrival's Traffic
    traffic: list[dict] = field(default_factory=list)  # each session's Traffic when it left

    def add(self, action: str, seconds: float) -> None:
        self.latencies.setdefault(action, []).append(seconds)

    def per_session(self, which: str = "arrivals") -> dict[str, float]:
        """Median of each :class:`~loadtest.protocol.Traffic` count over the sessions."""
        rows = getattr(self, which)
        return {k: pct([r[k] for r in rows], 50) for k in rows[0]} if rows else {}

    def all(self) -> list[float]:
        return [v for vs in self.latencies.values() for v in vs]
