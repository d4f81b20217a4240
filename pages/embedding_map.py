"""Embedding map: UMAP, t-SNE and PCA pictures of word and sentence vectors, and their honesty."""

import time

import pandas as pd
import streamlit as st

from embedding.charts.maps import MAX_3D_POINTS, preservation_bars
from embedding.maps import projection as proj
from embedding.models.providers import SBERT_KEY
from embedding.words import wordsets
from ui import cached
from ui.phone import on_phone
from ui.widgets import (
    download_stem,
    downloads,
    explain,
    first_screen,
    glove_or_stop,
    model_name,
    presenting,
    provider_picker,
    rows_or_stop,
    show_chart,
    to_url,
    unreadable_note,
    url_choice,
    url_flag,
    url_int,
    url_key,
    word_vectors_picker,
)

SETS = {"themes": "Themed words", "top": "Most frequent words", "own": "Your words",
        "sentences": "Sentences"}
DIMS = {"2": "2-D", "3": "3-D"}
MIN_DISTS = ("0.0", "0.05", "0.1", "0.25", "0.5", "0.8", "0.99")
DEFAULT_MIN_DIST = "0.5"
K_HOVER = 5  # neighbours listed on hover
MAX_LABELS = 600  # more text than this on a map is unreadable
MAX_SENTENCES = 300
MAX_PASTE_CHARS = 30_000
DEFAULT_WORDS = (
    "fruit: apple, banana, cherry, grape, mango, pear, plum, lemon\n"
    "tools: hammer, saw, drill, wrench, screwdriver, chisel, pliers\n"
    "planets: mercury, venus, earth, mars, jupiter, saturn, neptune\n"
    "king, queen, prince, princess, man, woman, boy, girl"
)


def method_params(method: str, n: int) -> dict:
    """The settings of ``method`` as chosen in the widgets."""
    state = st.session_state
    common = {"seed": state.get("map_seed", 42), "metric": state.get("map_metric", "cosine")}
    if method == "umap":
        return {**common, "n_neighbors": state.get("map_neighbors", 15),
                "min_dist": float(state.get("map_min_dist", DEFAULT_MIN_DIST)),
                "n_epochs": proj.interactive_epochs(n)}
    if method == "tsne":
        return {**common, "perplexity": state.get("map_perplexity", 30)}
    return {}


def unknown_note(unknown) -> None:
    """One warning for all the typed words GloVe does not know, with spelling suggestions."""
    parts = []
    for exc in unknown[:12]:
        latin = any("a" <= ch <= "z" for ch in exc.word.lower())  # no "did you mean" for 東京
        hint = f" (did you mean {', '.join(f'`{s}`' for s in exc.suggestions[:3])}?)" \
            if exc.suggestions and latin else ""
        parts.append(f"`{exc.word[:40]}`{hint}")
    more = f" and {len(unknown) - 12} more" if len(unknown) > 12 else ""
    vocab = st.session_state.get("vocab_name", "GloVe's vocabulary")
    st.warning(f"Left off the map, not in {vocab}: {', '.join(parts)}{more}.",
               icon=":material/spellcheck:")


st.title("Embedding map")
st.caption("Similar things sit close together: see it on a 2-D or 3-D map, and see what a flat "
           "picture of 50 or 384 dimensions gets wrong.")
top = first_screen()  # on a projector the map comes first, the settings below it

# ------------------------------------------------------------------ what and how to map
c1, c2, c3 = st.columns([2.8, 1.5, 0.9])
kind = c1.radio("What to map", list(SETS), format_func=SETS.get, horizontal=True,
                key=url_choice("map_set", "themes", SETS))
method = c2.radio("Method", list(proj.METHODS), format_func=proj.METHOD_NAMES.get,
                  horizontal=True, key=url_choice("map_method", "umap", proj.METHODS))
dims = int(c3.radio("Map", list(DIMS), format_func=DIMS.get, horizontal=True,
                    key=url_choice("map_dims", "2", DIMS)))
name = proj.METHOD_NAMES[method]

