"""The issue-16 pages through the router: keyword vs semantic, exact vs approximate, categories."""

from __future__ import annotations

import numpy as np
import pytest

from tests.apptest import click_tab, count_calls, open_page, shown_text

KEYWORD = "pages/keyword_search.py"
ANN = "pages/vector_index.py"
CATEGORIES = "pages/categories.py"


def table(at, column: str, n: int = 0):
    """The ``n``-th table on the page that has ``column``."""
    return [df.value for df in at.dataframe if column in df.value.columns][n]


def test_keyword_page_three_lists_two_stages_and_quality(kv, model):
    at = open_page(KEYWORD)
    assert not at.exception, at.exception
    at.selectbox(key="kw_preset").set_value("Keyword wins: Detroit").run()
    assert not at.exception, at.exception
    assert at.text_input(key="kw_q").value == "Detroit"
    kw = table(at, "BM25")
    assert kw["chunk"].iloc[0] == "★ RoboCop (1987)"  # SBERT found it too
    assert "Detroit" in kw["text"].iloc[0]  # the start of the blurb, beside its title
    text = shown_text(at)
    assert "Hybrid (RRF, k = 60)" in text and "proper name" in text
    metrics = {m.label: m.value for m in at.metric}
    # BM25 had 2 candidates: the two stages cannot find SBERT's own top 10 (not 100% by
    # construction), and the caption says why
    assert metrics == {"SBERT's own top 10 found by the two stages": "2 of 10"}, metrics
    assert "BM25 found only 2 candidates" in text
    assert set(table(at, "SBERT cosine")["passage"]) == {"RoboCop (1987)",
                                                          "Searching for Sugar Man (2012)"}
    quality = shown_text(at)
    assert "recall@5" in quality and "paraphrase" in quality
    at.selectbox(key="kw_preset").set_value(
        "Semantic wins: the undead attack passengers on a railway journey").run()
    assert table(at, "cosine", 0)["chunk"].iloc[0] == "Train to Busan (2016)"  # no ★: BM25 missed it


def test_keyword_page_a_second_session_searches_nothing(kv, model, monkeypatch):
    """The lists, the two-stage table and the quality pivot are computed once per input and
    shared (cached.keyword_view): a class opening the page runs no search again."""
    from embedding.search import keyword, retrieval

    first = open_page(KEYWORD)
    assert not first.exception, first.exception
    calls = count_calls(monkeypatch, [(keyword.Bm25Index, "search"),
                                      (retrieval, "result_rows"),
                                      (retrieval.GloveAverageVectorizer, "embed_query")])
    second = open_page(KEYWORD)
    second.run()
    assert not second.exception, second.exception
    assert dict(calls) == {}
    assert table(second, "BM25")["chunk"].tolist() == table(first, "BM25")["chunk"].tolist()
    from ui import cached

    cached.two_stage_view.clear()  # another test may have shown this input already
    second.radio(key="kw_stage1").set_value("GloVe average").run()  # a new input computes
    assert calls["embed_query"] == 1 and not second.exception
    assert "SBERT's own top 10 found by the two stages" in {m.label for m in second.metric}
    assert "from below GloVe average's own top 10" in shown_text(second)


@pytest.mark.parametrize("query, message", [("", "Type some query"),
                                            ("the of a", "not a stop word")])
def test_keyword_page_empty_or_stop_word_queries_get_a_message(query, message, kv, model):
    at = open_page(KEYWORD)
    at.text_input(key="kw_q").set_value(query).run()
    assert not at.exception, at.exception
    assert message in shown_text(at)


def test_categories_page_labels_and_movie_genres(kv, model):
    at = open_page(CATEGORIES)
    assert not at.exception, at.exception
    says = {m.label: m.value for m in at.metric}
    assert says["SBERT says"] == "politics"
    at.text_area(key="cat_labels").set_value("only one").run()
    assert "Only one label" in shown_text(at) and not at.exception
    at.text_area(key="cat_labels").set_value("a\nb\nA").run()
    assert "appears twice" in shown_text(at)
    at = open_page(CATEGORIES, query={"cat_tab": "2"})
    accuracy = [m.value for m in at.metric if m.label == "Accuracy (first genre)"]
    assert accuracy == ["23.9%", "6.5%"]  # SBERT, GloVe average with our descriptions
    assert "397 films; the baseline always answers" in shown_text(at)
    at.text_area(key="cat_genres").set_value("").run()
    assert "at least two labels" in shown_text(at) and not at.exception


