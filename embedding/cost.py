"""Marks the core's functions whose cost grows with the data: a scan of 400,000 words, a model
encode, a training run. The app layer must reach them through a shared cache (``ui/cached``),
so that a class of 50 opening a page at once pays for them once.

The mark changes nothing at run time (no wrapper); ``tests/test_burst_guard.py`` finds every
marked function and fails when a second session of any page calls one. Calls into the heavy
libraries (gensim, sentence-transformers, UMAP, …) are found without a mark.

    >>> @expensive("a scan of every word")
    ... def scan(words): return max(words)
    >>> scan.__expensive__, scan(["a", "b"])
    ('a scan of every word', 'b')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def expensive(what: str) -> Callable[[F], F]:
    """Mark a function as costly (``what`` says why, in a few words); it is returned as is.

    Usage: ``@expensive("a scan of the frequent words")`` above ``def baseline(kv, axis): …``
    """
    def mark(fn: F) -> F:
        fn.__expensive__ = what  # type: ignore[attr-defined]
        return fn

    return mark