with st.expander(f"{name} settings", icon=":material/tune:", expanded=False):
    s1, s2, s3, s4 = st.columns(4)
    s1.number_input("Random seed", 0, 9999, key=url_int("map_seed", 42, 0, 9999),
                    help="The same seed gives everyone the same UMAP picture; another seed "
                         "moves the clusters around. PCA and t-SNE (which starts from the PCA "
                         "picture) have no randomness here.",
                    disabled=method != "umap")
    s2.selectbox("Distance (metric)", proj.METRICS, disabled=method == "pca",
                 key=url_choice("map_metric", "cosine", proj.METRICS),
                 help="How closeness is measured in the full space. Cosine is what every other "
                      "page of this app uses.")
    if method == "umap":
        s3.slider("n_neighbors", 2, 100, key=url_int("map_neighbors", 15, 2, 100),
                  help="How many neighbours UMAP looks at: small = local detail, many small "
                       "clumps; large = the big picture.")
        s4.select_slider("min_dist", MIN_DISTS,
                         key=url_choice("map_min_dist", DEFAULT_MIN_DIST, MIN_DISTS),
                         help="How tightly UMAP may pack points: 0 = dense clumps, "
                              "0.99 = evenly spread. umap-learn's default is 0.1; we start at "
                              "0.5 so the labels on a class-sized map can be read.")
    elif method == "tsne":
        s3.slider("perplexity", 5, 50, key=url_int("map_perplexity", 30, 5, 50),
                  help="Roughly how many neighbours t-SNE balances for each point.")
    else:
        s3.caption("PCA has no settings: it keeps the directions along which the vectors "
                   "spread the most.")

# ------------------------------------------------------------------ the points
kv = None
if kind in ("top", "own"):  # a typed or frequency list can come from your own vectors
    kv = word_vectors_picker("map")
elif kind == "themes":
    kv = glove_or_stop()
items: list[wordsets.MapItem] = []
if kind == "themes":
    cats = wordsets.word_categories()
    if "map_cats" not in st.session_state:
        wanted = st.query_params.get("map_cats")
        chosen = [c for c in wanted.split(",") if c in cats] if wanted else []
        st.session_state.map_cats = chosen or list(wordsets.DEFAULT_CATEGORIES)
    chosen = st.multiselect("Themes", cats, key="map_cats", select_all=False,
                            help="Each theme is a list of 20–30 words we picked; every word is "
                                 "in GloVe.")
    items = wordsets.themed_words(chosen)
    if chosen == list(wordsets.DEFAULT_CATEGORIES):  # the default stays out of the link
        st.query_params.pop("map_cats", None)
    else:
        st.query_params["map_cats"] = ",".join(chosen)
elif kind == "top":
    own = st.session_state.get("map_vectors_id", "glove") != "glove"
    most = min(wordsets.MAX_TOP_WORDS, len(kv))
    if most > 100:
        if st.session_state.get("map_n", 0) > most:  # a smaller file than the last one
            st.session_state["map_n"] = most
        n_top = st.slider(
            f"How many of the first words of {'your file' if own else 'GloVe'}",
            100, most, step=100 if most % 100 == 0 else 1,
            key=url_int("map_n", min(1000, most), 100, most),
            help=("Word-vector files usually list the most frequent words first (GloVe does); "
                  "punctuation and numbers are skipped. Colours show frequency bands."))
    else:  # a small file: all of it
        n_top = most
        st.caption(f"All {most:,} words of your file (punctuation and numbers skipped).")
    items = wordsets.top_words(kv, n_top)
elif kind == "own":
    text = st.text_area(
        "Your words (commas or new lines; start a line with `theme:` to colour a group)",
        key=url_key("map_words", DEFAULT_WORDS), height=140, max_chars=MAX_PASTE_CHARS)
    typed = wordsets.parse_tagged_lines(text, wordsets.OWN_WORDS)
    items, unknown = wordsets.resolve_items(kv, typed)
    if unknown:
        unknown_note(unknown)
    if len(typed) >= wordsets.MAX_USER_ITEMS:
        st.info(f"Only the first {wordsets.MAX_USER_ITEMS} words are mapped.")
