"""Movie recommendations: "you liked …" by cosine of content embeddings, and the cold start."""

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from embedding.models.glove import ModelLoadError
from embedding.models.providers import SBERT_KEY, ProviderError
from embedding.models.sbert import describe_sbert
from embedding.recsys import recommend as rec
from embedding.recsys.presets import USERS
from embedding.search.store import NumpyStore
from embedding.similarity import cosine
from embedding.text import escape_markdown
from ui import cached, resources
from ui.phone import on_phone
from ui.providers import is_remote, remote_result
from ui.widgets import (
    clean_text,
    download_stem,
    downloads,
    explain,
    first_screen,
    model_label,
    model_name,
    provider_picker,
    rows_or_stop,
    sbert_or_stop,
    show_chart,
    to_url,
    unreadable_note,
    url_choice,
    url_int,
    url_key,
    url_tabs,
)

ROOT = Path(__file__).resolve().parents[1]
TOY = {"Avatar": [1, 2, 2], "Ironman": [3, 7, 8], "Rainman": [1, -2, 6]}
NEW_MOVIE = ("A shy robot who works in a bakery teaches a lonely girl to bake, and together they "
             "win the town's bread festival.")


def movie_index() -> tuple[list[rec.Movie], NumpyStore]:
    """The movies and their vector store, shared by all sessions. On a fresh server the first
    visitor starts the build; every visitor watches the same shared progress meanwhile."""
    build = resources.movie_build()
    if not build.wait(0):
        bar = st.progress(0.0, text="Loading the sentence model (first time on this server)…")
        while not build.wait(0.25):  # redraw this session's bar from the shared counter
            if build.total:
                bar.progress(build.fraction(), text="Embedding movie blurbs (first time on "
                             f"this server): {build.done}/{build.total}")
        bar.empty()
    return resources.movie_recommender()


def embed(texts: list[str]) -> np.ndarray:
    """Rows of a few sentences (plot sentences, a typed query) from the chosen model, cached."""
    return rows_or_stop(texts, chosen)


def show_results(movies, liked: tuple[int, ...] = (), query: str = "", k: int = 5,
                 key: str = "rec") -> None:
    """One card per recommendation with its reasons, then the scores as a chart and a table:
    for the taste of the ``liked`` rows, or for a typed ``query`` when none."""
    try:
        if is_remote(chosen):  # its answers may take a while: asked in the background
            view = remote_result(("recommendations", chosen, liked, query, k), chosen,
                                 lambda: cached.recommendations(chosen, liked, query, k))
        else:
            view = cached.recommendations(chosen, liked, query, k)  # shared by every session
    except (ProviderError, ModelLoadError):
        embed([query or movies[liked[0]].title])  # shows what went wrong and stops
        return
    for n, r in enumerate(view["results"], start=1):  # one card = a box, its text and a caption
        m = movies[r.row]
        reasons = []
        if r.shared:
            reasons.append("shares " + ", ".join(r.shared))
        if r.because is not None:
            reasons.append(f"closest to **{movies[r.because].title}** "
                           f"(cosine {r.because_score:.3f})")
        target = movies[liked[r.sentence.matched]].title if liked else view["against"]
        notes = ["Because it " + "; ".join(reasons) + "."] if reasons else []
        notes.append(f"Its plot sentence closest to {target} (cosine {r.sentence.score:.3f}).")
        with st.container(border=True):
            st.markdown(f"**{n}. {m.title}** ({m.year}) · "
                        + " · ".join(f"**{g}**" if g in r.shared else g for g in m.genres)
                        + f" · :blue-badge[cosine {r.score:.3f}]\n\n> {r.sentence.sentence}")
            st.caption("  \n".join(notes))
    show_chart(view["figure"], key=f"{key}_chart")
    downloads(download_stem(f"recommendations_{key}", chosen), df=view["df"], fig=view["figure"],
              key=key)


def liked_from_url(movies: list[rec.Movie]) -> None:
    """Seed the liked-movies picker from ``?rec_liked=ids`` once per session (unknown ids dropped)."""
    if "rec_liked" in st.session_state:
        return
    by_id, index = choices["by_id"], choices["index"]
    raw = st.query_params.get("rec_liked", "")
    picked = [by_id[int(x)] for x in raw.split(",") if x.strip().isdigit() and int(x) in by_id]
    if not picked:
        picked = [movies[index[t]].label for t in ("Alien", "The Martian") if t in index]
    st.session_state["rec_liked"] = picked[:10]


