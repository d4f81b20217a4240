"""Semantic search: a vector store over movie blurbs, lecture pages or your own documents."""

import uuid
from contextlib import nullcontext
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from embedding.models.providers import SBERT_KEY, ProviderError, SbertProvider
from embedding.models.sbert import describe_sbert
from embedding.search.documents import (
    MAX_CHUNKS,
    MAX_PDF_PAGES,
    DocumentError,
    sample_upload,
)
from embedding.search.fusion import HYBRID_BM25_WEIGHT
from embedding.search.hybrid import METHODS
from embedding.search.keyword import EmptyQueryError
from embedding.search.retrieval import (
    GloveAverageVectorizer,
    chart_label,
    index_texts,
    ranks_of,
    semantic_search,
)
from embedding.search.store import (
    HnswStore,
    StoreError,
    backend_name,
    create_index,
    delete_index,
    list_indexes,
    open_index,
    suggest_index_name,
    validate_index_name,
)
from embedding.sentences.compare import NoKnownWordsError
from embedding.text import escape_markdown
from ui import cached, resources
from ui.cached import embed_rows
from ui.classroom import index_owner_meta, may_delete_index
from ui.phone import on_phone
from ui.providers import download_stem, is_remote, remote_result
from ui.resources import index_stamp
from ui.widgets import (
    clean_text,
    downloads,
    explain,
    glove_or_stop,
    model_label,
    provider_picker,
    rows_or_stop,
    sbert_or_stop,
    show_chart,
    to_url,
    unreadable_note,
    url_choice,
    url_int,
    url_key,
)

BUILTIN = {"movies": "Movie blurbs (397 films)", "lectures": "Lecture pages (14 pages, chunked)"}
VIEWS = ["Search", "GloVe vs SBERT", "Your documents"]
SPACE_QUERY = "a film about space travel"
#: The method a fresh page uses per corpus: the one that found the answer most often in our
#: measurements (movies: data/search_queries.csv, bench/bench_hybrid.py; documents and the
#: lecture pages: the labelled real documents, bench/bench_documents.py; see docs/search.md).
DEFAULT_METHOD = {"movies": "sbert", "documents": "hybrid"}
#: The default chunk: whole sentences up to this many word pieces, sharing about this many
#: (measured on the labelled documents, like DEFAULT_METHOD).
CHUNK_PIECES, CHUNK_OVERLAP = 256, 64


def builtin_store(corpus: str, vectorizer: str):
    """The shared read-only store of a built-in corpus, with a clear page if a model is broken."""
    (glove_or_stop if vectorizer == "glove" else sbert_or_stop)()
    return resources.builtin_store(corpus, vectorizer)


def corpus_label(code: str) -> str:
    return BUILTIN.get(code) or f"Your index: {code.removeprefix('index:')}"


def show_results(hits, query: str, key: str, title: str, *, source: str, with_position: bool,
                 compact: bool = False):
    """Bars + table for one ranked list; returns its rows (``result_rows``) and each chunk's
    text with the query's words in bold, made once per result list (``cached.result_view``)."""
    rows, df, table, marks = cached.result_view(source, query, hits)
    labels = [chart_label(r.rank, f"{r.title} · {r.position}" if with_position else r.title)
              for r in rows]
    fig = cached.figure("figures.score_bars", labels, [r.score for r in rows], title=title)
    show_chart(fig, key=f"{key}_chart")
    st.dataframe(
        table, hide_index=True, key=f"{key}_table",
        column_order=(("rank", "score", "title", "shared", "text") if compact else None),
        column_config={
            "rank": st.column_config.NumberColumn("#", width="small"),
            "score": st.column_config.ProgressColumn("cosine", format="%.4f", min_value=0.0,
                                                     max_value=1.0),
            "text": st.column_config.TextColumn("matching chunk", width="large"),
            "shared": st.column_config.TextColumn("words shared with the query"),
        },
    )
    downloads(key.replace("_", "-"), df=df, fig=fig, key=key)
    return rows, marks


# ---------------------------------------------------------------------------------------------

