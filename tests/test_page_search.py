"""The semantic search page, driven the way a student uses it (AppTest through the router)."""

from __future__ import annotations

import pytest

from embedding.search.store import list_indexes
from tests.apptest import count_calls, open_page, shown_text
from tests.test_documents import encrypted, make_pdf

PAGE = "pages/semantic_search.py"

NOTES = (
    "Sourdough needs a lively starter of flour and water. Knead the dough and let it rise "
    "overnight in the fridge. Bake it in a very hot covered pot.\n\n"
    "The printing press spread books across Europe after 1450. Cheap pamphlets carried new "
    "ideas faster than rulers could stop them."
)


def tables_with(at, column: str) -> list:
    """The tables on screen that have ``column`` (st.dataframe keys are not exposed)."""
    return [df.value for df in at.dataframe if column in df.value.columns]


def results_table(at):
    """The ranked results table of the Search view (the one saying why each hit matched)."""
    found = tables_with(at, "why it matched")
    return found[0] if found else None


def preview_table(at):
    return tables_with(at, "chunk")[0]


def test_default_query_on_movies_ranks_the_keyword_free_match(kv, model):
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert at.radio(key="search_method").value == "sbert"  # measured best on the blurbs
    table = results_table(at)
    assert table is not None and len(table) == 5
    assert "Interstellar (2014)" in table["title"].head(3).tolist()
    assert table["cosine"].is_monotonic_decreasing
    why = table.loc[table["title"] == "Interstellar (2014)", "why it matched"].item()
    assert why.startswith("closest sentence (0.")
    text = shown_text(at)
    assert "Top 5 of 397 in Movie blurbs" in text
    assert "row 1" in text  # the source position of the chunk
    at.selectbox(key="search_corpus").set_value("lectures").run()  # documents: hybrid
    assert at.radio(key="search_method").value == "hybrid"
    at.text_input(key="search_q").input("how are chunks overlapped?").run()
    whys = " ".join(results_table(at)["why it matched"])
    assert "SBERT #" in whys and "BM25 #" in whys and "words: chunk" in whys
    assert "closest sentence" in whys
    at.radio(key="search_method").set_value("bm25").run()  # a choice is kept
    at.selectbox(key="search_corpus").set_value("movies").run()
    assert at.radio(key="search_method").value == "bm25"


@pytest.mark.parametrize(("method", "score", "why"), [
    ("sbert", "cosine", "closest sentence ("), ("bm25", "BM25", "words: space"),
    ("hybrid", "hybrid score", "SBERT #")])
def test_each_method_says_why_each_hit_matched(method, score, why, kv, model):
    at = open_page(PAGE, {"search_method": method})
    assert not at.exception, at.exception
    table = results_table(at)
    assert table[score].is_monotonic_decreasing and 1 <= len(table) <= 5
    assert all(why in w or "words: travel" in w for w in table["why it matched"])


def test_typing_a_query_and_top_k_updates_the_ranking(kv, model):
    at = open_page(PAGE)
    at.text_input(key="search_q").input("a movie about cooking")
    at.number_input(key="search_k").set_value(3)
    at.run()
    assert not at.exception
    table = results_table(at)
    assert len(table) == 3
    assert {"Julie & Julia (2009)", "Chef (2014)"} & set(table["title"])
    assert "**cook**" in shown_text(at)  # "cooking" in the query bolds "cook" in a blurb


def test_lecture_pages_show_source_and_position(kv, model):
    at = open_page(PAGE, {"search_corpus": "lectures", "search_q": "how are chunks overlapped?"})
    assert not at.exception
    table = results_table(at)
    assert "chunk" in table["title"].iloc[0].lower()
    assert table["where"].iloc[0].startswith("chunk ")


@pytest.mark.parametrize("query", ["   ", "<script>alert(1)</script> **bold** $x$", "🚀🌌✨",
                                   "宇宙旅行の映画"])
def test_odd_queries_never_crash(query, kv, model):
    at = open_page(PAGE, {"search_q": query})
    assert not at.exception, at.exception
    if not query.strip():
        assert any("Type some" in i.value for i in at.info)
    else:
        assert all("<script>" not in m.value for m in at.markdown)


def test_bad_url_values_fall_back_to_defaults(kv, model):
    at = open_page(PAGE, {"search_corpus": "index:../../etc", "search_k": "999",
                          "search_view": "nope"})
    assert not at.exception
    assert len(results_table(at)) == 50


