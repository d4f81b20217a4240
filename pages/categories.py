"""Categories as candidates: zero-shot classification by cosine with label descriptions."""

import pandas as pd
import streamlit as st

from embedding.charts.search import confusion, label_bars
from embedding.search.categories import (
    LabelError,
    assign,
    cosines,
    evaluate,
    genre_descriptions,
    labels_to_text,
    parse_labels,
)
from embedding.search.documents import movie_corpus
from embedding.search.retrieval import GloveAverageVectorizer
from embedding.text import escape_markdown
from ui import cached, resources
from ui.widgets import clean_text, explain, glove_or_stop, sbert_or_stop, show_chart, url_tabs

st.title("Categories as candidates")
st.caption("A classifier with no training: embed each category's name or description, embed the "
           "text, and pick the closest category by cosine. The wording of the labels is the "
           "only knob.")

kv, _ = glove_or_stop(), sbert_or_stop()
glove_vec = GloveAverageVectorizer(kv)


def label_rows(texts: tuple[str, ...]):
    """SBERT and GloVe-average vectors of label texts (SBERT cached for every session)."""
    return {"SBERT": cached.embed_rows(texts), "GloVe average": glove_vec.embed(list(texts))}


tab_try, tab_movies = url_tabs("cat_tab", ["Your labels", "Movie genres from plots"])

with tab_try:
    c1, c2 = st.columns(2)
    labels_raw = c1.text_area("Labels, one per line (optionally `name: description`)",
                              "sport: a match, a team, a goal\npolitics: an election, a vote, "
                              "a government\nfood: cooking, a recipe, a meal\nscience: an "
                              "experiment, a discovery, research", height=170, key="cat_labels")
    text_raw = c2.text_area("A text to classify", "The chancellor lost the vote in parliament "
                            "after a long night of debate.", height=170, key="cat_text")
    try:
        labels = parse_labels(labels_raw)
    except LabelError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/label:")
        labels = None
    text = clean_text(text_raw, "text to classify")
    if labels and text:
        vecs = label_rows(tuple(lab.text for lab in labels))
        scores = {"SBERT": cosines(cached.embed_rows((text,)), vecs["SBERT"])[0]}
        g = glove_vec.embed([text])
        if g.any():
            scores["GloVe average"] = cosines(g, vecs["GloVe average"])[0]
        else:
            st.info("No word of the text is in GloVe's vocabulary: only SBERT can place it.")
        names = [lab.name for lab in labels]
        cols = st.columns(len(scores))
        for col, (model, s) in zip(cols, scores.items(), strict=True):
            col.metric(f"{model} says", names[int(s.argmax())], f"cosine {s.max():.3f}",
                       delta_color="off")
        show_chart(label_bars(names, scores), key="cat_bars")

with tab_movies:
    ids, plots, payloads = movie_corpus()
    truth = [p["genres"].split("|")[0] for p in payloads]
    start = labels_to_text(genre_descriptions())
    desc_raw = st.text_area("Genre descriptions (edit them and watch the accuracy move)", start,
                            height=300, key="cat_genres")
    try:
        genres = parse_labels(desc_raw)
    except LabelError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/label:")
        st.stop()
    unknown = [g.name for g in genres if g.name not in set(truth)]
    if unknown:
        st.info("Not a first genre of any film here (kept as a decoy): "
                + ", ".join(escape_markdown(u) for u in unknown))
    names = [g.name for g in genres]
    vecs = label_rows(tuple(g.text for g in genres))
    plot_vecs = {"SBERT": resources.builtin_store("movies", "sbert").vectors_of(ids),
                 "GloVe average": resources.builtin_store("movies", "glove")}
    g_store = plot_vecs["GloVe average"]
    g_ids = set(g_store.ids())
    plot_vecs["GloVe average"] = g_store.vectors_of([i for i in ids if i in g_ids])
    g_truth = [t for i, t in zip(ids, truth, strict=True) if i in g_ids]
    cols = st.columns(2)
    for col, model in zip(cols, ("SBERT", "GloVe average"), strict=True):
        gold = truth if model == "SBERT" else g_truth
        predicted = [names[i] for i in assign(plot_vecs[model], vecs[model])]
        ev = evaluate(gold, predicted, names + sorted(set(gold) - set(names)))
        with col:
            st.subheader(model)
            st.metric("Accuracy (first genre)", f"{ev.accuracy:.1%}",
                      f"{ev.accuracy - ev.baseline:+.1%} vs always '{ev.baseline_label}'")
            show_chart(confusion(ev.labels, ev.confusion), key=f"cat_conf_{model}")
    st.caption(f"{len(ids)} films; the baseline always answers the most common first genre. "
               "Rows: the film's real first genre; columns: the closest description.")
    st.dataframe(pd.DataFrame({"genre": names, "films": [truth.count(n) for n in names]}),
                 hide_index=True, key="cat_counts")

explain(
    "Nothing was trained here: the **candidates are categories**, and a text goes to the one "
    "whose vector points most nearly the same way. That is why the *words* of a description "
    "matter: *Horror* alone is one vector; *a monster hunts frightened victims* is another, "
    "closer to how plots are written. Try giving *Crime* a better description and watch its "
    "row in the matrix.\n\n"
    "**GloVe average** blurs every description into the average of its words, and common "
    "words pull all of them toward the same place, so most plots land in one or two genres. "
    "**SBERT** reads the description as a sentence and does much better, but a plot has "
    "several genres and we only score the first, so even a perfect reader would miss some.",
    title="Why does wording change the accuracy?",
)