st.title("Semantic search")
st.caption("Objects → vectorizer → vector store → retrieval and ranking. Every text is embedded "
           f"once (by {describe_sbert()}, or the model chosen below); a query is embedded the "
           "same way and the store returns the chunks whose vectors point most nearly the same "
           "way (cosine).")

view = st.segmented_control("View", VIEWS, key=url_choice("search_view", VIEWS[0], VIEWS),
                            label_visibility="collapsed") or VIEWS[0]
to_url("search_view")

# ---------------------------------------------------------------------------------------------
if view == "Search":
    try:
        user_indexes = list_indexes()
    except Exception:  # an unreachable DATABASE_URL must not take the built-ins down
        user_indexes = []
        st.warning("Saved indexes could not be listed right now: the index database did "
                   "not answer. The built-in corpora still work.", icon=":material/database:")
    codes = [*BUILTIN, *(f"index:{n}" for n in user_indexes)]
    asked = st.query_params.get("search_corpus")
    if st.session_state.get("search_corpus") not in (None, *codes):
        st.session_state["search_corpus"] = "movies"  # the index was deleted meanwhile
    if asked and asked not in codes and "search_missing_note" not in st.session_state:
        st.session_state["search_missing_note"] = True  # say it once per session
        st.info(f"There is no corpus or saved index called “{escape_markdown(asked[:60])}” "
                "on this server, so the movie blurbs are shown instead.", icon=":material/info:")
    phone = on_phone()
    if phone:  # a phone: the query box, then the answer; corpus, method and top k folded below
        mid = st.container()
        top = st.container()
        settings = st.expander("Corpus, method and top k", icon=":material/tune:")
        left = right = settings
    else:
        left, mid, right = st.columns([2, 4, 1])
        top = settings = None
    where = "below" if phone else "above"  # where the settings are
    # no max_chars: the browser would silently refuse a longer paste; clean_text cuts it, and
    # says so
    raw = mid.text_input("Search for", key=url_key("search_q", SPACE_QUERY),
                         placeholder="Describe what you are looking for, in your own words")
    corpus = left.selectbox("Corpus", codes, format_func=corpus_label,
                            key=url_choice("search_corpus", "movies", codes))
    k = right.number_input("Top k", 1, 50, key=url_int("search_k", 5, 1, 50))
    # each kind of corpus starts with the method that measured best on it, until the student
    # picks one (or a link does)
    default_method = DEFAULT_METHOD.get(corpus, DEFAULT_METHOD["documents"])
    if "search_method" in st.query_params:
        st.session_state.setdefault("search_method_picked", True)
    if not st.session_state.get("search_method_picked"):
        st.session_state["search_method"] = default_method
    method = (settings or st).radio(
        "Method", list(METHODS), format_func=METHODS.get, horizontal=True,
        key=url_choice("search_method", default_method, list(METHODS)),
        on_change=lambda: st.session_state.update(search_method_picked=True),
        help="Semantic: cosine of SBERT vectors (meaning). Keyword: BM25 (the "
             "query's words, rare ones count more). Hybrid: both scores added "
             f"({HYBRID_BM25_WEIGHT:.0%} BM25, {1 - HYBRID_BM25_WEIGHT:.0%} "
             "SBERT). Each corpus starts with the method that "
             "found the answer most often in our measurements: SBERT for the "
             "movie blurbs, hybrid for documents (see docs/search.md).")
    to_url("search_corpus", "search_q", "search_k", "search_method")
    query = clean_text(raw, "description of what you are looking for")
    if query is None:
        st.stop()

    with top or nullcontext():  # a phone: the answer right under the query box
        sbert_or_stop()  # a clear page if the sentence model is broken
        with settings or st.container():
            chosen = provider_picker("search_provider") if corpus in BUILTIN else SBERT_KEY
        stamp = ""
        try:
            if corpus in BUILTIN and is_remote(chosen):  # embedded by that server, in the background
                store = remote_result(("store", corpus, chosen), chosen,
                                      lambda: builtin_store(corpus, chosen),
                                      what=f"to embed {corpus_label(corpus)}")
            elif corpus in BUILTIN:
                store = builtin_store(corpus, chosen)
            else:
                store = open_index(corpus.removeprefix("index:"))
                stamp = index_stamp(store.meta, store.count())
                if method != "sbert" and not hasattr(store, "payloads"):
                    st.info("Keyword and hybrid search need the chunks' texts in this app; this "
                            "index keeps them on the vector server, so it is searched by meaning "
                            "only.", icon=":material/info:")
                    method = "sbert"
            if not store.count():
                st.info("This index is empty. Add documents under *Your documents*.")
                st.stop()
            # the query's vector through rows_or_stop: a remote model's wait or failure is calm
            qvec = rows_or_stop((query,), chosen)[0] if method != "bm25" else None
            found = cached.document_search(corpus, stamp, query, int(k), method, chosen, qvec,
                                           _store=store)
        except ProviderError as exc:  # embedding the corpus with the chosen provider failed
            st.error(f"{exc} Pick SBERT {where} to go on without it.",
                     icon=":material/cloud_off:")
            st.stop()
        except StoreError as exc:
            st.warning(f"{exc} Pick another corpus or rebuild the index under *Your documents*.",
                       icon=":material/database:")
            st.stop()
        except EmptyQueryError as exc:
            st.info(f"{exc} Or pick *Semantic* {where}.", icon=":material/edit:")
            st.stop()
        hits = found["hits"]
        built_with = store.meta.get("model")
        if built_with and built_with != describe_sbert():
            st.warning(f"This index was built with {escape_markdown(str(built_with))} but queries "
                       f"use {describe_sbert()}: scores are not meaningful. Rebuild the index.")

        embedded = (f"Texts and query embedded with {escape_markdown(model_label(chosen))}."
                    if corpus in BUILTIN else "")
        if phone:  # one short heading line; the corpus goes with the model, in small print
            st.subheader(f"Top {len(hits)} of {store.count():,}")
            st.caption(f"{escape_markdown(corpus_label(corpus))}. {embedded}")
        else:
            st.subheader(f"Top {len(hits)} of {store.count():,} in {corpus_label(corpus)}")
            if embedded:
                st.caption(embedded)
        if method != "bm25" and chosen == SBERT_KEY:
            unreadable_note(query)
        if not hits:
            st.info("No chunk contains a word of the query: keyword search finds only words "
                    f"that are there. Try *Semantic* or *Hybrid* {where}.",
                    icon=":material/search_off:")
            st.stop()
        with_position = corpus != "movies"
        labels = [chart_label(n, (f"{h.payload.get('title') or h.payload.get('source') or h.id}"
                                  + (f" · {h.payload.get('position', '')}" if with_position else "")))
                  for n, h in enumerate(hits, 1)]
        score_name = found["score"]
        fig = cached.figure("figures.score_bars", labels, [h.score for h in hits],
                            title=f"{score_name} with “{chart_label(0, query)[3:]}”")
        show_chart(fig, key="search_results_chart")
    table = pd.DataFrame({
        "#": range(1, len(hits) + 1),
        score_name: [round(h.score, 4) for h in hits],
        "title": [str(h.payload.get("title") or h.payload.get("source") or h.id) for h in hits],
        "where": [str(h.payload.get("position", "")) for h in hits],
        "why it matched": found["why"],
        "text": [str(h.payload.get("text", "")) for h in hits],
    })
    st.dataframe(table, hide_index=True, key="search_results_table", width="stretch",
                 column_config={
                     "#": st.column_config.NumberColumn(width="small"),
                     "why it matched": st.column_config.TextColumn(width="large"),
                     "text": st.column_config.TextColumn("matching chunk", width="large")})
    downloads("search-results" if method == "bm25" else download_stem("search-results", chosen),
              df=table, fig=fig, key="search_results")
    st.markdown("#### The matching chunks")
    for n, (h, why, marked) in enumerate(zip(hits, found["why"], found["marks"], strict=True), 1):
        title = str(h.payload.get("title") or h.payload.get("source") or h.id)
        where = str(h.payload.get("position", ""))
        box = st.container(border=True)
        box.markdown(f"**{n}. {escape_markdown(title)}**"
                     + (f" · {escape_markdown(where)}" if where else "")
                     + f" · {score_name} **{h.score:.4f}**\n\n{marked}")
        if why:
            box.caption(escape_markdown(why))
    explain(
        "Each result is a **chunk** (a movie blurb, a few sentences of a page, or a piece of "
        "your document). **Semantic** ranks by the **cosine** of the query's and the chunk's "
        f"vectors ({escape_markdown(model_label(chosen))}; 1: same direction, 0: unrelated): "
        "it finds paraphrases, but a name, a number or an exact option can slip. **Keyword** (BM25) ranks by the query's words "
        "the chunk contains, rare words counting more: exact, but blind to synonyms. "
        f"**Hybrid** adds the two scores: {HYBRID_BM25_WEIGHT:g} × the chunk's BM25 score "
        f"divided by the best one + {1 - HYBRID_BM25_WEIGHT:g} × its cosine, so a chunk both "
        "methods like rises to the top, and an exact word match can lift a passage SBERT ranked "
        "lower. Scores are only comparable within one method, so read the **ranking**, not the "
        "raw number.\n\n"
        "**Why it matched** shows the query words BM25 found and, for the built-in SBERT, the "
        "chunk's sentence closest to the query; **bold** words are shared with your query. A high "
        "cosine with *no* shared words is the signature of semantic search: try *a film about "
        "space travel*.\n\n"
        + ("This index has an HNSW graph, so the semantic search is approximate (ef = 64): see "
           "*Exact vs approximate*." if getattr(store, "uses_graph", False) else
           f"The semantic search is exact: the store compares the query with every stored "
           f"vector ({'PostgreSQL with pgvector' if backend_name() == 'pgvector' and corpus not in BUILTIN else 'numpy'}"
           "), which takes milliseconds even for 100,000 chunks.")
    )

