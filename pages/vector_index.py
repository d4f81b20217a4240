"""Exact vs approximate search: an HNSW graph next to the exact scan, measured live."""

import pandas as pd
import streamlit as st

from embedding.search.ann import DEFAULT_EF, recall_at_10
from embedding.search.ann_pg import pg_ef_construction
from embedding.search.store.pg_store import HNSW_FROM
from ui import cached, resources, server_jobs
from ui.phone import on_phone
from ui.widgets import explain, glove_or_stop, show_chart

st.title("Exact vs approximate search")
st.caption("How vector databases get fast: instead of comparing the query with every stored "
           "vector, an HNSW graph walks from neighbour to neighbour toward it. Faster, but it "
           "can miss: we measure how often, against the exact answer.")

phone = on_phone()
if phone:  # a phone: the vectors, then the graph's two knobs folded (sliders take a row each)
    c1 = st.container()
    c2 = c3 = st.expander("Graph degree M and search effort ef", icon=":material/tune:")
else:
    c1, c2, c3 = st.columns([3, 1, 2])
dataset = c1.selectbox("Vectors to index", list(resources.ANN_DATASETS),
                       format_func=resources.ANN_DATASETS.get, key="ann_dataset")
m = c2.select_slider("Graph degree M", resources.ANN_M_CHOICES, value=16, key="ann_m",
                     help="Each vector keeps about 2·M links. Bigger: better recall, more "
                          "memory, slower to build. Changing M builds another graph.")
ef = c3.select_slider("ef (search effort)", cached.ANN_EFS, value=DEFAULT_EF, key="ann_ef",
                      help="How many candidates the walk keeps. Bigger: closer to exact, slower.")
what = resources.ANN_DATASETS[dataset]
what = what[0].lower() + what[1:]


def _show(d: str, mm: int) -> None:
    """Button callback (runs before the widgets): switch the page to a graph that is ready."""
    st.session_state["ann_dataset"], st.session_state["ann_m"] = d, mm


def ask_the_instructor(ready: list[tuple[str, int]], thing: str) -> None:
    """What a student sees instead of a build button: who can build it, and what is ready."""
    st.info(f"{thing} Building one keeps a processor core busy for minutes, so on a shared "
            "server only the instructor starts it: **ask your instructor** to build it (or to "
            "run `make graphs` on the server before class)."
            + (" These are ready now:" if ready else ""), icon=":material/school:")
    if ready:
        with st.container(horizontal=True):
            for d, mm in ready:
                label = resources.ANN_DATASETS[d].split("(")[0].strip()
                st.button(f"M = {mm} · {label}", key=f"ann_ready_{d}_{mm}",
                          icon=":material/hub:", on_click=_show, args=(d, mm))
    server_jobs.unlock_box("ann_key")


def waiting_or_building(build, label: str) -> None:
    """A build's progress, redrawn every second; the page reruns once it is done."""

    @st.fragment(run_every=1.0)
    def progress() -> None:
        if build.wait(0):
            st.rerun()
        if build.waiting:
            st.progress(0.0, text="Waiting for another build on this server to finish first "
                                  "(one at a time, so the class's searches stay fast)…")
        else:
            st.progress(build.fraction(), text=f"{label}: {build.done:,} of {build.total:,}"
                        if build.total else "Preparing the vectors…")

    progress()


if dataset == "glove":
    kv = glove_or_stop()
build = resources.ann_build(dataset, m, start=False)
if not build.started:
    if resources.ann_on_disk(dataset, m):
        build.start()  # saved by an earlier build: loading takes a second
    else:
        prompt = st.empty()  # emptied once the build starts: no stale button above the bar
        with prompt.container():
            if server_jobs.may_start_long_jobs():
                st.info(f"No HNSW graph (M = {m}) over {what} on this server yet. Building one "
                        "keeps one processor core busy for a few minutes, once per server "
                        "(then it is saved to disk and shared by every student; builds run one "
                        "at a time), so it starts only when you ask.", icon=":material/hub:")
                start = st.button("Build the graph now", key="ann_start", type="primary")
            else:
                ask_the_instructor(resources.ann_graphs_ready(),
                                   f"No HNSW graph (M = {m}) over {what} on this server yet.")
                start = False
        if not start:
            st.stop()
        build.start()
        prompt.empty()
if not build.wait(0):
    st.info(f"Building the HNSW graph (M = {m}) over {what}. This happens once per server, in "
            "the background, for every student at once, and is saved to disk; it takes a few "
            "minutes on a small server.", icon=":material/hourglass_top:")
    waiting_or_building(build, "Inserted vectors")
    st.stop()
try:
    built = resources.ann_index(dataset, m)
