"""Reference answers the tests compare the app with: the slowest, plainest way to get it right.

Nothing here is used by the app; a function lives here when its only job is to be the answer
key (a full cosine scan for every search and recommendation test).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np


def brute_force_search(query_vec, matrix, k: int | None = None,
                       exclude: Collection[int] = ()) -> list[tuple[int, float]]:
    """Cosine of ``query_vec`` with every row of ``matrix`` (float64), best first: ``(row, score)``.

    Usage: ``brute_force_search(q, vectors, 3)`` → ``[(12, 0.71), (3, 0.64), (40, 0.60)]``

    A full stable sort, so equal scores keep row order; rows in ``exclude`` are left out, then
    the first ``k`` are kept (all when ``k`` is ``None``).
    """
    m = np.asarray(matrix, dtype=np.float64)
    q = np.asarray(query_vec, dtype=np.float64).reshape(-1)
    scores = (m @ q) / (np.linalg.norm(m, axis=1) * np.linalg.norm(q))
    order = [int(r) for r in np.argsort(-scores, kind="stable") if int(r) not in exclude]
    return [(r, float(scores[r])) for r in order[:k]]
