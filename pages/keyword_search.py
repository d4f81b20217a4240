"""Keyword vs semantic vs hybrid search, retrieve-then-rerank, and how good each one is."""

from contextlib import nullcontext

import streamlit as st

from embedding.search.fusion import RRF_K
from embedding.search.hybrid import DEPTH
from embedding.search.store import StoreError, list_indexes
from ui import cached, resources
from ui.phone import on_phone
from ui.widgets import (
    clean_text,
    explain,
    glove_or_stop,
    sbert_or_stop,
    to_url,
    unreadable_note,
    url_choice,
    url_int,
    url_key,
)

BUILTIN = {"movies": "Movie blurbs (397 films)", "lectures": "Lecture pages (14 pages, chunked)"}
#: Movie queries where each kind of search wins on our labelled set (bench/bench_hybrid.py).
PRESETS = {
    "Semantic wins: the undead attack passengers on a railway journey":
        ("the undead attack passengers on a railway journey",
         "A paraphrase: the blurb of *Train to Busan* says *zombie*, *train* and *carriages*. "
         "BM25 has no word to match; SBERT puts it first."),
    "Keyword wins: Detroit":
        ("Detroit", "A proper name in one blurb (*RoboCop*). BM25 puts it first because the rare "
         "word is decisive; SBERT drifts to another crime film first."),
    "Hybrid wins: boxing films in Philadelphia":
        ("boxing films in Philadelphia", "Keyword finds *Rocky* by the city; SBERT finds the other "
         "boxing films by meaning. Fused, three of the four boxing films are in the top 5; "
         "either list alone has two."),
}

st.title("Keyword vs semantic vs hybrid")
st.caption("BM25 ranks by the words a text shares with the query (rare words count more); SBERT "
           "by meaning; hybrid search fuses the two rankings (reciprocal rank fusion).")

try:
    saved = list_indexes()
except Exception:  # an unreachable DATABASE_URL must not take the built-ins down
    saved = []
codes = [*BUILTIN, *(f"index:{n}" for n in saved)]
FIRST_QUERY = PRESETS[next(iter(PRESETS))][0]
phone = on_phone()
if phone:  # a phone: preset and query, then the lists; corpus, top k and RRF k folded below them
    c2 = q1 = st.container()
    top = st.container()
    c1 = q2 = q3 = st.expander("Corpus, top k and RRF k", icon=":material/tune:")
else:
    c1, c2 = st.columns([2, 3])
    q1, q2, q3 = st.columns([4, 1, 1])
    top = None
corpus = c1.selectbox("Corpus", codes, key=url_choice("kw_corpus", "movies", codes),
                      format_func=lambda c: BUILTIN.get(c) or f"Your index: {c[6:]}")
preset = c2.selectbox("Preset query", ["(type your own)", *PRESETS], key="kw_preset",
                      disabled=corpus != "movies",
                      help="Presets are for the movie blurbs, where the three searches differ.")
if "kw_last" not in st.session_state:  # a link's query wins over the first preset
    st.session_state["kw_last"] = preset
if corpus == "movies" and preset in PRESETS and st.session_state.get("kw_last") != preset:
    st.session_state["kw_q"] = PRESETS[preset][0]  # a new preset fills the box once
st.session_state["kw_last"] = preset
# no max_chars: the browser would silently refuse a longer paste; clean_text cuts it, and says so
raw = q1.text_input("Search for", key=url_key("kw_q", FIRST_QUERY))
k = q2.number_input("Top k", 1, 20, key=url_int("kw_k", 5, 1, 20))
rrf_k = q3.number_input("RRF k", 0, 500, key=url_int("kw_rrf", RRF_K, 0, 500),
                        help="Each list gives an item 1/(k + rank). Small k: the top ranks "
                             "dominate; large k: every rank counts about the same.")
to_url("kw_corpus", "kw_q", "kw_k", "kw_rrf")
preset_note = None if phone else st.container()  # a phone: the note after the lists
query = clean_text(raw, "query")
if query is None:
    st.stop()