except Exception as exc:  # a failed build: say so, never a traceback
    st.error(f"The index could not be built: {exc}")
    st.stop()
vectors = resources.ann_vectors(dataset)

if phone:  # four numbers two to a row, not four rows of big type
    k1 = k2 = k3 = k4 = st.container(horizontal=True)
else:
    k1, k2, k3, k4 = st.columns(4)
k1.metric("Vectors", f"{len(vectors):,} × {vectors.shape[1]}")
k2.metric("Build time", f"{built.index.build_seconds:,.0f} s" if built.index.build_seconds
          else "loaded from disk", help="One thread, measured when the graph was built.")
k3.metric("Index memory", f"{built.memory_bytes / 2**20:,.0f} MB",
          help="The vectors plus the graph's links (the file faiss writes).")
k4.metric("The vectors alone", f"{vectors.nbytes / 2**20:,.0f} MB",
          help="What the exact scan needs: nothing but the vectors.")

st.subheader("One query, both ways")
if dataset == "glove":
    word = st.text_input("Query word (its own vector is the query)", "frog", key="ann_word",
                         max_chars=40).strip().lower()
    if word not in kv.key_to_index:
        st.warning("That word is not in GloVe's vocabulary: try a common English word.",
                   icon=":material/spellcheck:")
        st.stop()
    row = kv.key_to_index[word]

    def name(r: int) -> str:
        return kv.index_to_key[r]
else:
    row = st.number_input("Query: stored chunk number", 0, len(vectors) - 1, 123, key="ann_row")

    def name(r: int) -> str:
        return f"chunk {r:,}"

exact, exact_scores, approx, approx_scores, exact_ms, ann_ms = cached.ann_compare(
    dataset, m, int(row), int(ef))
found = set(exact.tolist())
recall = recall_at_10(approx[None, :], exact[None, :])
st.caption("Times are the median of 7 warm runs of this query (exact and HNSW alternating), "
           "measured like the table below.")
left, right = st.columns(2)
left.markdown(f"**Exact scan**: {exact_ms:.2f} ms, compares all {len(vectors):,}")
left.dataframe(pd.DataFrame({"#": range(1, 11), "neighbour": [name(r) for r in exact],
                             "cosine": exact_scores}), hide_index=True, key="ann_exact")
right.markdown(f"**HNSW** (M = {m}, ef = {ef}): {ann_ms:.2f} ms · recall@10 **{recall:.1f}**")
right.dataframe(pd.DataFrame({"#": range(1, 11),
                              "neighbour": [name(r) for r in approx],
                              "in the exact top 10": ["yes" if r in found else "MISSED"
                                                      for r in approx],
                              "cosine": approx_scores}), hide_index=True, key="ann_approx")

st.subheader("Recall against speed as ef moves")
curve = cached.ann_curve(dataset, m)
show_chart(cached.figure("search.recall_curve", tuple(curve), ef), key="ann_curve")  # shared
table = pd.DataFrame([{"ef": p.ef, "recall@10": round(p.recall, 3),
                       "HNSW ms/query": round(p.ann_ms, 3), "exact ms/query": round(p.exact_ms, 2),
                       "times faster": round(p.speedup, 1)} for p in curve])
# a phone: the exact scan's time (the same on every row, and in the box below) makes room
st.dataframe(table, hide_index=True, key="ann_curve_table",
             column_order=("ef", "recall@10", "HNSW ms/query", "times faster")
             if phone else None,
             column_config={"HNSW ms/query": "HNSW ms", "times faster": "× faster"}
             if phone else None)
good = [p for p in curve if p.recall >= 0.95]
if good:
    p = good[0]
    st.success(f"At ef = {p.ef}, HNSW finds {p.recall:.1%} of the true top 10 in "
               f"{p.ann_ms:.2f} ms per query: {p.speedup:,.0f}× faster than the exact scan "
               f"({p.exact_ms:.1f} ms), measured on this server just now with "
               f"{cached.ANN_CURVE_QUERIES} queries.", icon=":material/speed:")