else:
    own = st.toggle("Type my own sentences", key=url_flag("map_own_sentences"))
    if own:
        text = st.text_area(
            "One sentence per line (start a line with `topic |` to colour a group)",
            key=url_key("map_sentences_text", ""), height=160, max_chars=MAX_PASTE_CHARS,
            placeholder="pets | The cat sleeps on the sofa.\nweather | It rained all day.")
        items = wordsets.parse_tagged_lines(text, wordsets.OWN_SENTENCES, limit=MAX_SENTENCES,
                                            split_commas=False)
        if len(items) >= MAX_SENTENCES:
            st.info(f"Only the first {MAX_SENTENCES} sentences are mapped.")
    else:
        topics = wordsets.sentence_topics()
        st.caption(f"{len(wordsets.builtin_sentences())} short sentences we wrote, in "
                   f"{len(topics)} topics: {', '.join(topics)}.")
        items = wordsets.builtin_sentences()
to_url("map_set", "map_method", "map_dims", "map_seed", "map_metric", "map_neighbors",
       "map_min_dist", "map_perplexity", "map_n", "map_words", "map_own_sentences",
       "map_sentences_text")

noun = "sentences" if kind == "sentences" else "words"
if len(items) < 5:
    st.info(f"Add at least 5 {noun} to draw a map (you have {len(items)}).",
            icon=":material/edit:")
    st.stop()
if method == "tsne" and len(items) > proj.TSNE_MAX_POINTS:
    st.info(f"t-SNE is much slower than UMAP: it maps the first {proj.TSNE_MAX_POINTS:,} of "
            f"these {len(items):,} {noun}. Use UMAP for the full set.", icon=":material/speed:")
    items = items[: proj.TSNE_MAX_POINTS]
if dims == 3 and len(items) > MAX_3D_POINTS:
    st.info(f"A 3-D map shows the first {MAX_3D_POINTS:,} of these {len(items):,} {noun}: "
            "without a graphics card a browser draws 3-D slowly. The 2-D map shows them all.",
            icon=":material/speed:")
    items = items[:MAX_3D_POINTS]
chosen = SBERT_KEY
if kind == "sentences":
    chosen = provider_picker("map_provider")
    rows_or_stop([i.label for i in items], chosen)  # a clear message if the model fails
    if chosen == SBERT_KEY and own:
        unreadable_note([i.label for i in items])

labels = tuple(i.label for i in items)
categories = tuple(i.category for i in items)
n = len(labels)
k_score = proj.preservation_k(n)  # 10, fewer on a small map (10 of 5 points would be all)
params = method_params(method, n)
with st.status(f"Drawing {n:,} {noun} with {name}…", expanded=False) as status:
    t0 = time.perf_counter()
    vectors = cached.item_vectors(kind, labels, kv, chosen)
    status.write(f"{name}: from {vectors.shape[1]} dimensions down to {dims}…")
    if method == "umap" and not proj.umap_ready():
        status.update(label="UMAP's first map on this server: compiling its code (up to a "
                            "minute, once); every later map takes a second or two…")
    elif method != "pca" and proj.PROJECTION_LOCK.locked():
        status.update(label=f"Another {name} map is being drawn on this server; yours is next…")
    coords, seconds, score = cached.build_map(kind, labels, method, dims, params, kv, k_score,
                                              chosen)
    waited = time.perf_counter() - t0
    shared = " (this map was already computed: served from the cache)" \
        if seconds > 0.2 and waited < seconds / 2 else ""
    status.update(label=f"{name} map of {n:,} {noun}, computed in {seconds:.1f} s{shared}",
                  state="complete")

space = (f"{vectors.shape[1]}-d {model_name(chosen)}" if kind == "sentences"
         else f"{vectors.shape[1]}-d GloVe")


def phone_map_height(coords) -> int:
    """A 2-D map's height on a phone: its plot (about 250 px wide, one unit as long on both
    axes) as tall as the points' spread needs, so no empty bands above and below them."""
    span = coords.max(axis=0) - coords.min(axis=0)
    aspect = float(span[1] / span[0]) if span[0] > 0 else 1.0
    return int(min(max(250 * aspect, 150), 480)) + 70  # plus the title and the x axis


