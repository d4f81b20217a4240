"""Search: parsed uploads, HNSW curves, search quality, result views, keyword vs semantic,
zero-shot categories."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from ui import resources
from ui.cached.common import arrow_table
from ui.cached.sentences import embed_rows

# ---------------------------------------------------------------- uploads (semantic search)


@st.cache_data(max_entries=8, show_spinner=False)
def parsed_upload(name: str, data: bytes, column: str | None, title_column: str | None = None):
    """An uploaded document parsed once (by file name, bytes and the chosen CSV columns)."""
    from embedding.search.documents import parse_upload

    return parse_upload(name, data, text_column=column, title_column=title_column)


@st.cache_data(max_entries=8, show_spinner=False)
def csv_columns(name: str, data: bytes) -> tuple[list[str], str]:
    """A CSV upload's columns and the one that looks like text."""
    from embedding.search.documents import read_csv_table, suggest_text_column

    df = read_csv_table(data, name)
    return list(df.columns), suggest_text_column(df)


# ---------------------------------------------------------------- exact vs approximate (HNSW)

#: The ef values of the recall/latency curve, and how many queries measure it.
ANN_EFS = (8, 16, 32, 64, 128, 256, 512)
ANN_CURVE_QUERIES = 100


def _ann_queries(dataset: str, n: int = ANN_CURVE_QUERIES) -> np.ndarray:
    """The curve's queries: ``n`` stored vectors, nudged (the same for FAISS and pgvector)."""
    vectors = resources.ann_vectors(dataset)
    rng = np.random.default_rng(7)
    queries = vectors[rng.choice(len(vectors), n, replace=False)]
    return queries + rng.standard_normal(queries.shape).astype(np.float32) * 0.05


@st.cache_data(max_entries=8, show_spinner="Measuring recall and latency at every ef…")
def ann_curve(dataset: str, m: int):
    """The recall/latency curve of a finished graph, measured once per server (exact scan timed
    in the same run). Call only when :func:`resources.ann_index` is not ``None``."""
    from embedding.search.ann import ef_curve

    vectors, built = resources.ann_vectors(dataset), resources.ann_index(dataset, m)
    return ef_curve(built.index, vectors, _ann_queries(dataset), ANN_EFS)


@st.cache_data(max_entries=256, show_spinner=False)
def ann_compare(dataset: str, m: int, row: int, ef: int, k: int = 10):
    """Exact and HNSW top-``k`` rows for the stored vector ``row`` used as the query, with the
    median milliseconds of warm runs (like the curve's), measured once per input."""
    from embedding.search.ann import warm_compare

    vectors, built = resources.ann_vectors(dataset), resources.ann_index(dataset, m)
    return warm_compare(vectors, built.index, vectors[row], k, ef)


#: Queries that compare pgvector's graph with FAISS's (each is one SQL round trip).
PG_ANN_QUERIES = 50


@st.cache_data(max_entries=32, show_spinner="Asking FAISS and pgvector the same queries…")
def pg_ann_compare(dataset: str, m: int, ef: int) -> dict:
    """FAISS's and pgvector's HNSW graphs (same M) on the same queries at the same ``ef``:
    recall@10 against the exact scan, median ms per query, build time and size. Call only when
    :func:`resources.pg_ann_store` returns a store."""
    from embedding.search.ann import exact_search, recall_at_10
    from embedding.search.ann_pg import measure_pg

    vectors, built = resources.ann_vectors(dataset), resources.ann_index(dataset, m)
    queries = _ann_queries(dataset, PG_ANN_QUERIES)
    exact = exact_search(vectors, queries, 10)
    faiss_rows, faiss_times = [], []
    built.index.search(queries[0], 10, ef=ef)
    for q in queries:
        t0 = time.perf_counter()
        faiss_rows.append(built.index.search(q, 10, ef=ef)[0][0])
        faiss_times.append(time.perf_counter() - t0)
    pg = measure_pg(resources.pg_ann_store(dataset, m), queries, exact, ef)
    return {"faiss": (recall_at_10(np.stack(faiss_rows), exact),
                      float(np.median(faiss_times) * 1e3), built.index.build_seconds,
                      built.memory_bytes),
            "pgvector": (pg.recall, pg.ms, pg.build_seconds, pg.size_bytes)}