@st.fragment
def in_the_database() -> None:
    """pgvector's HNSW graph beside FAISS's, when the app has a database (DATABASE_URL)."""
    st.subheader("The same graph inside PostgreSQL (pgvector)")
    efc = pg_ef_construction(m)
    try:
        store = resources.pg_ann_store(dataset, m)
    except Exception as exc:  # noqa: BLE001 - the database is down: a message, not a traceback
        st.warning(f"The database cannot be reached right now ({type(exc).__name__}), so "
                   "pgvector's side is not shown.", icon=":material/database:")
        return
    if store is None:
        pg_build = resources.pg_ann_build(dataset, m, start=False)
        if pg_build.started and not pg_build.wait(0):
            st.info("Loading the vectors into PostgreSQL and building pgvector's graph "
                    f"(M = {m}, ef_construction = {efc}), once for every replica.",
                    icon=":material/hourglass_top:")
            waiting_or_building(pg_build, "Rows loaded, then linked into the graph")
            return
        if pg_build.error is not None:
            st.error(f"pgvector's graph could not be built: {pg_build.error}")
            pg_build.reset()
        thing = (f"pgvector's HNSW graph (M = {m}) over {what} is not in the database yet.")
        if server_jobs.may_start_long_jobs():
            st.info(f"{thing} Loading the vectors and building it takes a few minutes of one "
                    "core in PostgreSQL; every replica then shares it.", icon=":material/hub:")
            if st.button("Build pgvector's graph", key="ann_pg_start"):
                resources.pg_ann_build(dataset, m)
                st.rerun()
        else:
            ask_the_instructor([], thing)
        return
    view = cached.pg_ann_compare(dataset, m, int(ef))
    (f_rec, f_ms, f_s, f_size), (p_rec, p_ms, p_s, p_size) = view["faiss"], view["pgvector"]
    # measures as rows: two narrow value columns that fit a phone
    st.dataframe(pd.DataFrame({
        "HNSW": ["recall@10", "ms per query (median)", "build (s)", "size (MB)"],
        "FAISS (app)": [f"{f_rec:.2f}", f"{f_ms:.2f}", f"{f_s:,.0f}" if f_s else "loaded",
                        f"{f_size / 2**20:,.0f}"],
        "pgvector (SQL)": [f"{p_rec:.2f}", f"{p_ms:.2f}", f"{p_s:,.0f}", f"{p_size / 2**20:,.0f}"],
    }), hide_index=True, key="ann_pg_table")
    st.caption(f"The same {cached.PG_ANN_QUERIES} queries at ef = {ef} (pgvector's "
               f"`hnsw.ef_search`), both graphs with M = {m}; FAISS built with "
               f"efConstruction 40, pgvector with ef_construction {efc} (its minimum is 2·M). "
               "pgvector's time includes the round trip to the database and SQL, and grows "
               "when the graph does not fit in the database server's memory "
               "(`shared_buffers`).")
    explain(
        "**What a real database adds.** The numbers above say FAISS in the app's own memory "
        "is faster: no network, no SQL. What PostgreSQL buys is everything around the "
        "vectors. **Transactions**: a rebuilt index replaces the old one in one commit, so "
        "nobody searches half an index, and an answer or an upload is either saved or not. "
        "**Filters in the same query**: `WHERE owner = …` or `class_code = …` sits next to "
        "`ORDER BY embedding <#> query` (with a graph, pgvector filters the rows the walk "
        "finds, so a very selective filter needs a larger ef or pgvector's iterative scans). "
        "**One place, one backup**: every replica of this app reads the same indexes, classes "
        "and students, and one `pg_dump` saves them all.",
        title="Why keep vectors in PostgreSQL if FAISS is faster?",
    )


if resources.pg_indexes() is not None:
    in_the_database()

explain(
    "**How the graph works.** Every vector is linked to a few close vectors (about 2·M); a few "
    "vectors also sit on sparser upper layers that act like motorways. A search starts at the "
    "top, hops greedily toward the query, drops a layer, and keeps the **ef** best candidates "
    "seen so far. It never looks at most of the vectors, which is why it is fast, and why it "
    "can miss a true neighbour hiding behind a detour.\n\n"
    "**What real systems do by default.** *Qdrant* scans a segment exactly until its vectors "
    "pass `indexing_threshold`, which its documentation gives in kilobytes: 20,000 kB by "
    "default, where 1 kB is one vector of 256 numbers, so about 13,000 vectors of 384 "
    "numbers (or 100,000 of GloVe's 50); then it builds an HNSW graph (m = 16, "
    "ef_construct = 100). Its search also falls back to the exact scan when a filter leaves "
    "fewer than `full_scan_threshold` kilobytes (10,000 by default). *pgvector* scans exactly "
    "unless you create an index: `hnsw` (m = 16, ef_construction = 64, `hnsw.ef_search` = 40) "
    "or `ivfflat` (clusters, `probes` = 1); with a database, this app creates the `hnsw` one "
    f"for indexes of {HNSW_FROM:,} chunks or more. *FAISS* is a library: `IndexFlatIP` is the exact scan and you "
    "choose an approximate index yourself (`IndexHNSWFlat`, efSearch = 16 unless you set it; "
    "IVF, product quantisation). This app keeps the exact scan as the default and the "
    "reference: a class's few thousand chunks take milliseconds.",
    title="How does HNSW find neighbours without looking at everything?",
)