# ---------------------------------------------------------------------------------------------
elif view == "GloVe vs SBERT":
    if on_phone():  # a phone: the query box, then both answers; corpus and top k folded below
        mid, top = st.container(), st.container()
        left = right = st.expander("Corpus and top k", icon=":material/tune:")
    else:
        left, mid, right = st.columns([2, 4, 1])
        top = None
    raw = mid.text_input("Search for", key=url_key("search_cmp_q", SPACE_QUERY), max_chars=2_000)
    corpus = left.selectbox("Corpus", list(BUILTIN), format_func=corpus_label,
                            key=url_choice("search_cmp_corpus", "movies", list(BUILTIN)))
    k = right.number_input("Top k", 1, 20, key=url_int("search_cmp_k", 5, 1, 20))
    to_url("search_cmp_corpus", "search_cmp_q", "search_cmp_k")
    query = clean_text(raw, "description of what you are looking for")
    if query is None:
        st.stop()
    glove_col, sbert_col = (top or st).columns(2)
    with glove_col:
        st.subheader("GloVe average")
        st.caption("Mean of the 50-d word vectors of the query and of each blurb.")
        try:
            gvec = GloveAverageVectorizer(glove_or_stop())
            ghits = semantic_search(gvec.embed_query(query), builtin_store(corpus, "glove"),
                                    int(k))
        except NoKnownWordsError as exc:
            st.warning(escape_markdown(str(exc)), icon=":material/translate:")
            ghits = []
        if ghits:
            show_results(ghits, query, "search_cmp_glove", "GloVe average", source=corpus,
                         with_position=corpus != "movies", compact=True)
    with sbert_col:
        st.subheader("SBERT")
        st.caption(f"{describe_sbert()} reads the whole sentence.")
        sbert_or_stop()
        shits = semantic_search(embed_rows((query,))[0], builtin_store(corpus, "sbert"), int(k))
        srows, _ = show_results(shits, query, "search_cmp_sbert", "SBERT", source=corpus,
                                with_position=corpus != "movies", compact=True)
    keyword_free = [(r, h.id) for r, h in zip(srows, shits, strict=True) if r.shared == "none"]
    if keyword_free:
        glove_rank = (ranks_of(gvec.embed_query(query), builtin_store(corpus, "glove"),
                               [i for _, i in keyword_free]) if ghits else {})
        total = builtin_store(corpus, "sbert").count()
        lines = [f"- **{escape_markdown(r.title)}**: SBERT #{r.rank}"
                 + (f", GloVe average #{glove_rank[i]} of {total}" if i in glove_rank else "")
                 for r, i in keyword_free]
        st.success("SBERT found these without sharing a single content word with the query:\n"
                   + "\n".join(lines), icon=":material/bolt:")
    explain(
        "Both columns rank the same chunks by cosine, but with different vectors. "
        "**Averaging GloVe** blurs every blurb into the average of its words, so all blurbs "
        "end up close to each other (scores near 0.9) and the ranking follows *which words "
        "appear*. **SBERT** was trained on a billion sentence pairs to put paraphrases "
        "together, so *a film about space travel* lands next to a blurb about a starship, a "
        "wormhole and Saturn, though none of them says *space* or *travel*.\n\n"
        "Look at the column *words shared with the query*: SBERT's winners often share none."
    )