def test_glove_vs_sbert_side_by_side(kv, model):
    at = open_page(PAGE, {"search_view": "GloVe vs SBERT"})
    assert not at.exception, at.exception
    glove, sbert = tables_with(at, "shared")  # left column, right column (GloVe vs SBERT)
    assert "Interstellar (2014)" in sbert["title"].head(3).tolist()
    assert "Interstellar (2014)" not in glove["title"].tolist()
    (note,) = [s.value for s in at.success]
    assert "**Interstellar \\(2014\\)**: SBERT #2, GloVe average #" in note
    assert "of 397" in note


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBEDDING_EXPLORER_DATA", str(tmp_path))
    monkeypatch.delenv("QDRANT_URL", raising=False)
    return tmp_path


def test_upload_chunk_index_search_delete(data_dir, kv, model):
    at = open_page(PAGE, {"search_view": "Your documents"})
    assert not at.exception
    at.file_uploader(key="search_upload").upload("My Notes.txt", NOTES.encode(), "text/plain")
    at.run()
    assert not at.exception, at.exception
    preview = preview_table(at)
    assert preview["chunk"].iloc[0].startswith("Sourdough needs a lively starter")
    assert at.text_input(key="search_index_name").value == "my-notes"

    at.radio(key="search_chunk_method").set_value("sentences").run()  # fixed windows
    at.slider(key="search_chunk_sent").set_value(2).run()
    assert len(preview_table(at)) == 4  # 5 sentences, 2 per chunk, 1 overlap
    at.button(key="search_build").click().run()
    assert not at.exception, at.exception
    assert any("Saved index" in s.value for s in at.success)
    assert list_indexes() == ["my-notes"]
    assert (data_dir / "indexes" / "my-notes" / "index.npz").is_file()
    at.run()  # the same name again: the student is told it would replace the saved index
    assert any("already exists" in i.value for i in at.info)

    # A new session (think: after a server restart) finds and searches the saved index.
    fresh = open_page(PAGE, {"search_corpus": "index:my-notes",
                             "search_q": "how do I make bread rise?"})
    assert not fresh.exception, fresh.exception
    table = results_table(fresh)
    assert table["title"].iloc[0] == "My Notes.txt"
    assert "Sourdough" in table["text"].iloc[0] or "rise" in table["text"].iloc[0]

    at.selectbox(key="search_delete_pick").set_value("my-notes")
    at.button(key="search_delete").click().run()
    assert not at.exception
    assert list_indexes() == []


@pytest.mark.parametrize(("name", "data", "message"), [
    ("secret.pdf", encrypted(make_pdf(["Top secret."])), "password-protected"),
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type", "not a readable PDF"),
    ("noise.txt", bytes(range(256)), "binary"),
    ("empty.txt", b"", "empty"),
])
def test_bad_uploads_show_a_warning(name, data, message, data_dir, kv, model):
    at = open_page(PAGE, {"search_view": "Your documents"})
    at.file_uploader(key="search_upload").upload(name, data, "application/octet-stream")
    at.run()
    assert not at.exception, at.exception
    shown = [w.value.replace("\\", "") for w in at.warning]  # messages are markdown-escaped
    assert any(message in w for w in shown), shown


def test_file_names_and_links_cannot_inject_markdown(data_dir, kv, model):
    at = open_page(PAGE, {"search_view": "Your documents"})
    at.file_uploader(key="search_upload").upload("[click](javascript:alert).txt", b"",
                                                 "text/plain").run()
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert "\\[click\\]\\(javascript" in warning  # shown literally, not as a link
    link = open_page(PAGE, {"search_corpus": "index:![x](http://evil.example/a.png)"})
    assert any("\\!\\[x\\]" in i.value for i in link.info)


def test_csv_column_choice_and_bad_index_name(data_dir, kv, model):
    at = open_page(PAGE, {"search_view": "Your documents"})
    csv = b"title,plot\nUp,An old man flies his house away with balloons.\nCars,A race car.\n"
    at.file_uploader(key="search_upload").upload("films.csv", csv, "text/csv").run()
    assert at.selectbox(key="search_csv_col").value == "plot"
    assert preview_table(at)["position"].tolist() == ["row 1", "row 2"]
    at.selectbox(key="search_csv_col").set_value("title").run()
    assert preview_table(at)["chunk"].tolist() == ["Up", "Cars"]
    at.text_input(key="search_index_name").input("../../etc/passwd").run()
    assert any("cannot be an index name" in w.value.replace("\\", "") for w in at.warning)
    at.button(key="search_build").click().run()
    assert not at.exception and list_indexes() == []