def focus_and_map() -> None:
    """The map, the word to focus on (searched or clicked) and its true neighbours.

    A fragment (outside presentation mode): a click, a search or the labels switch reruns only
    this part, not the page above it (settings, items, the projection's cache look-ups).
    """
    if st.session_state.get("map_find") not in labels:
        wanted = st.query_params.get("map_find")
        st.session_state.map_find = wanted if wanted in labels else None
    chart_state = st.session_state.get("map_chart")
    points = [p for p in (chart_state.selection.points if chart_state else [])
              if p.get("customdata")]
    signature = tuple(p["customdata"][0] for p in points)
    if signature and signature != st.session_state.get("map_last_click"):
        st.session_state.map_find = labels[signature[0]]  # a click on the map picks the point
    st.session_state.map_last_click = signature or None

    chart_slot = top or st.container()  # the map goes here, above the search box
    f1, f2 = st.columns([2, 1])
    phone = on_phone()  # one tap selects a dot; a finger on a chart scrolls the page (ui.phone)
    how = (f"or {'tap' if phone else 'click'} a point on the map" if dims == 2
           else "type to search" if phone else "drag the map to turn it")
    focus_label = f1.selectbox(f"Find a {noun[:-1]} ({how})", labels,
                               key="map_find", placeholder="type to search…")
    show_labels = f2.toggle("Labels on the map",  # a phone: 268 labels in 300 px are a blot
                            value=n <= MAX_LABELS and not presenting() and not phone,
                            key="map_labels_present" if presenting() else "map_labels",
                            disabled=n > MAX_LABELS or dims == 3,
                            help=f"Labels are hidden above {MAX_LABELS} points and on 3-D maps; "
                                 "hover instead. Off, only the chosen point and its true "
                                 "neighbours are named.")
    if focus_label:
        st.query_params["map_find"] = focus_label
    elif "map_find" in st.query_params:
        del st.query_params["map_find"]
    focus = labels.index(focus_label) if focus_label else None
    focus_near = (proj.point_neighbours(vectors, coords, list(labels), focus, k=k_score)
                  if focus is not None else [])

    fig = cached.map_figure(kind, labels, categories, method, dims, params, kv, k_score, chosen,
                            k_hover=K_HOVER, show_labels=show_labels and n <= MAX_LABELS,
                            highlight=focus,
                            highlight_neighbours=[nb.index for nb in focus_near[:K_HOVER]],
                            axis_name=name, space=space)  # shared, read-only
    show_chart(fig, chart_slot, key="map_chart", on_select="rerun" if dims == 2 else "ignore",
               selection_mode="points", config={"scrollZoom": True},
               phone_height=phone_map_height(coords) if dims == 2 else 240)
    coords_df = pd.DataFrame({"sentence" if kind == "sentences" else "word": labels,
                              "category": categories,
                              **{f"{name} {i + 1}": coords[:, i] for i in range(dims)}})
    downloads(download_stem(f"{method}_map_{kind}", chosen) if kind == "sentences"
              else f"{method}_map_{kind}", df=coords_df, fig=fig, key="map_dl")

    metrics = st.container(horizontal=True)
    metrics.metric(f"Neighbour preservation ({k_score} nearest)", f"{score:.0%}",
                   help=f"Share of each point's {k_score} nearest neighbours in the full space "
                        f"(by cosine) that are also among its {k_score} nearest on the map.")
    metrics.metric("A random map would keep", f"{proj.random_preservation(n, k_score):.1%}")
    metrics.metric("Time to project", f"{seconds:.1f} s")
    if k_score < proj.PRESERVATION_K:
        st.caption(f"With only {n} points the score compares each point's {k_score} nearest "
                   f"neighbours, not {proj.PRESERVATION_K}: {proj.PRESERVATION_K} neighbours "
                   f"among {n} points would be (nearly) every other point, which any map keeps. "
                   "Add words for a sterner test.")
    explain(
        f"Each dot is one of the {n:,} {noun}, coloured by "
        f"{('topic' if kind == 'sentences' else 'theme')}. The full vectors have "
        f"{vectors.shape[1]} numbers each; {name} squeezes them into {dims}. "
        f"**{'Tap' if phone else 'Hover'}** a dot to see its true nearest neighbours, measured "
        "in the full space: when they are not the dots around it, the map has bent the truth. "
        f"**{'Tap' if phone else 'Click'}** a dot (2-D maps) or search for it to draw lines to "
        f"its true neighbours. {'Tap' if phone else 'Click'} a legend entry to hide a group"
        f"{'' if phone else '; drag a 3-D map to turn it'}.\n\n"
        f"**How honest is this map?** For every point we take its {k_score} nearest neighbours "
        f"in the full {space} space (by cosine) and its {k_score} nearest dots on the map, and "
        f"count how many are the same. {name} keeps **{score:.0%}** of them; a map with the dots "
        f"thrown at random would keep about {proj.random_preservation(n, k_score):.1%}. Whatever "
        "is missing is where the map misleads: two dots can sit side by side without being "
        "similar, and close neighbours can end up apart.\n\n"
        "**Compare the methods** on the same points: **PCA** is a straight projection (like a "
        "shadow) that keeps the big directions but squashes neighbourhoods; **t-SNE** and "
        "**UMAP** bend the space to keep neighbours together, so their clusters are meaningful "
        "but the *distances between clusters* and the axes are not. Change the seed: UMAP's "
        "clusters stay, their positions move.",
        title="How to read the map, and what the score means",
    )

    if focus is None:
        return
    st.subheader(f"Nearest to “{focus_label[:80]}” in the full space")
    table = pd.DataFrame([{"neighbour": nb.label, "cosine (full space)": round(nb.similarity, 4),
                           "rank by distance on the map": nb.map_rank} for nb in focus_near])
    table.index = range(1, len(table) + 1)
    st.dataframe(table, width="stretch")
    downloads(f"neighbours_{method}", df=table.reset_index(names="rank"), key="map_nb_dl")
    kept = sum(nb.map_rank <= k_score for nb in focus_near)
    note = (f"{kept} of these {len(focus_near)} true neighbours are also among the "
            f"{k_score} closest dots on the map.")
    if kind != "sentences":
        vocab = cached.neighbours(kv, focus_label, 8)
        mine = st.session_state.get("map_vectors_id", "glove") != "glove"
        note += (f"  \nNearest in all {len(kv):,} {'your vectors’' if mine else 'GloVe'} words "
                 "(most are not on this map): " + ", ".join(f"{w} ({s:.2f})" for w, s in vocab))
    st.caption(note)