# ---------------------------------------------------------------------------------------------
else:
    st.subheader("1. Upload a document")
    upload = st.file_uploader("CSV, TXT or PDF", type=["csv", "txt", "pdf"], key="search_upload",
                              help=f"PDFs: the first {MAX_PDF_PAGES} pages are read. "
                                   "Files are read as text only; nothing in them is run.")
    doc, file_name, data = None, None, b""
    if upload is not None:
        file_name, data = upload.name, upload.getvalue()
    elif st.toggle("No file at hand? Use our 14 lecture pages as one sample text",
                   key="search_sample"):
        file_name, data = sample_upload()
    if file_name is not None:
        column = title_column = None
        try:
            if file_name.lower().endswith(".csv") and not data.lstrip().startswith(b"%PDF-"):
                columns, suggested = cached.csv_columns(file_name, data)
                if st.session_state.get("search_csv_col") not in columns:
                    st.session_state["search_csv_col"] = suggested
                t1, t2 = st.columns(2)
                column = t1.selectbox("Which column holds the text?", columns,
                                      key="search_csv_col")
                title_column = t2.selectbox(
                    "Which column names each result? (optional)", [None, *columns],
                    format_func=lambda c: "(the file name)" if c is None else c,
                    key="search_csv_title")
            doc = cached.parsed_upload(file_name, data, column, title_column)
        except DocumentError as exc:
            st.warning(escape_markdown(str(exc)), icon=":material/description:")
        if doc is not None:
            for note in doc.notes:
                st.info(note, icon=":material/content_cut:")
            parts = (len(doc.sections[0].pages) if doc.kind == "pdf" else len(doc.sections))
            st.caption(f"{doc.kind.upper()} · {parts:,} "
                       f"{'pages' if doc.kind == 'pdf' else 'rows' if doc.kind == 'csv' else 'part'}"
                       f" with text · {doc.chars:,} characters")

    if doc is not None:
        st.subheader("2. Cut it into chunks")
        c1, c2, c3 = st.columns(3)
        method = c1.radio("Chunk by", ["pieces", "paragraphs", "sentences", "tokens"],
                          key="search_chunk_method", horizontal=True,
                          format_func={"pieces": "word pieces",
                                       "paragraphs": "paragraphs", "sentences": "sentences",
                                       "tokens": "words"}.get,
                          help="Word pieces: whole sentences packed up to a number of the "
                               "model's word pieces (it reads at most 256), the default "
                               "because it found the answer most often in our measurements. "
                               "Paragraphs: a chunk never runs across a paragraph break (a "
                               "heading joins its paragraph); long paragraphs are cut by "
                               "sentences. Sentences: fixed windows that ignore paragraphs.")
        if method == "pieces":
            size = c2.slider("At most word pieces per chunk", 32, 256, CHUNK_PIECES, step=16,
                             key="search_chunk_pieces",
                             help="The model reads 256 word pieces at most, [CLS] and [SEP] "
                                  "included; a piece is a word or part of one.")
        elif method == "paragraphs":
            size = c2.slider("At most sentences per chunk", 1, 10, 4, key="search_chunk_par")
        elif method == "sentences":
            size = c2.slider("Sentences per chunk", 1, 10, 3, key="search_chunk_sent")
        else:
            size = c2.slider("Words per chunk", 20, 250, 100, step=10, key="search_chunk_tok")
        if method == "pieces":
            overlap = c3.slider("Overlap (word pieces, whole sentences)", 0, size // 2,
                                min(CHUNK_OVERLAP, size // 2), step=8,
                                help="The last whole sentences of a chunk, up to this many "
                                     "word pieces, start the next one too.",
                                key=f"search_overlap_pieces_{size}")
        elif size > 1:
            # the default always fits the maximum (words per chunk 20 → overlap at most 19):
            # an out-of-range value raised, and the lost run emptied the index name box
            default = min(20, size // 5) if method == "tokens" else min(1, size - 1)
            overlap = c3.slider("Overlap", 0, size - 1, default,
                                key=f"search_overlap_{method}_{size}")
        else:
            overlap = 0
            c3.caption("Overlap: none (a chunk of one sentence cannot overlap).")
        sbert_or_stop()
        chunks, truncated = cached.chunked_document(doc, method, size, overlap)
        if truncated:
            st.info(f"Only the first {MAX_CHUNKS:,} chunks are kept; use bigger chunks to cover "
                    "the whole document.")
        pieces, limit = cached.wordpiece_lengths(tuple(c.text for c in chunks))
        preview = pd.DataFrame({"position": [c.position for c in chunks],
                                "words": [len(c.text.split()) for c in chunks],
                                "word pieces": pieces,
                                "chunk": [c.text for c in chunks]})
        st.metric("Chunks", f"{len(chunks):,}")
        too_long = sum(n > limit for n in pieces)
        if too_long:
            st.warning(f"{too_long:,} of {len(chunks):,} chunks are longer than the "
                       f"{limit} word pieces the model reads: only their beginning is embedded "
                       "(the rest cannot be found). Use fewer words or sentences per chunk.",
                       icon=":material/content_cut:")
        st.dataframe(preview.head(200), hide_index=True, key="search_chunk_preview",
                     column_config={"chunk": st.column_config.TextColumn(width="large")})
        downloads("chunks", df=preview, key="search_chunks_dl")
        explain(
            "A sentence model reads about 256 word pieces, so long texts are cut into chunks and "
            "each chunk gets its own vector. **Small chunks** point precisely at one idea; "
            "**big chunks** carry more context but blur several ideas into one vector. "
            "**Overlap** repeats the end of a chunk at the start of the next, so an idea that "
            "straddles a cut still appears whole somewhere.",
            title="How big should a chunk be?",
        )

        st.subheader("3. Build a named index")
        n1, n2 = st.columns([3, 1])
        if "search_index_name" not in st.session_state or st.session_state.get(
                "search_index_for") != file_name:
            st.session_state["search_index_name"] = suggest_index_name(file_name)
            st.session_state["search_index_for"] = file_name
        name_raw = n1.text_input("Index name", key="search_index_name", max_chars=60,
                                 help="Lower-case letters, digits, - and _ (it becomes a folder).")
        n2.write("")
        build = n2.button("Build index", type="primary", key="search_build",
                          icon=":material/database:", disabled=not chunks)
        try:
            name = validate_index_name(name_raw)
        except StoreError as exc:
            st.warning(escape_markdown(str(exc)), icon=":material/edit:")
            name = None
        ann = st.checkbox(
            "Also build an HNSW graph (approximate search, for large indexes)", key="search_ann",
            help="Exact search stays the reference and takes milliseconds for a class's "
                 "documents; see *Exact vs approximate* for what a graph trades.")
        if name and not build and name in list_indexes():
            st.info(f"An index called **{escape_markdown(name)}** already exists; building "
                    "replaces it for everyone.", icon=":material/sync:")
        if build and name and name in list_indexes() and not may_delete_index(
                open_index(name).meta):
            st.warning(f"**{escape_markdown(name)}** was built by someone else: only they (or "
                       "their class's instructor) can replace it. Pick another name.",
                       icon=":material/lock:")
            build = False
        if build and name:
            model = sbert_or_stop()
            vec = SbertProvider(model)
            bar = st.progress(0.0, text=f"Embedding {len(chunks):,} chunks…")
            try:
                store = create_index(name, vec.dim, {
                    "vectorizer": vec.name, "model": describe_sbert(), "source": doc.name,
                    "chunking": f"{method}: {size}, overlap {overlap}",
                    "created": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                    "build": uuid.uuid4().hex,  # tells two builds in the same minute apart
                    **index_owner_meta(),  # only this session (or its instructor) may delete
                }, ann=ann)
                index_texts(store, vec, [c.id for c in chunks], [c.text for c in chunks],
                            [{"title": c.title or c.source, "source": c.source,
                              "position": c.position, "text": c.text} for c in chunks],
                            batch=vec.batch_size,  # progress after every model batch
                            progress=lambda done, total: bar.progress(
                                done / total, text=f"Embedded {done:,} of {total:,} chunks"))
                if ann and isinstance(store, HnswStore) and store.count():
                    bar.progress(1.0, text="Building the HNSW graph…")
                    store.build_graph()
                elif backend_name() == "pgvector":
                    bar.progress(1.0, text="Saving in PostgreSQL (with an HNSW graph when the "
                                 "index is large or you asked for one)…")
                store.save()
            except (StoreError, OSError) as exc:
                bar.empty()
                st.error(f"The index could not be saved: {exc}")
            else:
                bar.progress(1.0, text="Done")
                st.success(f"Saved index **{escape_markdown(name)}** with {store.count():,} "
                           "chunks. Pick it under *Search* → Corpus.", icon=":material/check:")

    st.subheader("Saved indexes")
    try:
        names = list_indexes()
    except Exception:
        names = []
        st.warning("Saved indexes could not be listed right now: the index database did "
                   "not answer. The built-in corpora still work.", icon=":material/database:")
    if not names:
        st.info("No saved indexes yet: upload a document above and build one.",
                icon=":material/inventory_2:")
    rows, metas = [], {}
    for n in names:
        try:
            s = open_index(n)
            metas[n] = s.meta
            rows.append({"index": n, "chunks": s.count(), "source": s.meta.get("source", ""),
                         "chunking": s.meta.get("chunking", ""),
                         "model": s.meta.get("model", ""), "created": s.meta.get("created", "")})
        except StoreError as exc:
            rows.append({"index": n, "chunks": 0, "source": str(exc), "chunking": "",
                         "model": "", "created": ""})
    if rows:
        table = pd.DataFrame(rows)
        st.dataframe(table, hide_index=True, key="search_index_table")
        downloads("indexes", df=table, key="search_indexes_dl")
        deletable = [n for n in names if may_delete_index(metas.get(n, {}))]
        if len(deletable) < len(names):
            st.caption("An index can be deleted only by the session that built it, or by the "
                       "instructor of the class it was built in.")
        if deletable:  # none this person's: no empty, greyed-out delete box (2.6:1)
            d1, d2 = st.columns([3, 1])
            victim = d1.selectbox("Delete an index", deletable, key="search_delete_pick")
            d2.write("")
            with d2.popover("Delete…", icon=":material/delete:"):
                st.markdown(f"Delete **{escape_markdown(victim or '')}** for everyone on this "
                            "server?")
                if st.button("Yes, delete it", key="search_delete", type="primary") and victim \
                        and may_delete_index(metas.get(victim, {})):
                    delete_index(victim)
                    st.toast(f"Deleted index {victim}.")
                    st.rerun()
    explain(
        ("Indexes are saved in the server's PostgreSQL database (pgvector), beside the "
         "classes: every replica of the app searches the same indexes, and a new build "
         "replaces the old one in one transaction, so nobody ever searches half an index."
         if backend_name() == "pgvector" else
         "Indexes are saved on the server (one file each), so they survive a restart and "
         "every student can search them. Each file is written to a temporary name and then "
         "renamed in one step, so a crash never leaves half an index behind."),
        title="Where do indexes live?",
    )
