"""Sentences as vectors: the GloVe average (order-blind) and Sentence-BERT (order-aware).

Averaging word vectors gives "chocolate milk" and "milk chocolate" exactly the same vector;
a transformer reads positions, so SBERT tells them apart.

    >>> r = compare_pair(kv, model, "chocolate milk", "milk chocolate")
    >>> round(r.glove_cosine, 3), round(r.sbert_cosine, 2)
    (1.0, 0.98)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from gensim.models import KeyedVectors

from embedding.models.sbert import encode
from embedding.similarity import cosine
from embedding.text import tokenize

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

class NoKnownWordsError(ValueError):
    """None of a text's tokens has a GloVe vector, so there is nothing to average."""

    def __init__(self, text: str, tokens: list[str]):
        self.text, self.tokens = text, tokens
        if tokens:
            msg = (
                f"None of the words in \"{text[:60]}\" is in GloVe's vocabulary "
                f"({', '.join(tokens[:8])}). Try everyday English words."
            )
        else:
            msg = "There are no words to embed here: type some letters or numbers."
        super().__init__(msg)


@dataclass(frozen=True)
class SentenceVector:
    """An averaged GloVe sentence vector and which tokens went into it."""

    vector: np.ndarray
    tokens: tuple[str, ...]
    known: tuple[str, ...]
    unknown: tuple[str, ...]


def glove_sentence_vector(kv: KeyedVectors, text: str) -> SentenceVector:
    """Mean of the GloVe vectors of the known tokens of ``text``.

    Usage: ``glove_sentence_vector(kv, "chocolate milk").vector.shape`` → ``(50,)``

    Unknown tokens are skipped and reported; if none is known, :class:`NoKnownWordsError`.
    """
    tokens = tokenize(text)
    index = kv.key_to_index
    known = [t for t in tokens if t in index]
    unknown = [t for t in tokens if t not in index]
    if not known:
        raise NoKnownWordsError(text, tokens)
    vec = np.mean(np.stack([kv[t] for t in known]), axis=0, dtype=np.float64)
    return SentenceVector(
        vector=vec.astype(np.float32),
        tokens=tuple(tokens),
        known=tuple(known),
        unknown=tuple(unknown),
    )


def _glove_or_empty(kv: KeyedVectors, text: str, missing_ok: bool) -> SentenceVector:
    try:
        return glove_sentence_vector(kv, text)
    except NoKnownWordsError as exc:
        if not missing_ok:
            raise
        zero = np.zeros(kv.vector_size, dtype=np.float32)
        return SentenceVector(zero, tuple(exc.tokens), (), tuple(exc.tokens))


def pair_cosines(rows: np.ndarray) -> list[float]:
    """Cosine of each pair of unit rows given in pair order (a, b, a, b, …), any model.

    Usage: ``pair_cosines(provider.embed(["dog bites man", "man bites dog"]))`` → ``[0.98…]``
    """
    rows = np.asarray(rows)
    if rows.shape[0] % 2:
        raise ValueError(f"Rows come in pairs; got {rows.shape[0]}.")
    return [float(np.clip(rows[i] @ rows[i + 1], -1.0, 1.0)) for i in range(0, len(rows), 2)]


@dataclass(frozen=True)
class PairComparison:
    """Two texts scored by both models, for the word-order and sentence pages."""

    a: str
    b: str
    glove_a: SentenceVector
    glove_b: SentenceVector
    glove_cosine: float | None  # None when a text has no GloVe word (``missing_ok=True``)
    sbert_cosine: float

    @property
    def same_words(self) -> bool:
        """True when both texts use the same bag of known words (GloVe cannot tell them apart)."""
        return sorted(self.glove_a.known) == sorted(self.glove_b.known)

    @property
    def same_order(self) -> bool:
        """True when both texts are the same tokens in the same order: no order to notice."""
        return self.glove_a.tokens == self.glove_b.tokens

    @property
    def dropped(self) -> tuple[str, ...]:
        """Tokens of either text GloVe does not know, left out of the averages (each once)."""
        return tuple(dict.fromkeys(self.glove_a.unknown + self.glove_b.unknown))

    @property
    def no_glove(self) -> tuple[str, ...]:
        """The texts with no GloVe word at all (nothing to average; SBERT still reads them)."""
        return tuple(t for t, g in ((self.a, self.glove_a), (self.b, self.glove_b)) if not g.known)


def compare_pair(
    kv: KeyedVectors, model: SentenceTransformer, a: str, b: str
) -> PairComparison:
    """Cosine of ``a`` and ``b`` under the GloVe average and under SBERT.

    Usage: ``compare_pair(kv, model, "dog bites man", "man bites dog").sbert_cosine``
    """
    return compare_pairs(kv, model, [(a, b)])[0]


def compare_pairs(
    kv: KeyedVectors,
    model: SentenceTransformer | None,
    pairs: Sequence[tuple[str, str]],
    embeddings: np.ndarray | None = None,
    missing_ok: bool = False,
) -> list[PairComparison]:
    """:func:`compare_pair` for many pairs with a single batched SBERT call.

    Usage: ``compare_pairs(kv, model, [("chocolate milk", "milk chocolate")])``

    ``embeddings`` are SBERT rows of the texts in pair order (a, b, a, b, …) when the caller
    already has them (e.g. from a cache); then ``model`` is not used. A text with no GloVe word
    raises :class:`NoKnownWordsError`, or with ``missing_ok`` gets ``glove_cosine=None`` (SBERT
    can still embed emoji or Japanese).
    """
    texts = [t for pair in pairs for t in pair]
    emb = encode(model, texts) if embeddings is None else np.asarray(embeddings)
    if emb.shape[0] != len(texts):
        raise ValueError(f"Expected {len(texts)} SBERT rows, got {emb.shape[0]}.")
    cosines = pair_cosines(emb)
    out = []
    for i, (a, b) in enumerate(pairs):
        ga, gb = (_glove_or_empty(kv, t, missing_ok) for t in (a, b))
        out.append(
            PairComparison(
                a=a,
                b=b,
                glove_a=ga,
                glove_b=gb,
                glove_cosine=cosine(ga.vector, gb.vector) if ga.known and gb.known else None,
                sbert_cosine=cosines[i],
            )
        )
    return out


def pairs_table(results: Sequence[PairComparison]) -> pd.DataFrame:
    """One row per compared pair: ``a / b``, both cosines (4 decimals) and whether the two texts
    use the same words (so the GloVe average cannot tell them apart).

    Usage: ``pairs_table(compare_pairs(kv, model, [("dog bites man", "man bites dog")]))``
    """
    return pd.DataFrame({
        "pair": [f"{x.a} / {x.b}" for x in results],
        "GloVe average": [round(x.glove_cosine, 4) for x in results],
        "SBERT": [round(x.sbert_cosine, 4) for x in results],
        "same words?": ["yes" if x.same_words else "no" for x in results],
    })