with top or nullcontext():  # a phone: the lists right under the query box
    sbert_or_stop()
    glove_or_stop()
    stamp = ""
    try:
        if corpus in BUILTIN:  # built (once per server) here, so a broken store is a message
            for vectorizer in ("sbert", "glove"):
                resources.builtin_store(corpus, vectorizer)
            resources.bm25_index(corpus)
        else:
            from embedding.search.store import open_index

            probe = open_index(corpus.removeprefix("index:"))
            stamp = resources.index_stamp(probe.meta, probe.count())
            resources.saved_index_side(corpus.removeprefix("index:"), stamp)
    except StoreError as exc:
        st.warning(f"{exc} Pick another corpus.", icon=":material/database:")
        st.stop()

    view = cached.keyword_view(corpus, stamp, query, int(k), int(rrf_k))
    for note, icon in view["notes"]:
        st.warning(note, icon=icon)

    unreadable_note(query)
    keys = ("kw_list_kw", "kw_list_sem", "kw_list_glove", "kw_list_hybrid")
    pairs = list(zip(view["lists"], keys, strict=True))
    for row in (pairs[:2], pairs[2:]):  # two lists side by side: each wide enough to read
        for col, ((title, df), key) in zip(st.columns(2), row, strict=True):
            col.markdown(f"**{title}**")
            if df is None:
                col.caption("No result: no word of the query appears in any text."
                            if title.startswith("Keyword") else "No result.")
                continue
            score_name = df.column_names[1]  # after "chunk" (the index is stored last)
            col.dataframe(df, key=key, width="stretch", column_config={
                "chunk": st.column_config.TextColumn(
                    "movie" if corpus == "movies" else "chunk", width="medium"),
                "text": st.column_config.TextColumn("start of its text", width="medium"),
                score_name: st.column_config.NumberColumn(width="small")})
    st.caption(f"★ = found by both keyword and semantic search in their top {int(k)} "
               f"({view['both']} of {int(k)}). Hybrid fuses each list's top {DEPTH}: an item gets "
               f"1/({int(rrf_k)} + its rank) from each list, and the sums are sorted.")
if corpus == "movies" and preset in PRESETS and raw == PRESETS[preset][0]:
    (preset_note or st).info(PRESETS[preset][1], icon=":material/lightbulb:")


@st.fragment
def two_stages() -> None:
    """Retrieve-then-rerank (a fragment: its radio reruns only this part)."""
    st.subheader("Retrieval → ranking in two stages")
    s1, s2 = st.columns([2, 3])
    first = s1.radio("Cheap first stage (top 100)", ["BM25", "GloVe average"], key="kw_stage1",
                     horizontal=True)
    two = cached.two_stage_view(corpus, stamp, query, first)
    if two is None:
        st.info("The first stage found no candidates, so there is nothing to re-rank.")
        return
    s2.metric(f"SBERT's own top {two['exact_n']} found by the two stages",
              f"{two['recovered']} of {two['exact_n']}",
              help=f"SBERT over all {view['count']:,} texts is the reference: a passage "
                   f"{first} did not put among its top 100 candidates cannot come back, so "
                   "two-stage search finds fewer of them the weaker stage 1 is.")
    st.dataframe(two["table"], hide_index=True, key="kw_two_stage", width="stretch",
                 column_config={"text": st.column_config.TextColumn("start of its text",
                                                                    width="large")},
                 # a phone: the score before the passage's name (it was cut to "0.365…")
                 column_order=("#", "SBERT cosine", "passage", "rank in BM25",
                               "rank in SBERT over all", "text") if on_phone() else None)
    few = (f" {first} found only {two['candidates']} candidates, so SBERT could only re-order "
           "them." if two["candidates"] <= two["n"] else
           f" {two['lifted']} of the final {two['n']} came from below {first}'s own top "
           f"{two['n']}.")
    st.caption(f"SBERT compared the query with {two['candidates']} candidates instead of "
               f"{view['count']:,} texts; a result the first stage missed is lost for good."
               + few)


two_stages()

st.subheader("How good is each? Our labelled queries")
table, n_all = cached.search_quality_table(int(rrf_k))
if on_phone():  # the full table is 6 columns wide: recall@5 per corpus, SBERT and hybrid first
    for corpus, small in cached.search_quality_phone(int(rrf_k)).items():
        st.markdown(f"**Recall@5, {corpus}**")
        st.dataframe(small, key=f"kw_quality_{corpus}", column_config={
            c: st.column_config.NumberColumn(format="%.2f")
            for c in cached.PHONE_RANKERS.values()})
    st.caption("MRR, the second measure, is in the table on a computer.")
else:
    st.dataframe(table, key="kw_quality")
st.caption(f"data/search_queries.csv: {n_all.get('movies', 0)} movie and "
           f"{n_all.get('lectures', 0)} lecture queries we wrote, each with the ids a good answer "
           "contains, of three kinds: paraphrase (no shared words), exact (a name, number or "
           "rare term) and mixed. Recall@5: share of them in the top 5; MRR: 1/rank of the "
           "first one, averaged. Lecture chunks count per page. The 14 lecture pages are easy: "
           "every method finds most of them.")

explain(
    "**Keyword search (BM25)** scores a text by the query words it contains: a rare word "
    "(*helium*, *Detroit*) counts far more than a common one, repeats count less and less, "
    "and long texts are discounted. It is exact and explainable, but blind to synonyms.\n\n"
    "**Semantic search** compares meanings: *the undead* finds *zombies*. But a name or a "
    "number carries little meaning for a sentence model, so it can miss the one blurb that "
    "says *Detroit*.\n\n"
    "**Hybrid search** does not add the scores (BM25 and cosine are on different scales) but "
    "the **ranks**: reciprocal rank fusion. k = 60 is the usual constant (Elasticsearch, "
    "Qdrant, Weaviate use it). On our queries SBERT alone is already strong, so fusing with a "
    "weak keyword list can also pull good results down: measure before you fuse.",
    title="Why does each one win where it wins?",
)
