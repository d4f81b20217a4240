"""Content-based recommendations: ranking vs brute force, exclusions, reasons, cold start."""

from __future__ import annotations

import numpy as np
import pytest

from embedding.models.providers import SbertProvider
from embedding.models.sbert import encode
from embedding.paths import writable_dir
from embedding.recsys import recommend as rec
from embedding.recsys.movies import load_movies
from embedding.recsys.presets import USERS
from embedding.search.store import NumpyStore
from tests.reference import brute_force_search


@pytest.fixture(scope="module")
def movies():
    return load_movies()


@pytest.fixture(scope="module")
def store(model, movies):
    return rec.movie_store(SbertProvider(model), movies, writable_dir("cache", rec.CACHE_NAME))


@pytest.fixture(scope="module")
def emb(store):
    return store.vectors()


@pytest.fixture(scope="module")
def index(movies):
    return rec.title_index(movies)


def _store(matrix) -> NumpyStore:
    store = NumpyStore(dim=matrix.shape[1])
    store.add([f"m{i}" for i in range(len(matrix))], matrix)
    return store


# --- the data -----------------------------------------------------------------------------------

def test_movies_load_with_genres_split(movies, index):
    assert len(movies) >= 300
    assert len({m.id for m in movies}) == len(movies)
    alien = movies[index["Alien"]]
    assert alien.year == 1979 and "Horror" in alien.genres and "Sci-Fi" in alien.genres
    assert alien.text.startswith(f"Alien. {', '.join(alien.genres)}. ")
    assert index[alien.label] == index["Alien"]


def test_demo_users_only_like_movies_of_the_corpus(movies):
    rows = rec.user_rows(USERS, movies)
    assert {name: len(r) for name, r in rows.items()} == {u.name: 4 for u in USERS}


def test_plot_sentences_are_the_text_splitter_s_or_the_whole_plot():
    assert rec.plot_sentences("Dr. Grant lands on the U.S. base. He waits.") == [
        "Dr. Grant lands on the U.S. base.", "He waits."]
    assert rec.plot_sentences("  ") == ["  "]  # nothing to split: the plot itself

def test_recommend_excludes_liked_and_matches_brute_force():
    rng = np.random.default_rng(7)
    m = rng.normal(size=(40, 6))
    liked = [3, 17, 3]
    taste = m[3] / np.linalg.norm(m[3]) + m[17] / np.linalg.norm(m[17])
    got = rec.recommend(_store(m), liked, k=38)
    want = brute_force_search(taste, m, exclude={3, 17})
    assert [i for i, _ in got] == [i for i, _ in want]
    assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-6)
    assert 3 not in dict(got) and 17 not in dict(got) and len(got) == 38


def test_rank_toy_exercise_exact():
    m = np.array([[1, 2, 2], [3, 7, 8], [1, -2, 6]], dtype=float)  # Avatar, Ironman, Rainman
    got = rec.recommend(_store(m), [0], k=5)
    assert [i for i, _ in got] == [1, 2]
    assert got[0][1] == pytest.approx(33 / (3 * np.sqrt(122)), abs=1e-6)  # 0.99589
    assert got[1][1] == pytest.approx(9 / (3 * np.sqrt(41)), abs=1e-6)  # 0.46852
    assert rec.rank(_store(m), np.array([1.0, 2, 2]), k=0) == []


def test_taste_needs_a_liked_movie_and_a_direction():
    with pytest.raises(rec.RecommendError, match="at least one"):
        rec.taste_vector(np.eye(3), [])
    with pytest.raises(rec.RecommendError, match="no direction"):
        rec.taste_vector(np.array([[1.0, 0], [-1.0, 0]]), [0, 1])


def test_shared_genres_keep_the_movie_order(movies, index):
    alien, shining = movies[index["Alien"]], movies[index["The Shining"]]
    assert rec.shared_genres(alien, [shining]) == tuple(
        g for g in alien.genres if g in shining.genres)
    assert "Horror" in rec.shared_genres(alien, [shining])