def test_sample_text_when_no_file_is_at_hand(data_dir, kv, model):
    at = open_page(PAGE, {"search_view": "Your documents"})
    at.toggle(key="search_sample").set_value(True).run()
    assert not at.exception, at.exception
    preview = preview_table(at)
    assert preview["chunk"].iloc[0].startswith("# What is an embedding?")
    assert preview["position"].iloc[0] == "chunk 1"
    assert at.text_input(key="search_index_name").value == "lecture-pages"
    assert any(m.label == "Chunks" and int(m.value.replace(",", "")) > 10 for m in at.metric)


def sample_in_word_chunks(words: int):
    """The sample lecture text on *Your documents*, cut into chunks of ``words`` words."""
    at = open_page(PAGE, {"search_view": "Your documents"})
    at.toggle(key="search_sample").set_value(True).run()
    at.radio(key="search_chunk_method").set_value("tokens").run()
    return at.slider(key="search_chunk_tok").set_value(words).run()


def test_small_word_chunks_keep_a_valid_overlap_and_the_index_name(data_dir, kv, model):
    """Issue 15: words per chunk 20 made the overlap default (20) exceed its maximum (19)."""
    at = sample_in_word_chunks(20)
    assert not at.exception, at.exception
    overlap = next(s for s in at.slider if s.label == "Overlap")
    assert overlap.max == 19 and 0 <= overlap.value <= 19
    assert at.text_input(key="search_index_name").value == "lecture-pages"
    at.slider(key="search_chunk_tok").set_value(30).run()
    assert not at.exception, at.exception
    assert next(s for s in at.slider if s.label == "Overlap").value <= 29


def test_chunks_longer_than_the_model_reads_are_flagged(data_dir, kv, model):
    """Issue 15: chunks over 256 word pieces were cut without notice."""
    at = sample_in_word_chunks(250)
    assert not at.exception, at.exception
    assert "word pieces the model reads" in shown_text(at)
    assert preview_table(at)["word pieces"].max() > 256
    at.slider(key="search_chunk_tok").set_value(100).run()
    assert "word pieces the model reads" not in shown_text(at)


def test_a_csv_title_column_names_the_results(data_dir, kv, model):
    at = open_page(PAGE, {"search_view": "Your documents"})
    data = b"name,plot\nStarship,A crew flies a starship past Saturn.\nBread,Knead dough.\n"
    at.file_uploader(key="search_upload").upload("films.csv", data, "text/csv")
    at.run()
    at.selectbox(key="search_csv_title").set_value("name").run()
    at.button(key="search_build").click().run()
    assert not at.exception, at.exception
    at = open_page(PAGE, {"search_view": "Search", "search_corpus": "index:films",
                          "search_q": "space travel"})
    assert results_table(at)["title"].iloc[0] == "Starship"


@pytest.mark.slow  # builds an HNSW graph: make test, not make check
def test_an_index_can_carry_an_hnsw_graph(data_dir, kv, model):
    """Issue 16: the store's ANN option, offered when building a named index."""
    from embedding.search.store import HnswStore, open_index

    at = open_page(PAGE, {"search_view": "Your documents"})
    at.toggle(key="search_sample").set_value(True).run()
    at.text_input(key="search_index_name").set_value("withgraph").run()
    at.checkbox(key="search_ann").check().run()
    at.button(key="search_build").click().run()
    assert not at.exception, at.exception
    store = open_index("withgraph")
    assert isinstance(store, HnswStore) and store.uses_graph
    at = open_page(PAGE, {"search_view": "Search", "search_corpus": "index:withgraph",
                          "search_q": "how do I bake bread"})
    assert not at.exception, at.exception
    assert "search is approximate" in shown_text(at)


