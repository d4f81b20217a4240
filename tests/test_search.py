"""Retrieval: chunking, brute-force-equal search, highlighting, vectorizers, the space query."""

from __future__ import annotations

import numpy as np
import pytest

from embedding.models.providers import SbertProvider
from embedding.models.sbert import encode
from embedding.paths import writable_dir
from embedding.search.chunking import (
    chunk_by_sentences,
    chunk_by_tokens,
    chunk_text,
)
from embedding.search.documents import lecture_corpus, movie_corpus
from embedding.search.retrieval import (
    GloveAverageVectorizer,
    build_store,
    chart_label,
    highlight,
    index_texts,
    query_terms,
    ranks_of,
    result_rows,
    semantic_search,
    shared_words,
)
from embedding.search.store import Hit, NumpyStore, StoreError
from embedding.sentences.compare import NoKnownWordsError, glove_sentence_vector
from embedding.text import escape_markdown
from tests.reference import brute_force_search

SPACE = "a film about space travel"

# ---------------------------------------------------------------------------------------------
# Chunking


def test_tokens_exact_windows_with_overlap():
    chunks = chunk_by_tokens("one two three four five six seven", size=3, overlap=1)
    assert [c.text for c in chunks] == ["one two three", "three four five", "five six seven"]
    assert [c.index for c in chunks] == [0, 1, 2]


def test_chunks_point_back_into_the_original_text():
    text = "Alpha  beta\tgamma.\n\nDelta epsilon! Zeta?"
    for chunks in (chunk_by_tokens(text, 2, 1), chunk_by_sentences(text, 2, 1)):
        for c in chunks:
            assert text[c.start:c.end] == c.text


def test_last_token_window_is_not_repeated():
    assert [c.text for c in chunk_by_tokens("a b c d", size=2, overlap=0)] == ["a b", "c d"]
    assert [c.text for c in chunk_by_tokens("a b c d e", size=4, overlap=2)] == ["a b c d",
                                                                                "c d e"]


@pytest.mark.parametrize("chunker", [chunk_by_tokens, chunk_by_sentences])
def test_empty_and_whitespace_give_no_chunks(chunker):
    assert chunker("", 3, 1) == []
    assert chunker("   \n\n\t ", 3, 1) == []


def test_text_shorter_than_one_chunk_is_one_chunk():
    (only,) = chunk_by_tokens("just four words here", size=100, overlap=20)
    assert only.text == "just four words here" and (only.start, only.end) == (0, 20)
    (one,) = chunk_by_sentences("One sentence only.", size=5, overlap=2)
    assert one.text == "One sentence only."


@pytest.mark.parametrize("chunker", [chunk_by_tokens, chunk_by_sentences])
@pytest.mark.parametrize(("size", "overlap", "message"), [
    (3, 3, "must be smaller"), (3, 5, "must be smaller"), (0, 0, "at least 1"),
    (3, -1, "negative"),
])
def test_bad_sizes_are_rejected(chunker, size, overlap, message):
    with pytest.raises(ValueError, match=message):
        chunker("a b c d e f", size, overlap)


def test_sentence_chunks_with_overlap():
    chunks = chunk_by_sentences("A one. B two. C three. D four.", size=2, overlap=1)
    assert [c.text for c in chunks] == ["A one. B two.", "B two. C three.", "C three. D four."]


def test_chunk_text_dispatch():
    assert chunk_text("a b c", "tokens", 2, 0)[1].text == "c"
    with pytest.raises(ValueError, match="Unknown chunking method"):
        chunk_text("a b c", "chapters", 2, 0)


def test_lecture_corpus_is_chunked_with_sources():
    ids, texts, payloads = lecture_corpus("sentences", 3, 1)
    assert len(ids) == len(set(ids)) == len(texts) > 60
    assert payloads[0]["title"] == "What is an embedding?"
    assert payloads[0]["source"] == "01-what-is-an-embedding.md"
    assert payloads[0]["position"] == "chunk 1"


# ---------------------------------------------------------------------------------------------
# Search = brute force