def compare_methods() -> None:
    """UMAP, t-SNE and PCA on the same points (a fragment: the switch reruns only this part)."""
    if not st.toggle("Compare UMAP, t-SNE and PCA on these points", key="map_compare"):
        return
    rows = []
    with st.status("Computing the other maps…", expanded=False) as status:
        for m in proj.METHODS:
            if m == "tsne" and n > proj.TSNE_MAX_POINTS:
                continue
            status.write(f"{proj.METHOD_NAMES[m]}…")
            _, secs, sc = cached.build_map(kind, labels, m, dims, method_params(m, n), kv,
                                           k_score, chosen)
            rows.append({"method": proj.METHOD_NAMES[m], "neighbours kept": round(sc, 4),
                         "seconds": round(secs, 2)})
        status.update(label="All methods computed", state="complete")
    cmp_df = pd.DataFrame(rows)
    cmp_fig = preservation_bars(list(cmp_df["method"]), list(cmp_df["neighbours kept"]), k_score)
    show_chart(cmp_fig, key="map_cmp_chart")
    st.dataframe(cmp_df, width="stretch", hide_index=True)
    if n > proj.TSNE_MAX_POINTS:
        st.caption(f"t-SNE is left out: it is too slow for {n:,} points on this server "
                   f"(at most {proj.TSNE_MAX_POINTS:,}).")
    downloads("map_method_comparison", df=cmp_df, fig=cmp_fig, key="map_cmp_dl")
    explain("The same points, the same score, three methods. UMAP and t-SNE usually keep far "
            "more neighbours than PCA, which is why they make better *maps*; PCA's axes, on the "
            "other hand, are real directions in the space. Timings show why t-SNE is limited to "
            f"{proj.TSNE_MAX_POINTS:,} points here.", title="Which map is most honest?")


# In presentation mode the map is drawn at the top of the page, outside any fragment (a
# fragment may not put a widget into a container made outside it): a plain call there.
(focus_and_map if top is not None else st.fragment(focus_and_map))()
st.fragment(compare_methods)()