@st.fragment  # picking movies or a count reruns only this tab
def liked_tab(movies, store, emb) -> None:
    labels, row_of = choices["labels"], choices["row_of"]
    liked_from_url(movies)
    left, right = st.columns([4, 1])
    chosen = left.multiselect("You liked …", labels, key="rec_liked", max_selections=10,
                              placeholder="Pick one or more movies", persist_state="page",
                              select_all=False)  # typed "to": films first, no "Select 3 matches"
    k = right.slider("How many", 3, 15, key=url_int("rec_k", 6, 3, 15))
    ids = ",".join(str(movies[row_of[c]].id) for c in chosen)
    if st.query_params.get("rec_liked") != ids:
        st.query_params["rec_liked"] = ids
    to_url("rec_k")
    if not chosen:
        st.info("Pick at least one movie you liked to get recommendations.",
                icon=":material/movie:")
        return
    show_results(movies, liked=tuple(row_of[c] for c in chosen), k=k, key="rec_liked_out")
    explain(
        f"Every movie is one {emb.shape[1]}-dimensional vector of its text from "
        f"{escape_markdown(model_name(vectors_from))} "
        "(*title. genres. plot*). Your **taste** is the average direction of the movies you "
        "liked; every other movie is scored by its **cosine** with that taste, the liked ones "
        "are left out, and the highest scores win. **Bold** genres are shared with what you "
        "liked; the quoted sentence is the one sentence of its plot that is closest to one of "
        "your movies: the part of the description that \"sold\" it."
    )


def cold_start_tab(movies, store, emb) -> None:
    new_user(movies, store, emb)
    new_movie(movies, store, emb)
    explain(
        "**Collaborative filtering** recommends from the *ratings matrix* alone: \"people who "
        "rated like you also liked …\". A brand-new movie has an empty column and a new user an "
        "empty row, so there is nothing to compare: that is the **cold start** problem. "
        "**Content-based** recommendation embeds what a movie *is about*, so a description is "
        "enough on day one, for a new movie and for a user who only says what they like. "
        "The price: it only knows what the text says, tends to recommend more of the same, and "
        "cannot learn taste that no description captures. Real systems mix both (hybrids).",
        title="Why content-based solves the cold start",
    )


@st.fragment  # typing what you like reruns only this part
def new_user(movies, store, emb) -> None:
    st.subheader("A new user: no history, just words")
    # no max_chars: the browser would silently refuse a longer paste; clean_text cuts it
    query = st.text_input("Tell us what you like", key=url_key("rec_query", "scary haunted house"))
    to_url("rec_query")
    text = clean_text(query, "description of what you like", max_chars=300)
    if text:
        if st.session_state.get("rec_provider", SBERT_KEY) == SBERT_KEY:
            unreadable_note(text)
        show_results(movies, query=text, key="rec_query_out")


@st.fragment  # describing a movie reruns only this part
def new_movie(movies, store, emb) -> None:
    st.subheader("A new movie: no ratings, just a description")
    blurb = st.text_area("Describe a movie that nobody has seen yet", height=90,
                         key=url_key("rec_new_movie", NEW_MOVIE))
    to_url("rec_new_movie")
    text = clean_text(blurb, "movie description", max_chars=600)
    if text:
        if st.session_state.get("rec_provider", SBERT_KEY) == SBERT_KEY:
            unreadable_note(text)
        mv = embed([text])[0]
        users = rec.user_rows(USERS, movies)
        matches = rec.match_users(emb, users, mv)
        left, right = st.columns(2)
        with left:
            st.markdown("**Who should we show it to?**")
            udf = pd.DataFrame({
                "viewer": [name for name, _ in matches],
                "cosine with their taste": [round(s, 4) for _, s in matches],
                "they liked": [", ".join(movies[i].title for i in users[name])
                               for name, _ in matches],
            })
            st.dataframe(udf, hide_index=True)
            ufig = cached.figure("figures.score_bars", [n for n, _ in matches],
                                 [s for _, s in matches], highlight=0)
            show_chart(ufig, key="rec_users_chart")
            downloads(download_stem("new_movie_viewers", chosen), df=udf, fig=ufig,
                      key="rec_users")
        with right:
            st.markdown("**Movies it is most like**")
            similar = rec.rank(store, mv, k=5)
            sdf = pd.DataFrame({"title": [movies[i].title for i, _ in similar],
                                "genres": [", ".join(movies[i].genres) for i, _ in similar],
                                "cosine": [round(s, 4) for _, s in similar]})
            st.dataframe(sdf, hide_index=True)
            downloads(download_stem("new_movie_similar", chosen), df=sdf, key="rec_similar")