def test_semantic_search_returns_the_brute_force_top_k():
    """(Every store backend is checked against brute force in tests/test_store.py.)"""
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=(500, 32)).astype(np.float32)
    ids = [str(i) for i in range(500)]
    store = NumpyStore(32)
    store.add(ids, matrix, [{"row": i} for i in range(500)])
    for _ in range(10):
        q = rng.normal(size=32)
        expected = brute_force_search(q, matrix, 8)
        hits = semantic_search(q, store, 8)
        assert [int(h.id) for h in hits] == [r for r, _ in expected]
        assert [h.score for h in hits] == pytest.approx([s for _, s in expected], abs=1e-5)


def test_ranks_of_counts_from_one_in_the_full_ranking():
    store = NumpyStore(2)
    store.add(["a", "b", "c"], [[1, 0], [1, 1], [0, 1]])
    assert ranks_of([1, 0.1], store, ["c", "a", "zz"]) == {"c": 3, "a": 1}


def test_semantic_search_needs_k_of_at_least_one():
    store = NumpyStore(2)
    store.add(["a"], [[1, 0]])
    with pytest.raises(StoreError, match="at least one"):
        semantic_search([1, 0], store, 0)


# ---------------------------------------------------------------------------------------------
# Explaining results safely


def test_highlight_bolds_shared_words_and_escapes_everything_else():
    assert highlight("Astronauts travel to Mars.", SPACE) == "Astronauts **travel** to Mars\\."
    assert highlight("Travelling in space!", SPACE) == "**Travelling** in **space**\\!"


def test_highlight_neutralises_markdown_and_html_from_user_text():
    out = highlight('<script>alert(1)</script> **space** [x](javascript:y) :red[z] $x$', SPACE)
    assert "<script>" not in out and "](" not in out and ":red[" not in out
    assert "\\<script\\>" in out and "\\$x\\$" in out
    assert "\\*\\***space**\\*\\*" in out  # the user's asterisks are literal, ours bold


def test_escape_markdown_flattens_newlines():
    assert escape_markdown("# Title\n- item") == "\\# Title \\- item"


def test_query_terms_and_shared_words():
    assert query_terms(SPACE) == {"space", "travel"}
    assert shared_words(SPACE, "They travel far, travelling through SPACE.") == [
        "travel", "travelling", "space"]
    assert shared_words(SPACE, "A starship, a wormhole and Saturn.") == []


def test_result_rows_flatten_hits():
    hits = [Hit("m1", 0.51234, {"title": "Moon (2009)", "source": "movies.csv",
                                "position": "row 10", "text": "Alone on the Moon."})]
    (row,) = result_rows(hits, "moon base")
    assert (row.rank, row.score, row.title, row.position, row.shared) == (
        1, 0.5123, "Moon (2009)", "row 10", "moon")


def test_chart_label_is_short_and_markup_free():
    assert chart_label(1, "<b>notes</b>.txt") == "1. ‹b›notes‹/b›.txt"
    assert chart_label(2, "x" * 100, width=10) == "2. xxxxxxxxx…"


# ---------------------------------------------------------------------------------------------
# Indexing and caching


class CountingVectorizer:
    """A fake vectorizer: deterministic vectors from text length, counting calls."""

    name, dim, fingerprint = "fake", 4, "fake-1"

    def __init__(self):
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        return np.array([[len(t), 1.0, (len(t) % 3) + 1.0, 2.0] for t in texts],
                        dtype=np.float32) / 10


def test_index_texts_batches_keep_ids_aligned_and_report_progress():
    texts = [f"text number {'x' * (i * 7 % 23)}" for i in range(25)]
    vec, store, seen = CountingVectorizer(), NumpyStore(4), []
    n = index_texts(store, vec, [f"id{i}" for i in range(25)], texts,
                    [{"i": i} for i in range(25)], batch=10,
                    progress=lambda done, total: seen.append((done, total)))
    assert n == 25 and store.count() == 25 and vec.calls == 3
    assert seen == [(10, 25), (20, 25), (25, 25)]
    direct = vec.embed(texts)
    for i in (0, 7, 24):
        hit = store.search(direct[i], 1)[0]
        assert hit.score == pytest.approx(1.0, abs=1e-6)
        assert vec.embed([texts[int(hit.id[2:])]])[0].tolist() == direct[i].tolist()