def test_categories_hidden_tab_does_no_work(monkeypatch, kv, model):
    from ui import cached

    calls = count_calls(monkeypatch, [(cached, "category_scores"), (cached, "genre_evaluation")])
    at = open_page(CATEGORIES)
    assert not at.exception and dict(calls) == {"category_scores": 1}
    calls.clear()
    click_tab(at, "cat_tab", 2)
    assert not at.exception and dict(calls) == {"genre_evaluation": 1}


def test_categories_edited_texts_survive_a_visit_to_the_other_tab(kv, model):
    at = open_page(CATEGORIES)
    at.text_area(key="cat_text").set_value("The striker scored twice in the final.").run()
    assert {m.label: m.value for m in at.metric}["SBERT says"] == "sport"
    click_tab(at, "cat_tab", 2)
    at.text_area(key="cat_genres").set_value("Horror: a monster\nComedy: jokes").run()
    click_tab(at, "cat_tab", 1)
    assert at.text_area(key="cat_text").value == "The striker scored twice in the final."
    assert {m.label: m.value for m in at.metric}["SBERT says"] == "sport"
    click_tab(at, "cat_tab", 2)
    assert at.text_area(key="cat_genres").value == "Horror: a monster\nComedy: jokes"


def test_exact_vs_approximate_page_measures_recall(tmp_path, monkeypatch, kv, model):
    from ui import resources, server_jobs

    monkeypatch.setattr(server_jobs, "on_server_machine", lambda: True)  # the instructor

    rng = np.random.default_rng(0)
    small = rng.standard_normal((3_000, 16)).astype(np.float32)
    small /= np.linalg.norm(small, axis=1, keepdims=True)
    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.setattr(resources, "ann_vectors", lambda dataset: small)
    # this test's toy graphs stay out of the process-wide registry other page tests read
    monkeypatch.setattr(resources, "_ann_builds", {})
    monkeypatch.setattr(resources, "_ann_done", {})
    try:
        check_ann_page(tmp_path, resources)
    finally:
        from ui import cached

        cached.ann_curve.clear()
        cached.ann_compare.clear()


def check_ann_page(tmp_path, resources):
    at = open_page(ANN)
    # opening the page builds nothing: 400,000 words keep a core busy for minutes
    assert not at.exception, at.exception
    assert not resources.ann_build("glove", 16, start=False).started
    assert "Build the graph now" in [b.label for b in at.button]
    at.selectbox(key="ann_dataset").set_value("chunks").run()
    assert not at.exception, at.exception
    assert not resources.ann_build("chunks", 16, start=False).started
    at.button(key="ann_start").click().run()
    assert not at.exception, at.exception
    assert resources.ann_build("chunks", 16, start=False).started
    # the prompt went away with the click: no "Build the graph now" above the progress bar
    assert "Build the graph now" not in [b.label for b in at.button]
    assert resources.ann_build("chunks", 16).wait(120)  # the shared background build
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Vectors"] == "3,000 × 16"
    curve = table(at, "recall@10")
    assert curve["ef"].tolist() == [8, 16, 32, 64, 128, 256, 512]
    assert curve["recall@10"].iloc[-1] >= 0.95
    assert list(tmp_path.joinpath("ann", "chunks").glob("hnsw-M16-efc40-*.faiss"))  # on disk
    assert "recall@10" in shown_text(at)


