"""Keyword search with BM25: rank texts by the query words they contain, weighted by rarity.

BM25 scores a text by each query word it contains: rare words (high IDF) count more, repeats
count less and less (``k1``), and long texts are discounted (``b``). It knows nothing of
meaning: "a film about space travel" misses a blurb about a wormhole, but an exact name or
number ("Saturn", "1957") is found at once. We use ``bm25s`` (Lucene's formula) with the
project's one tokenizer and the stop words the "shared words" column ignores, so keyword,
GloVe and the highlighted words see the same words.

    >>> index = Bm25Index(["a", "b"], ["the cat sat", "a dog barked"])
    >>> [hit.id for hit in index.search("cat", k=5)]
    ['a']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from embedding.search.retrieval import STOPWORDS
from embedding.search.store import Hit, top_k
from embedding.text import tokenize

#: Lucene's defaults, also bm25s's: term-frequency saturation and length normalisation.
K1, B = 1.5, 0.75


def terms(text: str) -> list[str]:
    """The words BM25 indexes: the project's tokens without stop words ("a", "the", "film").

    Usage: ``terms("A film about the Moon")`` → ``["moon"]``
    """
    return [t for t in tokenize(text) if t not in STOPWORDS]


class EmptyQueryError(ValueError):
    """A query with no word to look up (empty, punctuation only)."""

    def __init__(self) -> None:
        super().__init__("Type a query with at least one word that is not a stop word "
                         "(a, the, of …): keyword search looks words up.")


class Bm25Index:
    """BM25 over fixed texts (Lucene variant: ``idf · tf / (tf + k1·(1 − b + b·len/avglen))``,
    ``idf = ln(1 + (N − df + 0.5)/(df + 0.5))``).

    Usage: ``Bm25Index(ids, texts, payloads).search("HAL 9000", k=5)`` → ``[Hit, …]``
    Read-only once built, so one index can serve every session.
    """

    def __init__(self, ids: Sequence[str], texts: Sequence[str],
                 payloads: Sequence[Mapping[str, Any]] | None = None, *,
                 k1: float = K1, b: float = B):
        import bm25s

        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts: give one id per text.")
        self.ids = [str(i) for i in ids]
        self.payloads = [dict(p) for p in payloads] if payloads is not None else [
            {"text": t} for t in texts]
        self.k1, self.b = float(k1), float(b)
        # An empty text still needs a token list: bm25s skips nothing, rows stay aligned.
        tokens = [terms(t) or [""] for t in texts]
        self._bm25 = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        if tokens:
            self._bm25.index(tokens, show_progress=False)
        self._vocab = set(self._bm25.vocab_dict) if tokens else set()

    def __len__(self) -> int:
        return len(self.ids)

    def query_tokens(self, query: str) -> list[str]:
        """The query's words as BM25 looks them up. Raises :class:`EmptyQueryError`."""
        tokens = terms(query or "")
        if not tokens:
            raise EmptyQueryError()
        return tokens

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every text (row order = ``ids``); 0 for texts sharing no word.

        Usage: ``index.scores("cat")`` → ``array([0.197, 0., 0.277])``
        """
        known = [t for t in self.query_tokens(query) if t in self._vocab]
        if not known or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def search(self, query: str, k: int = 10) -> list[Hit]:
        """The ``k`` best texts with a score above 0 (texts sharing no word are not returned).

        Usage: ``index.search("wormhole", k=3)`` → ``[Hit("movie-1", 4.2, {...})]``
        """
        scores = self.scores(query)
        rows = [r for r in top_k(scores, k) if scores[r] > 0]
        return [Hit(self.ids[r], float(scores[r]), dict(self.payloads[r])) for r in rows]