# ---------------------------------------------------------------- keyword vs semantic quality


@st.cache_data(max_entries=2, show_spinner="Scoring keyword, semantic and hybrid search on our "
                                            "labelled queries…")
def search_quality(rrf_k: int = 60) -> list[dict]:
    """Recall@5 and MRR of BM25, GloVe average, SBERT and hybrid on ``data/search_queries.csv``
    (lecture chunks counted per page), one row per corpus, ranker and kind of query."""
    from embedding.search.fusion import evaluate, load_query_set
    from embedding.search.hybrid import rankers
    from embedding.search.retrieval import GloveAverageVectorizer

    glove_vec = GloveAverageVectorizer(resources.glove())
    rows = []
    queries = load_query_set()
    for corpus in ("movies", "lectures"):
        sub = [q for q in queries if q.corpus == corpus]
        qvec = dict(zip([q.query for q in sub], embed_rows(tuple(q.query for q in sub)),
                        strict=True))
        ranked = rankers(resources.bm25_index(corpus), resources.builtin_store(corpus, "sbert"),
                         qvec.__getitem__, resources.builtin_store(corpus, "glove"),
                         glove_vec.embed_query, rrf_k)
        results = evaluate(sub, ranked, k=5)
        rows += [{"corpus": corpus, "ranker": r.ranker, "queries": r.kind, "n": r.queries,
                  "recall@5": round(r.recall, 3), "MRR": round(r.mrr, 3)}
                 for r in results]
    return rows


@st.cache_data(max_entries=128, show_spinner=False)  # up to 50 chunk texts each
def _result_view(source: str, query: str, ranked: tuple[tuple[str, float], ...], _hits):
    import pandas as pd

    from embedding.search.retrieval import highlight, result_rows

    rows = result_rows(_hits, query)
    df = pd.DataFrame([r.__dict__ for r in rows])
    return rows, df, arrow_table(df), [highlight(r.text, query) for r in rows]


def result_view(source: str, query: str, hits) -> tuple[list, object, object, list[str]]:
    """One ranked list as the search pages show it, made once per list and shared:
    ``(result_rows, DataFrame, its Arrow table, each text with the query's words in bold)``.

    ``source`` names where the hits come from (a built-in corpus, or a saved index and its
    build), so the hits' ids and scores key the cache without hashing their texts.
    """
    return _result_view(source=source, query=query,
                        ranked=tuple((str(h.id), float(h.score)) for h in hits), _hits=hits)


@st.cache_data(max_entries=2, show_spinner=False)
def search_quality_table(rrf_k: int = 60):
    """:func:`search_quality` as the page shows it: recall@5 and MRR per corpus and kind of
    query (rows) and ranker (columns), and how many queries each corpus has."""
    import pandas as pd

    quality = pd.DataFrame(search_quality(rrf_k))
    table = quality.pivot_table(index=["corpus", "queries"], columns="ranker",
                                values=["recall@5", "MRR"], sort=False)
    n_all = quality[quality["queries"] == "all"].groupby("corpus")["n"].first()
    return arrow_table(table), {c: int(n) for c, n in n_all.items()}



#: A phone's quality table: the rankers the table is about first, in names that fit 360 px.
PHONE_RANKERS = {"semantic (SBERT)": "SBERT", "hybrid": "hybrid", "keyword (BM25)": "BM25",
                 "GloVe average": "GloVe"}


