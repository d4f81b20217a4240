"""Exact vs approximate search: an HNSW graph next to the exact scan, measured live."""

import pandas as pd
import streamlit as st

from embedding.search.ann import DEFAULT_EF, recall_at_10
from ui import cached, resources
from ui.widgets import explain, glove_or_stop, show_chart

st.title("Exact vs approximate search")
st.caption("How vector databases get fast: instead of comparing the query with every stored "
           "vector, an HNSW graph walks from neighbour to neighbour toward it. Faster, but it "
           "can miss: we measure how often, against the exact answer.")

c1, c2, c3 = st.columns([3, 1, 2])
dataset = c1.selectbox("Vectors to index", list(resources.ANN_DATASETS),
                       format_func=resources.ANN_DATASETS.get, key="ann_dataset")
m = c2.select_slider("Graph degree M", resources.ANN_M_CHOICES, value=16, key="ann_m",
                     help="Each vector keeps about 2·M links. Bigger: better recall, more "
                          "memory, slower to build. Changing M builds another graph.")
ef = c3.select_slider("ef (search effort)", cached.ANN_EFS, value=DEFAULT_EF, key="ann_ef",
                      help="How many candidates the walk keeps. Bigger: closer to exact, slower.")

if dataset == "glove":
    kv = glove_or_stop()
build = resources.ann_build(dataset, m, start=False)
if not build.started:
    if resources.ann_on_disk(dataset, m):
        build.start()  # saved by an earlier build: loading takes a second
    else:
        what = resources.ANN_DATASETS[dataset]
        st.info(f"No HNSW graph (M = {m}) over {what[0].lower()}{what[1:]} on this server yet. "
                "Building one keeps one processor core busy for a few minutes, once per server "
                "(then it is saved to disk and shared by every student), so it starts only "
                "when you ask.", icon=":material/hub:")
        if not st.button("Build the graph now", key="ann_start", type="primary"):
            st.stop()
        build.start()
if not build.wait(0):
    what = resources.ANN_DATASETS[dataset]
    st.info(f"Building the HNSW graph (M = {m}) over {what[0].lower()}{what[1:]}. "
            "This happens once per server, in the background, for every student at once, and "
            "is saved to disk; it takes a few minutes on a small server.",
            icon=":material/hourglass_top:")

    @st.fragment(run_every=1.0)
    def progress() -> None:
        """Redrawn every second (outside any cached function); the page reruns once built."""
        if build.wait(0):
            st.rerun()
        st.progress(build.fraction(), text=f"Inserted {build.done:,} of {build.total:,} vectors"
                    if build.total else "Preparing the vectors…")

    progress()
    st.stop()
try:
    built = resources.ann_index(dataset, m)
except Exception as exc:  # a failed build: say so, never a traceback
    st.error(f"The index could not be built: {exc}")
    st.stop()
vectors = resources.ann_vectors(dataset)

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
st.dataframe(table, hide_index=True, key="ann_curve_table")
good = [p for p in curve if p.recall >= 0.95]
if good:
    p = good[0]
    st.success(f"At ef = {p.ef}, HNSW finds {p.recall:.1%} of the true top 10 in "
               f"{p.ann_ms:.2f} ms per query: {p.speedup:,.0f}× faster than the exact scan "
               f"({p.exact_ms:.1f} ms), measured on this server just now with "
               f"{cached.ANN_CURVE_QUERIES} queries.", icon=":material/speed:")

explain(
    "**How the graph works.** Every vector is linked to a few close vectors (about 2·M); a few "
    "vectors also sit on sparser upper layers that act like motorways. A search starts at the "
    "top, hops greedily toward the query, drops a layer, and keeps the **ef** best candidates "
    "seen so far. It never looks at most of the vectors, which is why it is fast, and why it "
    "can miss a true neighbour hiding behind a detour.\n\n"
    "**What real systems do by default.** *Qdrant* builds an HNSW graph for every collection "
    "(m = 16, ef_construct = 100) once a segment passes about 10,000 vectors, and scans exactly "
    "below that or when you ask for `exact=true`. *pgvector* scans exactly unless you create an "
    "index: `hnsw` (m = 16, ef_construction = 64, `hnsw.ef_search` = 40) or `ivfflat` "
    "(clusters, `probes` = 1). *FAISS* is a library: `IndexFlatIP` is the exact scan and you "
    "choose an approximate index yourself (`IndexHNSWFlat`, efSearch = 16 unless you set it; "
    "IVF, product quantisation). This app keeps the exact scan as the default and the "
    "reference: a class's few thousand chunks take milliseconds.",
    title="How does HNSW find neighbours without looking at everything?",
)
