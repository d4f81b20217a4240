"""Content-based recommendations: "you liked …, so you may like …" by cosine of embeddings.

Each movie becomes one SBERT vector of its text ("title. genres. plot"). Your *taste* is the
average direction of the movies you liked; every other movie is scored by its cosine with that
taste and the best come first. Because a movie's vector comes from its description alone, this
works for a brand-new movie nobody has rated and for a new user who only types what they like:
the *cold start* that collaborative filtering (which needs ratings) cannot handle.

The movies (:class:`~embedding.recsys.movies.Movie`, read by :func:`embedding.recsys.movies.load_movies`)
live in a vector store (:mod:`embedding.search.store`, searched with
:func:`embedding.search.retrieval.semantic_search`); the other functions take embeddings (numpy rows),
not models, so tests compare them with brute force.

With the real movies it is ``recommend(movie_store(SbertProvider(model), load_movies()),
liked)``; on three toy "movies" of two dimensions:

    >>> from embedding.search.store import NumpyStore
    >>> store = NumpyStore(dim=2)
    >>> store.add(["space", "more space", "romance"], [[1.0, 0.0], [0.9, 0.2], [0.0, 1.0]])
    >>> [(row, round(score, 3)) for row, score in recommend(store, liked=[0], k=2)]
    [(1, 0.976), (2, 0.0)]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embedding.recsys.movies import Movie
from embedding.search.retrieval import Vectorizer, build_store, semantic_search
from embedding.search.store import NumpyStore
from embedding.similarity import normalize_rows, unit_rows
from embedding.text import sentence_spans

#: Folder name (under ``writable_dir("cache")``) of the recommender's on-disk movie index.
CACHE_NAME = "movies-recommend"


class RecommendError(ValueError):
    """Input a recommender cannot use (nothing liked, an unknown title…); the message says why."""


def movie_texts(movies: Sequence[Movie]) -> list[str]:
    """The text of each movie, in order, ready for ``encode``.

    Usage: ``encode(model, movie_texts(movies))``
    """
    return [m.text for m in movies]


def title_index(movies: Sequence[Movie]) -> dict[str, int]:
    """Row of each movie by its title (and by its label "Title (year)").

    Usage: ``title_index(movies)["Alien"]`` → 5
    """
    out: dict[str, int] = {}
    for i, m in enumerate(movies):
        out.setdefault(m.title, i)
        out[m.label] = i
    return out


def plot_sentences(plot: str) -> list[str]:
    """The sentences of a plot (:func:`embedding.text.sentence_spans`), or the whole plot.

    Usage: ``plot_sentences("Dr. Grant lands. He waits.")`` → ``["Dr. Grant lands.", "He waits."]``
    """
    return [plot[a:b] for a, b in sentence_spans(plot)] or [plot]


def _unit(v: np.ndarray) -> np.ndarray:
    unit, length = unit_rows(v, np.float64)
    if length == 0:
        raise RecommendError("This taste has no direction (a zero vector): like another movie.")
    return unit


def taste_vector(embeddings: np.ndarray, liked: Sequence[int]) -> np.ndarray:
    """The average direction of the liked movies' vectors, scaled to length 1.

    Usage: ``taste_vector(emb, [3, 7])`` → a unit vector of the embedding size
    """
    liked = list(dict.fromkeys(int(i) for i in liked))
    if not liked:
        raise RecommendError("Pick at least one movie you liked.")
    rows = normalize_rows(np.asarray(embeddings)[liked], np.float64)
    return _unit(rows.mean(axis=0))


def store_ids(movies: Sequence[Movie]) -> list[str]:
    """The vector-store id of each movie, in order.

    Usage: ``store_ids(movies)[0]`` → ``"rec-movie-1"``
    """
    return [f"rec-movie-{m.id}" for m in movies]


def movie_store(
    vectorizer: Vectorizer,
    movies: Sequence[Movie],
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> NumpyStore:
    """A vector store with one row per movie (its :attr:`Movie.text`), rows in ``movies`` order.

    Built with :func:`embedding.search.retrieval.build_store`, so ``cache_dir`` keeps the index on disk
    and a restarted server does not embed the corpus again.

    Usage: ``movie_store(SbertProvider(model), movies, writable_dir("cache", "rec"))``
    """
    payloads = [{"title": m.label} for m in movies]
    return build_store(vectorizer, store_ids(movies), movie_texts(movies), payloads,
                       cache_dir=cache_dir, progress=progress)


def rank(
    store: NumpyStore, query: np.ndarray, k: int = 10, exclude: Sequence[int] = ()
) -> list[tuple[int, float]]:
    """Rows of the store by cosine with ``query`` (its :func:`semantic_search`), best first,
    the ``exclude`` rows left out.

    Usage: ``rank(store, encode(model, ["space"])[0], k=5)`` → ``[(row, cosine), …]``
    """
    k = max(0, int(k))
    skip = {int(i) for i in exclude}
    if k == 0:
        return []
    row_of = {item: n for n, item in enumerate(store.ids())}
    hits = semantic_search(query, store, k=k + len(skip))
    return [(row_of[h.id], h.score) for h in hits if row_of[h.id] not in skip][:k]


def recommend(store: NumpyStore, liked: Sequence[int], k: int = 10) -> list[tuple[int, float]]:
    """Movies closest to the taste of the ``liked`` rows, the liked ones excluded.

    Usage: ``recommend(store, [index["Alien"]], k=5)`` → ``[(row, cosine), …]``
    """
    taste = taste_vector(store.vectors(), liked)
    return rank(store, taste, k=k, exclude=liked)


def shared_genres(movie: Movie, liked: Sequence[Movie]) -> tuple[str, ...]:
    """Genres of ``movie`` that at least one liked movie also has, in the movie's order.

    Usage: ``shared_genres(alien, [event_horizon])`` → ``("Sci-Fi", "Horror")``
    """
    theirs = {g for m in liked for g in m.genres}
    return tuple(g for g in movie.genres if g in theirs)


@dataclass(frozen=True)
class SentenceMatch:
    """The sentence of a plot closest to something, with its cosine and what it matched."""

    sentence: str
    score: float
    matched: int  # row of the reference (liked movie or query) it is closest to


def closest_sentence(
    sentences: Sequence[str], sentence_embeddings: np.ndarray, references: np.ndarray
) -> SentenceMatch:
    """The sentence most similar (cosine) to any of the ``references`` (liked movies, a query).

    Usage: ``closest_sentence(sents, encode(model, sents), emb[liked])``
    """
    if not len(sentences):
        raise RecommendError("There is no sentence to compare.")
    s = normalize_rows(sentence_embeddings, np.float64)
    r = normalize_rows(np.atleast_2d(references), np.float64)
    sims = s @ r.T  # sentences × references
    i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return SentenceMatch(sentences[int(i)], float(np.clip(sims[i, j], -1, 1)), int(j))


def because_of(embeddings: np.ndarray, row: int, liked: Sequence[int]) -> tuple[int, float]:
    """Which liked movie a recommendation is closest to, and how close (cosine).

    Usage: ``because_of(emb, 12, [3, 7])`` → ``(7, 0.61)``
    """
    m = np.asarray(embeddings, dtype=np.float64)
    target = _unit(m[row])
    scores = [(int(i), float(_unit(m[i]) @ target)) for i in dict.fromkeys(liked)]
    return max(scores, key=lambda t: t[1])


@dataclass(frozen=True)
class User:
    """A demo viewer with a few liked movies (by title)."""

    name: str
    likes: tuple[str, ...]


def user_rows(users: Sequence[User], movies: Sequence[Movie]) -> dict[str, list[int]]:
    """Each user's liked movies as rows of ``movies`` (titles not in the corpus skipped).

    Usage: ``user_rows(USERS, movies)["Ben, horror fan"]`` → ``[rows…]``
    """
    index = title_index(movies)
    return {u.name: [index[t] for t in u.likes if t in index] for u in users}


def match_users(
    embeddings: np.ndarray, users: Mapping[str, Sequence[int]], item: np.ndarray
) -> list[tuple[str, float]]:
    """Users ranked by cosine of their taste vector with a (new) item's vector, best first.

    Usage: ``match_users(emb, user_rows(USERS, movies), encode(model, [blurb])[0])``
    """
    v = _unit(item)
    scored = [(name, float(taste_vector(embeddings, rows) @ v))
              for name, rows in users.items() if rows]
    return sorted(scored, key=lambda t: -t[1])


@dataclass(frozen=True)
class Explained:
    """A recommendation with the reasons a student can check."""

    row: int
    score: float  # cosine with the taste (or the query)
    shared: tuple[str, ...]  # genres in common with the liked movies
    because: int | None  # the liked movie it is closest to (None for a typed query)
    because_score: float
    sentence: SentenceMatch  # the sentence of its plot closest to the liked movies / the query


def explain_hits(
    movies: Sequence[Movie],
    embeddings: np.ndarray,
    hits: Sequence[tuple[int, float]],
    references: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
    liked: Sequence[int] = (),
) -> list[Explained]:
    """Reasons for each hit: shared genres, the closest liked movie, the closest plot sentence.

    ``references`` are the vectors the sentences are compared with (the liked movies' rows, or
    a typed query's vector); ``embed`` turns sentences into vectors (one batched call).

    Usage: ``explain_hits(movies, emb, recommend(emb, liked), emb[liked], embed, liked)``
    """
    liked_movies = [movies[i] for i in liked]
    per_hit = [plot_sentences(movies[row].plot) for row, _ in hits]
    flat = [s for sents in per_hit for s in sents]
    vectors = embed(flat) if flat else np.zeros((0, 1))
    out: list[Explained] = []
    start = 0
    for (row, score), sents in zip(hits, per_hit, strict=True):
        match = closest_sentence(sents, vectors[start:start + len(sents)], references)
        start += len(sents)
        because, because_score = (because_of(embeddings, row, liked) if liked else (None, 0.0))
        out.append(Explained(row, score, shared_genres(movies[row], liked_movies), because,
                             because_score, match))
    return out