@st.cache_data(max_entries=2, show_spinner=False)
def search_quality_phone(rrf_k: int = 60) -> dict:
    """:func:`search_quality` for a phone (about 330 px for a table): recall@5 only, one table
    per corpus (``{corpus: Arrow table}``), kinds of query as rows, SBERT, hybrid, BM25 and
    GloVe as columns, in that order."""
    import pandas as pd

    quality = pd.DataFrame(search_quality(rrf_k))
    quality["ranker"] = [PHONE_RANKERS["hybrid" if r.startswith("hybrid") else r]
                         for r in quality["ranker"]]
    tables = {}
    for corpus, rows in quality.groupby("corpus", sort=False):
        table = rows.pivot_table(index="queries", columns="ranker", values="recall@5",
                                 sort=False)[list(PHONE_RANKERS.values())]
        table.columns.name = None
        tables[corpus] = arrow_table(table)
    return tables

def _keyword_searches(corpus: str, stamp: str, query: str):
    """The SBERT store and the top 100 of BM25, SBERT and GloVe average for ``query``, with
    the messages for a query BM25 or GloVe cannot read: ``(store, qvec, kw, sem, glo, notes)``."""
    from embedding.search.hybrid import DEPTH
    from embedding.search.keyword import EmptyQueryError
    from embedding.sentences.compare import NoKnownWordsError
    from embedding.text import escape_markdown

    if corpus.startswith("index:"):
        s_store, bm25, g_store = resources.saved_index_side(corpus.removeprefix("index:"), stamp)
    else:
        bm25, s_store = resources.bm25_index(corpus), resources.builtin_store(corpus, "sbert")
        g_store = resources.builtin_store(corpus, "glove")
    notes: list[tuple[str, str]] = []
    qvec = embed_rows((query,))[0]
    try:
        kw = bm25.search(query, DEPTH)
    except EmptyQueryError as exc:
        notes.append((str(exc), ":material/edit:"))
        kw = []
    try:
        glo = g_store.search(_glove_average().embed_query(query), DEPTH)
    except NoKnownWordsError as exc:
        notes.append((escape_markdown(str(exc)), ":material/translate:"))
        glo = []
    return s_store, qvec, kw, s_store.search(qvec, DEPTH), glo, notes


@st.cache_data(max_entries=256, show_spinner=False)
def keyword_view(corpus: str, stamp: str, query: str, k: int, rrf_k: int) -> dict:
    """The Keyword vs semantic page's four lists for one query, computed once per input and
    shared by sessions: BM25, GloVe average, SBERT and hybrid (RRF) top ``k`` as tables
    (``★`` = in both the keyword and the semantic top ``k``).

    ``corpus`` is a built-in corpus or ``"index:<name>"`` (a saved numpy index, ``stamp`` its
    creation time and size). Returns a dict: ``notes`` (messages for the user: (text, icon)),
    ``lists`` ((title, Arrow table (:func:`arrow_table`) or ``None``) ×4), ``both`` and
    ``count``. Stores are fetched here (shared resources); call the page's ``*_or_stop`` and
    store checks first.
    """
    import pandas as pd

    from embedding.search.hybrid import fuse_hits

    s_store, _, kw, sem, glo, notes = _keyword_searches(corpus, stamp, query)
    both = {h.id for h in kw[:k]} & {h.id for h in sem[:k]}

    def ranked(hits, score_name: str):
        if not hits:
            return None
        df = pd.DataFrame({  # the score before the text, so a narrow column still shows it
            "chunk": [("★ " if h.id in both else "") + _passage_label(corpus, h) for h in hits],
            score_name: [round(h.score, 3) for h in hits],
            "text": [_text_start(h) for h in hits]})
        df.index = range(1, len(df) + 1)
        return arrow_table(df)

    lists = [("Keyword (BM25)", ranked(kw[:k], "BM25")),
             ("Semantic (SBERT)", ranked(sem[:k], "cosine")),
             ("GloVe average", ranked(glo[:k], "cosine")),
             (f"Hybrid (RRF, k = {rrf_k})", ranked(fuse_hits([kw, sem], rrf_k, k), "RRF score"))]
    return {"notes": notes, "lists": lists, "both": len(both), "count": s_store.count()}