def test_a_second_session_stems_nothing_and_hidden_views_compute_nothing(kv, model, monkeypatch):
    """Result rows and highlights are made once per result list (cached.result_view); the
    views that are not showing (GloVe vs SBERT, Your documents) compute nothing."""
    from embedding.search import retrieval
    from ui import cached

    first = open_page(PAGE)
    assert not first.exception
    calls = count_calls(monkeypatch, [(retrieval, "result_rows"), (retrieval, "highlight"),
                                      (retrieval.GloveAverageVectorizer, "embed_query"),
                                      (retrieval, "ranks_of"), (cached, "wordpiece_lengths")])
    second = open_page(PAGE)
    second.run()
    assert not second.exception
    assert dict(calls) == {}
    assert shown_text(second) == shown_text(first)
    second.segmented_control(key="search_view").set_value("GloVe vs SBERT").run()
    assert not second.exception and calls["embed_query"] >= 1  # the view, once open, computes


# ---------------------------------------------------------------------------------------------
# Issue 23: real questions in real documents, and inputs that say what happened


def test_an_emoji_query_says_the_model_cannot_read_it(kv, model):
    at = open_page(PAGE, {"search_q": "🍕🚀🐱🎉", "search_method": "sbert"})
    assert not at.exception, at.exception
    (note,) = [w.value for w in at.warning if "cannot read most of this text" in w.value]
    assert "1 of 1 word (" in note and "[UNK]" in note
    assert results_table(at) is not None  # the scores are still shown, with the note beside
    plain = open_page(PAGE, {"search_q": "a pizza party in space", "search_method": "sbert"})
    assert not any("cannot read" in w.value for w in plain.warning)


def test_a_paste_over_the_limit_is_cut_with_a_note(kv, model):
    at = open_page(PAGE)
    assert not at.text_input(key="search_q").max_chars  # the browser refuses nothing
    at.text_input(key="search_q").input("astronauts travel to a distant planet " * 60).run()
    assert not at.exception, at.exception
    assert any("only the first 2,000 are used" in w.value for w in at.warning)
    assert results_table(at) is not None


def test_a_utf16_csv_from_excel_indexes_and_is_searched_by_keyword(data_dir, kv, model):
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated."""
    table = ("titre\tintrigue\nAmélie\tUne serveuse de Montmartre aide ses voisins en secret.\n"
             "Ratatouille\tA rat who dreams of cooking in a Paris restaurant.\n")
    at = open_page(PAGE, {"search_view": "Your documents"})
    at.file_uploader(key="search_upload").upload("films.csv", table.encode("utf-16"),
                                                 "text/csv").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="search_csv_col").value == "intrigue"
    at.button(key="search_build").click().run()
    assert any("Saved index" in s.value for s in at.success), [w.value for w in at.warning]
    found = open_page(PAGE, {"search_corpus": "index:films", "search_q": "Montmartre",
                             "search_method": "bm25"})
    assert not found.exception, found.exception
    table = results_table(found)
    assert table["text"].iloc[0].startswith("Une serveuse") and len(table) == 1
    assert table["why it matched"].iloc[0] == "words: montmartre"


def test_an_uploaded_pdf_index_on_keyword_vs_semantic_shows_chunks_and_scores(data_dir, kv,
                                                                                model):
    """Issue 23: the four lists read only "★ bash.txt · chunk 525", scores cut off."""
    from tests.test_documents import MANUAL_PAGES

    at = open_page(PAGE, {"search_view": "Your documents"})
    at.file_uploader(key="search_upload").upload("manual.pdf", make_pdf(MANUAL_PAGES),
                                                 "application/pdf").run()
    assert not at.exception, at.exception
    assert preview_table(at)["position"].iloc[0].startswith("pages 1–")  # one chunk, 3 pages
    at.radio(key="search_chunk_method").set_value("sentences").run()
    at.slider(key="search_chunk_sent").set_value(1).run()
    at.button(key="search_build").click().run()
    assert any("Saved index" in s.value for s in at.success)
    kw = open_page("pages/keyword_search.py", {"kw_corpus": "index:manual",
                                                "kw_q": "reciprocal rank fusion"})
    assert not kw.exception, kw.exception
    assert kw.text_input(key="kw_q").value == "reciprocal rank fusion"  # from the link
    keyword = tables_with(kw, "BM25")[0]
    assert keyword["chunk"].iloc[0] == "★ manual.pdf · page 3 · chunk 4"
    assert keyword["text"].iloc[0].startswith("Hybrid search fuses the two rankings")
    assert keyword["BM25"].iloc[0] > 0
    semantic = tables_with(kw, "cosine")[0]
    assert semantic["text"].str.len().min() > 20 and semantic["cosine"].is_monotonic_decreasing
