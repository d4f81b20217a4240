"""Computed answers: a :class:`Solution` per question and :class:`Feedback` on a student's answer.

Each question kind computes its own answer (``q.solve(...)``) and judges a response
(``q.check(...)``); :func:`solve` and :func:`check` are the one entry point the pages call.

    >>> ranked([("a", 0.2), ("b", 0.9)])
    (('b', 0.9), ('a', 0.2))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from embedding.similarity import CosineSteps

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

TIE = 1e-6


@dataclass(frozen=True)
class Solution:
    """The computed answer of a question and the numbers that justify it.

    ``accepted`` holds every answer counted as right (several only on an exact tie),
    ``scores`` the ranking shown in the key (label, score), ``steps`` the worked cosine steps
    for toy vectors and ``note`` one plain-text sentence explaining the result.
    """

    correct: str
    accepted: tuple[str, ...]
    scores: tuple[tuple[str, float], ...]
    score_name: str
    note: str
    steps: tuple[tuple[str, CosineSteps], ...] = ()


@dataclass(frozen=True)
class Feedback:
    """Whether a student's answer is right, and a plain-text sentence to show them."""

    ok: bool
    message: str


def ranked(pairs: Sequence[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """``(label, score)`` pairs, best first."""
    return tuple(sorted(pairs, key=lambda t: t[1], reverse=True))


def tied(scores: tuple[tuple[str, float], ...]) -> tuple[str, ...]:
    """Every label within :data:`TIE` of the best score (``scores`` ranked)."""
    best = scores[0][1]
    return tuple(n for n, s in scores if best - s <= TIE)


def solve(q: Any, kv: Any = None, model: Any = None, docs: Sequence[Any] | None = None,
          doc_embeddings: np.ndarray | None = None) -> Solution:
    """The right answer of question ``q``, computed (toy: exact maths; words: GloVe ``kv``;
    order: both ``kv`` and SBERT ``model``; search: ``model`` over ``docs``, whose rows of
    ``embed_docs`` may be passed as ``doc_embeddings`` to skip re-encoding them).

    Usage: ``solve(ClosestQuestion("frog", ("toad", "car")), kv).correct`` → ``"toad"``

    Raises ``UnknownWordError`` for words GloVe does not know, ``NoKnownWordsError`` for a
    phrase without known words and ``ValueError`` (zero vector, no documents).
    """
    if not hasattr(q, "solve"):
        raise TypeError(f"Not a question: {q!r}")
    return q.solve(kv=kv, model=model, docs=docs, doc_embeddings=doc_embeddings)


def check(q: Any, solution: Solution, response: str | None) -> Feedback:
    """Compare a student's ``response`` with the computed ``solution`` (a hint of the question's
    own kind when it is wrong).

    Usage: ``check(q, solve(q), "Ironman")`` → ``Feedback(ok=True, message="Right! …")``
    """
    answer = (response or "").strip()
    if not answer:
        return Feedback(False, "Choose or type an answer first.")
    return q.check(solution, answer)