def _passage_label(corpus: str, hit) -> str:
    """What a list calls a chunk: a movie's full title; a document chunk's title and place."""
    p = hit.payload
    title = str(p.get("title") or p.get("source") or hit.id)
    return title if corpus == "movies" else f"{title} · {p.get('position', '')}".rstrip(" ·")


def _text_start(hit, chars: int = 110) -> str:
    text = " ".join(str(hit.payload.get("text", "")).split())
    return text if len(text) <= chars else text[: chars - 1].rsplit(" ", 1)[0] + " …"


@st.cache_data(max_entries=256, show_spinner=False)
def two_stage_view(corpus: str, stamp: str, query: str, first: str) -> dict | None:
    """``first`` (``"BM25"`` or ``"GloVe average"``)'s top 100 for ``query`` re-ranked by SBERT
    (:func:`embedding.search.hybrid.retrieve_and_rerank`), shared: ``None`` when the first
    stage found nothing, else ``recovered`` (how many of SBERT's own top ``n`` over the whole
    corpus the two stages also return: below ``n`` when stage 1 missed some, so it is not true
    by construction), ``lifted`` (final results stage 1 had below its own top ``n``), ``n``,
    ``candidates`` and ``table`` (Arrow: each passage, its text, its ranks)."""
    import pandas as pd

    from embedding.search.hybrid import retrieve_and_rerank

    s_store, qvec, kw, sem, glo, _ = _keyword_searches(corpus, stamp, query)
    stage1 = kw if first == "BM25" else glo
    two = retrieve_and_rerank(stage1, s_store, qvec, k=10)
    if not two.final:
        return None
    n = len(two.final)
    exact_rank = {h.id: r for r, h in enumerate(sem[:10], 1)}
    hits = {h.id: h for h in stage1}
    return {"recovered": sum(1 for i, _ in two.final if i in exact_rank),
            "exact_n": min(10, len(sem)), "n": n,
            "lifted": sum(1 for i, _ in two.final if two.candidates.index(i) >= n),
            "candidates": len(two.candidates),
            "table": arrow_table(pd.DataFrame({
                "#": range(1, n + 1),
                "passage": [_passage_label(corpus, hits[i]) for i, _ in two.final],
                "SBERT cosine": [round(s, 4) for _, s in two.final],
                f"rank in {first}": [two.candidates.index(i) + 1 for i, _ in two.final],
                "rank in SBERT over all": [str(exact_rank.get(i, "below 10"))
                                           for i, _ in two.final],
                "text": [_text_start(hits[i]) for i, _ in two.final]}))}


# ---------------------------------------------------------------- categories as candidates


def _glove_average():
    from embedding.search.retrieval import GloveAverageVectorizer

    return GloveAverageVectorizer(resources.glove())


@st.cache_data(max_entries=256, show_spinner=False)
def category_scores(label_texts: tuple[str, ...], text: str) -> dict[str, np.ndarray]:
    """Cosine of ``text`` with each label text by model: ``"SBERT"``, and ``"GloVe average"``
    when GloVe knows a word of the text; shared by sessions (call ``*_or_stop`` first)."""
    from embedding.search.categories import cosines

    scores = {"SBERT": cosines(embed_rows((text,)), embed_rows(label_texts))[0]}
    glove_vec = _glove_average()
    g = glove_vec.embed([text])
    if g.any():
        scores["GloVe average"] = cosines(g, glove_vec.embed(list(label_texts)))[0]
    return scores