def test_closest_sentence_and_because_of_exact():
    sents = ["a", "b", "c"]
    s_emb = np.array([[1.0, 0, 0], [0, 1.0, 0], [0.6, 0.8, 0]])
    refs = np.array([[0, 0, 1.0], [0, 2.0, 0]])
    match = rec.closest_sentence(sents, s_emb, refs)
    assert (match.sentence, match.score, match.matched) == ("b", 1.0, 1)
    m = np.array([[1.0, 0], [0, 1.0], [1.0, 1.0]])
    row, score = rec.because_of(m, 2, [0, 1])
    assert row == 0 and score == pytest.approx(np.sqrt(0.5))


def test_match_users_ranks_by_taste():
    m = np.array([[1.0, 0, 0], [0.9, 0.1, 0], [0, 1.0, 0], [0, 0, 1.0]])
    users = {"x": [0, 1], "y": [2], "z": [3], "nobody": []}
    got = rec.match_users(m, users, np.array([0.0, 1.0, 0.0]))
    assert [n for n, _ in got] == ["y", "x", "z"]
    assert got[0][1] == pytest.approx(1.0) and got[2][1] == pytest.approx(0.0)


def test_explain_hits_with_a_fake_encoder(movies, index):
    rows = [index["Alien"], index["Event Horizon"], index["Heat"]]
    sub = [movies[i] for i in rows]
    fake = np.eye(3)
    calls = []

    def embed(texts):
        calls.append(list(texts))
        return np.tile([1.0, 0.0, 0.0], (len(texts), 1))

    out = rec.explain_hits(sub, fake, [(1, 0.5), (2, 0.1)], fake[[0]], embed, liked=[0])
    assert len(calls) == 1  # one batched call for every sentence
    assert [e.row for e in out] == [1, 2] and [e.because for e in out] == [0, 0]
    assert out[0].sentence.sentence == rec.plot_sentences(sub[1].plot)[0]
    assert out[1].shared == rec.shared_genres(sub[2], [sub[0]])


def test_movie_store_rows_follow_the_movies_and_persist(tmp_path, movies, index):
    calls = []

    class Fake:
        name, dim, fingerprint = "fake", 4, "fake-4"

        def embed(self, texts):
            calls.append(len(texts))
            return np.array([[len(t), 1.0, 0.0, 0.0] for t in texts], dtype=np.float32)

    sub = movies[:5]
    store = rec.movie_store(Fake(), sub, tmp_path)
    assert store.ids() == rec.store_ids(sub) == [f"rec-movie-{m.id}" for m in sub]
    again = rec.movie_store(Fake(), sub, tmp_path)  # read back from disk, not re-embedded
    assert calls == [5] and np.array_equal(store.vectors(), again.vectors())


# --- real embeddings ----------------------------------------------------------------------------

def test_real_recommendations_exclude_liked_and_are_ranked(store, emb, movies, index):
    liked = [index["Alien"], index["The Martian"]]
    got = rec.recommend(store, liked, k=10)
    assert not set(liked) & {i for i, _ in got}
    want = brute_force_search(emb[liked[0]] + emb[liked[1]], emb, 10, exclude=set(liked))
    assert [i for i, _ in got] == [i for i, _ in want]
    assert all("Sci-Fi" in movies[i].genres for i, _ in got[:3])


@pytest.mark.parametrize(("query", "genre"), [
    ("scary haunted house", "Horror"),
    ("astronauts exploring outer space", "Sci-Fi"),
    ("cowboys and gunfights in the wild west", "Western"),
])
def test_cold_start_query_finds_the_genre(model, store, movies, query, genre):
    top5 = rec.rank(store, encode(model, [query])[0], k=5)
    genres = [movies[i].genres for i, _ in top5]
    assert genre in genres[0] or genre in genres[1], genres
    assert sum(genre in g for g in genres) >= 2, genres


def test_cold_start_new_movie_finds_its_viewers(model, emb, movies):
    users = rec.user_rows(USERS, movies)
    blurb = "A family is terrorised by a vengeful ghost in the old house they just moved into."
    ranked = rec.match_users(emb, users, encode(model, [blurb])[0])
    assert ranked[0][0] == "Ben, horror fan"
    robot = "An astronaut stranded on a distant planet must survive alone until rescue comes."
    assert rec.match_users(emb, users, encode(model, [robot])[0])[0][0] == "Ada, space nerd"


def test_toy_question_with_real_embeddings(emb, index):
    avatar, iron, rain = (emb[index[t]] for t in ("Avatar", "Iron Man", "Rain Man"))
    assert float(avatar @ iron) > float(avatar @ rain)  # same answer as the toy vectors