def test_exact_vs_approximate_students_cannot_start_a_build(tmp_path, monkeypatch, kv, model):
    """A student (not on the server machine, no key) sees "ask your instructor" and no button;
    the instructor's key (a server setting) unlocks the button for that browser session."""
    from ui import resources, server_jobs

    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.setattr(resources, "_ann_builds", {})
    monkeypatch.setattr(resources, "_ann_done", {})
    monkeypatch.setattr(server_jobs, "on_server_machine", lambda: False)
    monkeypatch.delenv("EMBEDDING_EXPLORER_INSTRUCTOR_KEY", raising=False)
    at = open_page(ANN)
    assert not at.exception, at.exception
    assert "ask your instructor" in shown_text(at) and "make graphs" in shown_text(at)
    assert not [b for b in at.button if b.label == "Build the graph now"]
    assert not resources.ann_build("glove", 16, start=False).started
    monkeypatch.setenv("EMBEDDING_EXPLORER_INSTRUCTOR_KEY", "s3cret-key")
    at.run()
    at.text_input(key="ann_key_typed").set_value("guess").run()
    at.button(key="ann_key_unlock").click().run()
    assert "not the instructor key" in shown_text(at)
    assert not [b for b in at.button if b.label == "Build the graph now"]
    at.text_input(key="ann_key_typed").set_value("s3cret-key").run()
    at.button(key="ann_key_unlock").click().run()
    assert not at.exception, at.exception
    assert [b for b in at.button if b.label == "Build the graph now"]
    assert "s3cret-key" not in shown_text(at)


def test_long_jobs_run_one_at_a_time():
    import threading

    from ui import resources

    first, second = resources.SharedBuild("a", None), resources.SharedBuild("b", None)
    inside, release, order = threading.Event(), threading.Event(), []

    def slow():
        order.append("a")
        inside.set()
        release.wait(30)

    t1 = threading.Thread(target=resources.run_as_long_job, args=(first, slow))
    t1.start()
    assert inside.wait(30)
    t2 = threading.Thread(target=resources.run_as_long_job,
                          args=(second, lambda: order.append("b")))
    t2.start()
    t2.join(0.2)  # (bounded wait: the second job must still be queued)
    assert second.waiting and order == ["a"]
    release.set()
    t1.join(30)
    t2.join(30)
    assert order == ["a", "b"] and not second.waiting


@pytest.mark.server
def test_exact_vs_approximate_pgvector_beside_faiss(tmp_path, monkeypatch, kv, model,
                                                    postgres_server):
    """With a database, the page builds pgvector's graph (same M) on request and shows its
    recall@10 and latency next to FAISS's on the same queries."""
    from embedding.search.store import registry
    from tests.pg import fresh_database
    from ui import cached, resources, server_jobs

    rng = np.random.default_rng(0)
    small = rng.standard_normal((3_000, 16)).astype(np.float32)
    small /= np.linalg.norm(small, axis=1, keepdims=True)
    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", fresh_database(postgres_server))
    registry.use_backend(None)
    monkeypatch.setattr(resources, "ann_vectors", lambda dataset: small)
    monkeypatch.setattr(resources, "_ann_builds", {})
    monkeypatch.setattr(resources, "_ann_done", {})
    monkeypatch.setattr(resources, "_pg_builds", {})
    monkeypatch.setattr(server_jobs, "on_server_machine", lambda: True)
    try:
        at = open_page(ANN)
        at.selectbox(key="ann_dataset").set_value("chunks").run()
        at.button(key="ann_start").click().run()
        assert resources.ann_build("chunks", 16).wait(120)
        at.run()
        assert not at.exception, at.exception
        assert "The same graph inside PostgreSQL" in shown_text(at)
        assert resources.pg_ann_store("chunks", 16) is None
        at.button(key="ann_pg_start").click().run()
        assert resources.pg_ann_build("chunks", 16, start=False).wait(120)
        assert resources.pg_ann_build("chunks", 16, start=False).error is None
        at.run()
        assert not at.exception, at.exception
        both = table(at, "pgvector (SQL)").set_index("HNSW")
        assert list(both.columns) == ["FAISS (app)", "pgvector (SQL)"]
        assert (both.loc["recall@10"].astype(float) >= 0.9).all(), both
        store = resources.pg_ann_store("chunks", 16)
        assert store.count() == 3_000 and store.graph == "hnsw m=16 ef_construction=40"
        assert registry.list_indexes() == []  # the teaching graph is not a student's index
    finally:
        registry.use_backend(None)
        cached.ann_curve.clear()
        cached.ann_compare.clear()
        cached.pg_ann_compare.clear()
