"""A 2-D map of a few words of any word vectors (a trained Word2Vec, Product2Vec…).

PCA is a straight projection onto the two directions of largest spread and says how much of
the spread it keeps; UMAP keeps each word's nearest neighbours instead.

    Usage: ``pca_map(wv, ["king", "queen", "man", "woman"]).explained`` → ``(0.5…, 0.2…)``
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from gensim.models import KeyedVectors


@dataclass(frozen=True)
class WordMap:
    """2-D coordinates of some words; for PCA, how much of the spread the two axes keep."""

    words: tuple[str, ...]
    xy: np.ndarray  # shape (n, 2)
    explained: tuple[float, float] | None  # share of the variance on each axis (PCA only)
    method: str = "pca"


def _known_vectors(wv: KeyedVectors, words: Sequence[str]) -> tuple[list[str], np.ndarray]:
    keep = list(dict.fromkeys(w for w in words if w in wv.key_to_index))
    if len(keep) < 4:
        raise ValueError("A map needs at least four words that the model knows.")
    return keep, np.stack([wv.get_vector(w, norm=True) for w in keep]).astype(np.float64)


def pca_map(wv: KeyedVectors, words: Sequence[str]) -> WordMap:
    """Project the vectors of ``words`` (unknown ones skipped) onto their two main directions.

    Usage: ``pca_map(result.wv, ["king", "queen", "man", "woman"]).xy.shape`` → ``(4, 2)``
    """
    from sklearn.decomposition import PCA

    keep, vectors = _known_vectors(wv, words)
    pca = PCA(n_components=2, svd_solver="full")
    xy = pca.fit_transform(vectors)
    ratio = pca.explained_variance_ratio_
    return WordMap(tuple(keep), xy, (float(ratio[0]), float(ratio[1])), "pca")


def word_map(wv: KeyedVectors, words: Sequence[str], method: str = "pca") -> WordMap:
    """A 2-D map of ``words``: ``"pca"`` (straight projection) or ``"umap"`` (keeps each word's
    nearest neighbours, cosine, seeded; runs through :func:`embedding.maps.projection.project`).

    Usage: ``word_map(result.wv, frequent_words(result.wv, 60), "umap").xy``
    """
    if method == "pca":
        return pca_map(wv, words)
    if method != "umap":
        raise ValueError(f"Unknown map method '{method}': use 'pca' or 'umap'.")
    from embedding.maps.projection import project

    keep, vectors = _known_vectors(wv, words)
    xy = project(vectors, "umap", dims=2, seed=42, n_neighbors=min(15, len(keep) - 1),
                 metric="cosine")
    return WordMap(tuple(keep), np.asarray(xy, dtype=np.float64), None, "umap")