@st.fragment  # choosing movies reruns only this tab
def toy_tab(movies, emb) -> None:
    st.markdown(
        "In the lecture's exercise, each movie was 3 hand-made numbers and the question was: "
        "*you liked **Avatar**, should we recommend **Ironman** or **Rainman**?*"
    )
    phone = on_phone()  # a phone: the toy table folded, the real answer before its pickers
    with st.expander("The toy vectors: Avatar, Ironman, Rainman") if phone else st.container():
        toy = pd.DataFrame({"movie": list(TOY), "vector": [str(v) for v in TOY.values()],
                            "cosine with Avatar": [round(cosine(TOY["Avatar"], v), 4)
                                                   for v in TOY.values()]})
        st.dataframe(toy, hide_index=True)
        # the download and the calculator in one row: on a projector the real answer below
        # then starts on the first screen
        row = st.container(horizontal=True, vertical_alignment="center")
        with row:
            downloads("toy_vectors", df=toy, key="rec_toy_vectors")
        if (ROOT / "pages" / "cosine_toy.py").is_file():
            row.page_link("pages/cosine_toy.py",
                          label="Work it out step by step: Cosine calculator",
                          icon=":material/calculate:")

    st.markdown(f"**The same question with real embeddings** ({emb.shape[1]} dimensions of "
                f"{escape_markdown(model_name(chosen))}, none with a name):")
    # a phone or a projector: the answer right under this line, before the pickers and table
    answer = first_screen() or st
    labels, index = choices["labels"], choices["index"]
    defaults = [movies[index[t]].label if t in index else labels[i]
                for i, t in enumerate(("Avatar", "Iron Man", "Rain Man"))]
    c1, c2, c3 = st.columns(3)
    liked = c1.selectbox("You liked", labels, key=url_choice("rec_toy_liked", defaults[0], labels))
    a = c2.selectbox("Candidate A", labels, key=url_choice("rec_toy_a", defaults[1], labels))
    b = c3.selectbox("Candidate B", labels, key=url_choice("rec_toy_b", defaults[2], labels))
    to_url("rec_toy_liked", "rec_toy_a", "rec_toy_b")
    rows = [index[x] for x in (liked, a, b)]
    scores = [float(emb[rows[0]] @ emb[r]) for r in rows[1:]]
    real = pd.DataFrame({"movie": [movies[r].title for r in rows],
                         "genres": [", ".join(movies[r].genres) for r in rows],
                         f"cosine with {movies[rows[0]].title}": [1.0] + [round(s, 4)
                                                                         for s in scores]})
    if phone:  # the cosine (the point) before the genres, which are wider than a phone
        real = real[[real.columns[0], real.columns[2], real.columns[1]]]
    st.dataframe(real, hide_index=True)
    downloads(download_stem("toy_vs_real", chosen), df=real, key="rec_toy")
    if a == b:
        answer.info("Pick two different candidates to compare.")
        return
    winner = movies[rows[1] if scores[0] >= scores[1] else rows[2]].title
    answer.success(f"Recommend **{winner}**: its vector points closer to "
               f"**{movies[rows[0]].title}** ({max(scores):.3f} vs {min(scores):.3f}).")
    explain(
        f"The toy vectors had three features someone chose by hand; "
        f"{escape_markdown(model_name(chosen))}'s vectors have {emb.shape[1]} "
        "dimensions learned from text, none with a name. The recipe is identical: the candidate "
        "with the highest cosine wins. With real embeddings the scores are smaller (two plots "
        "rarely share many words or ideas), so compare them with each other, not with 1."
    )


st.title("Movie recommendations")
st.caption(f"Content-based: every movie is a vector of its title, genres and plot (from SBERT, "
           f"{describe_sbert()}, or the model chosen below); recommendations are the nearest "
           "vectors by cosine.")
sbert_or_stop()  # a clear page if the sentence model is broken
chosen = provider_picker("rec_provider", "Movie vectors from")
vectors_from = chosen  # (the liked tab's own `chosen` is the movies picked)
if chosen == SBERT_KEY:
    movies, store = movie_index()
elif is_remote(chosen):  # embedded by that server once, in the background
    movies, store = remote_result(("movies", chosen), chosen,
                                  lambda: resources.provider_movie_recommender(chosen),
                                  what="to embed the movie blurbs")
else:  # a local sentence-transformers folder
    movies, store = resources.provider_movie_recommender(chosen)
emb = store.vectors()  # read-only unit rows, one per movie
st.caption(f"Movie vectors: {escape_markdown(model_label(chosen))}.")
choices = cached.movie_choices(chosen)  # the pickers' options, made once per server: read only
liked_t, cold_t, toy_t = url_tabs("rec_tab", ["You liked …", "Cold start",
                                              "Toy exercise → real vectors"])
# Only the open tab is drawn (a click on another reruns the page); hidden tabs' inputs come
# back from the link (url_key & co.) or are kept (persist_state="page").
with liked_t:
    if liked_t.open:
        liked_tab(movies, store, emb)
with cold_t:
    if cold_t.open:
        cold_start_tab(movies, store, emb)
with toy_t:
    if toy_t.open:
        toy_tab(movies, emb)
