"""Shared by the bench scripts: time our code and the raw library alternately, same run.

The one timing loop of bench/: every script calls :func:`alternate` (ours vs raw) or
:func:`medians` (several named variants), so load changes on a shared machine hit every side
alike, and who goes first rotates each round.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence


def medians(fns: Mapping[str, Callable], rounds: int,
            inputs: Sequence | None = None) -> dict[str, float]:
    """Median seconds per call of each of ``fns``, called in turn ``rounds`` times.

    With ``inputs``, each function is called once per input (``fn(x)``); without, ``fn()``.
    The order rotates each round, so no function always runs right after the same one.

    Usage: ``medians({"ours": ours, "raw": raw}, rounds=10)`` → ``{"ours": 0.012, "raw": 0.011}``
    """
    names = list(fns)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(max(1, rounds)):
        k = r % len(names)
        order = names[k:] + names[:k]
        for x in (inputs if inputs is not None else (None,)):
            for name in order:
                fn = fns[name]
                t0 = time.perf_counter()
                fn(x) if inputs is not None else fn()
                times[name].append(time.perf_counter() - t0)
    return {n: statistics.median(v) for n, v in times.items()}


def alternate(ours: Callable, raw: Callable, rounds: int,
              inputs: Sequence | None = None) -> tuple[float, float]:
    """Median seconds of ``ours`` and ``raw``, called alternately ``rounds`` times (per input).

    Usage: ``alternate(lambda: ours(x), lambda: raw(x), rounds=10)`` → ``(0.012, 0.011)``
    """
    m = medians({"ours": ours, "raw": raw}, rounds, inputs)
    return m["ours"], m["raw"]