@st.cache_data(max_entries=64, show_spinner=False)
def genre_evaluation(names: tuple[str, ...], texts: tuple[str, ...]) -> dict:
    """First genre of every built-in film predicted from its plot by the closest of the genre
    descriptions ``texts`` (named ``names``), with SBERT and with GloVe averages, against the
    real first genre: ``{"films", "unknown", "counts", "SBERT": Evaluation, "GloVe average":
    Evaluation}``, shared by sessions."""
    from embedding.search.categories import assign, evaluate
    from embedding.search.documents import movie_corpus

    ids, _, payloads = movie_corpus()
    truth = [p["genres"].split("|")[0] for p in payloads]
    g_store = resources.builtin_store("movies", "glove")
    g_ids = set(g_store.ids())
    gold = {"SBERT": truth,
            "GloVe average": [t for i, t in zip(ids, truth, strict=True) if i in g_ids]}
    plots = {"SBERT": resources.builtin_store("movies", "sbert").vectors_of(ids),
             "GloVe average": g_store.vectors_of([i for i in ids if i in g_ids])}
    labels = {"SBERT": embed_rows(texts), "GloVe average": _glove_average().embed(list(texts))}
    out: dict = {"films": len(ids), "unknown": [n for n in names if n not in set(truth)],
                 "counts": [truth.count(n) for n in names]}
    for model in ("SBERT", "GloVe average"):
        predicted = [names[i] for i in assign(plots[model], labels[model])]
        out[model] = evaluate(gold[model], predicted,
                              list(names) + sorted(set(gold[model]) - set(names)))
    return out




# ---------------------------------------------------------------- one search, three methods


@st.cache_data(max_entries=256, show_spinner=False)
def document_search(corpus: str, stamp: str, query: str, k: int, method: str, provider: str,
                    query_vec: np.ndarray | None, _store) -> dict:
    """The Semantic search page's result list for one input, computed once and shared:
    ``method`` ``"sbert"``, ``"bm25"`` or ``"hybrid"`` over a built-in corpus or a saved index
    (``"index:<name>"``, ``stamp`` its build; ``_store`` its vectors, embedded by ``provider``,
    and ``query_vec`` the query's). Returns ``hits`` (Hit list), ``why`` (one line per hit:
    matched words, the closest sentence (built-in SBERT only), both ranks for hybrid),
    ``marks`` (each text with the query's words in bold) and ``score`` (the score's name).
    Raises ``EmptyQueryError`` for a keyword query of stop words only.
    """
    from embedding.models.providers import SBERT_KEY
    from embedding.search.hybrid import search_by, why_matched
    from embedding.search.retrieval import best_sentences, highlight

    bm25 = None
    if method != "sbert":
        bm25 = (resources.saved_index_keyword(corpus.removeprefix("index:"), stamp)[1]
                if corpus.startswith("index:") else resources.bm25_index(corpus))
    ranked = search_by(method, query, query_vec, _store, bm25, k)
    best = None
    if method != "bm25" and provider == SBERT_KEY:  # a remote model is not asked again
        texts = [str(h.payload.get("text", "")) for h in ranked.hits[:10]]
        best = best_sentences(lambda ts: embed_rows(tuple(ts)), query_vec, texts)
    semantic = "SBERT"
    if provider != SBERT_KEY:  # the list ranked by the chosen model is called by its name
        from ui.providers import provider_name

        semantic = provider_name(provider)
    return {"hits": ranked.hits, "why": why_matched(ranked, query, best, semantic),
            "marks": [highlight(str(h.payload.get("text", "")), query) for h in ranked.hits],
            "score": {"sbert": "cosine", "bm25": "BM25", "hybrid": "hybrid score"}[method]}


@st.cache_data(max_entries=16, show_spinner="Cutting the document into chunks…")
def chunked_document(doc, method: str, size: int, overlap: int):
    """:func:`embedding.search.documents.chunk_documents` of one parsed upload, word pieces
    counted by the built-in SBERT's tokenizer; ``(chunks, truncated)``, made once per input."""
    from embedding.search.documents import chunk_documents
    from embedding.sentences.wordpiece import count_pieces

    tokenizer = resources.sbert().tokenizer
    return chunk_documents([doc], method, size, overlap,
                           count=lambda texts: count_pieces(tokenizer, texts))