def test_build_store_reuses_a_valid_disk_cache(tmp_path):
    ids, texts = ["a", "b"], ["short", "a longer text"]
    first = CountingVectorizer()
    built = build_store(first, ids, texts, cache_dir=tmp_path)
    assert first.calls == 1 and built.count() == 2
    again = CountingVectorizer()
    cached = build_store(again, ids, texts, cache_dir=tmp_path)
    assert again.calls == 0 and cached.ids() == built.ids()
    changed = CountingVectorizer()
    build_store(changed, ids, ["short", "different text"], cache_dir=tmp_path)
    assert changed.calls == 1  # the texts changed, so the cache is stale


# ---------------------------------------------------------------------------------------------
# Real models


def test_glove_vectorizer_is_the_normalised_sentence_average(kv):
    vec = GloveAverageVectorizer(kv)
    row = vec.embed(["Chocolate milk, please!"])[0]
    ref = glove_sentence_vector(kv, "Chocolate milk, please!").vector
    assert row == pytest.approx(ref / np.linalg.norm(ref), abs=1e-5)
    assert not np.any(vec.embed(["qqqzzzx"])[0])  # no known word: a zero row, never NaN
    with pytest.raises(NoKnownWordsError):
        vec.embed_query("qqqzzzx")


def test_sbert_index_equals_raw_encode(model):
    texts = ["The cat sat on the mat.", "Rockets fly to the Moon.", "Bake bread at home."]
    store = NumpyStore(384)
    index_texts(store, SbertProvider(model), ["c", "r", "b"], texts)
    raw = model.encode(texts, normalize_embeddings=True)
    assert store.vectors()[[store.ids().index(i) for i in "crb"]] == pytest.approx(raw, abs=1e-5)


@pytest.fixture(scope="module")
def movie_stores(kv, model):
    ids, texts, payloads = movie_corpus()
    cache = writable_dir("cache", "corpora")
    return (build_store(SbertProvider(model), ids, texts, payloads,
                        cache_dir=cache / "movies-sbert"),
            build_store(GloveAverageVectorizer(kv), ids, texts, payloads,
                        cache_dir=cache / "movies-glove"),
            payloads)


def test_space_travel_finds_interstellar_without_the_keywords(movie_stores, model):
    sbert_store, _, payloads = movie_stores
    plot = next(p["text"] for p in payloads if p["title"] == "Interstellar (2014)")
    assert "space" not in plot.lower() and "travel" not in plot.lower()
    hits = semantic_search(SbertProvider(model).embed_query(SPACE), sbert_store, 3)
    titles = [h.payload["title"] for h in hits]
    assert "Interstellar (2014)" in titles
    assert all(shared_words(SPACE, h.payload["text"]) == [] for h in hits)


def test_glove_average_misses_the_keyword_free_match(movie_stores, kv):
    _, glove_store, _ = movie_stores
    query = GloveAverageVectorizer(kv).embed_query(SPACE)
    hits = semantic_search(query, glove_store, 3)
    assert "Interstellar (2014)" not in [h.payload["title"] for h in hits]
    assert all(h.score > 0.9 for h in hits)  # averaged blurbs all look alike to GloVe
    assert ranks_of(query, glove_store, ["movie-1"]) == {"movie-1": 8}  # Interstellar: 8th


def test_sbert_ranks_paraphrases_for_other_queries(movie_stores, model):
    sbert_store, _, _ = movie_stores
    vec = SbertProvider(model)
    top = [h.payload["title"] for h in semantic_search(vec.embed_query("a movie about cooking"),
                                                        sbert_store, 3)]
    assert "Julie & Julia (2009)" in top and "Chef (2014)" in top
    raw = encode(model, ["a movie about cooking"])[0]
    assert raw == pytest.approx(vec.embed_query("a movie about cooking"))


def test_concurrent_queries_from_many_sessions_match_sequential_answers(movie_stores, model):
    from concurrent.futures import ThreadPoolExecutor

    sbert_store, _, _ = movie_stores
    vec = SbertProvider(model)
    queries = [SPACE, "a movie about cooking", "a heist in a casino", "a haunted hotel",
               "boxing underdog", "a robot in love"] * 2

    def answer(q):
        return [h.id for h in semantic_search(vec.embed_query(q), sbert_store, 5)]

    sequential = [answer(q) for q in queries]
    with ThreadPoolExecutor(max_workers=6) as pool:  # the shared model is used under its lock
        parallel = list(pool.map(answer, queries))
    assert parallel == sequential
