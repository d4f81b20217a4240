"""Shared by the bench scripts: time our code and the raw library alternately, same run."""

from __future__ import annotations

import statistics
import time


def alternate(ours, raw, rounds: int) -> tuple[float, float]:
    """Median seconds of ``ours()`` and ``raw()``, called alternately ``rounds`` times.

    Usage: ``alternate(lambda: ours(x), lambda: raw(x), rounds=10)`` → ``(0.012, 0.011)``
    """
    t_ours, t_raw = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        ours()
        t1 = time.perf_counter()
        raw()
        t2 = time.perf_counter()
        t_ours.append(t1 - t0)
        t_raw.append(t2 - t1)
    return statistics.median(t_ours), statistics.median(t_raw)
