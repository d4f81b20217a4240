"""Categories as candidates: zero-shot classification by cosine with label descriptions."""

import pandas as pd
import streamlit as st

from embedding.search.categories import (
    LabelError,
    genre_descriptions,
    labels_to_text,
    parse_labels,
)
from embedding.text import escape_markdown
from ui import cached
from ui.phone import on_phone
from ui.widgets import (
    clean_text,
    explain,
    glove_or_stop,
    sbert_or_stop,
    show_chart,
    unreadable_note,
    url_tabs,
)

LABELS = ("sport: a match, a team, a goal\npolitics: an election, a vote, a government\nfood: "
          "cooking, a recipe, a meal\nscience: an experiment, a discovery, research")
TEXT = "The chancellor lost the vote in parliament after a long night of debate."


@st.fragment  # editing the labels or the text reruns only this tab
def labels_tab() -> None:
    c1, c2 = st.columns(2)
    phone = on_phone()  # boxes as tall as their default text, so the answer is on screen 1
    labels_raw = c1.text_area("Labels, one per line (optionally `name: description`)", LABELS,
                              height=130 if phone else 170, key="cat_labels",
                              persist_state="page")
    text_raw = c2.text_area("A text to classify", TEXT, height=90 if phone else 170,
                            key="cat_text", persist_state="page")
    try:
        labels = parse_labels(labels_raw)
    except LabelError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/label:")
        labels = None
    text = clean_text(text_raw, "text to classify")
    if labels and text:
        scores = cached.category_scores(tuple(lab.text for lab in labels), text)
        if "GloVe average" not in scores:
            st.info("No word of the text is in GloVe's vocabulary: only SBERT can place it.")
        names = [lab.name for lab in labels]
        unreadable_note(text)
        row = st.container(horizontal=True)  # the answers side by side, on a phone too
        for model, s in scores.items():
            row.metric(f"{model} says", names[int(s.argmax())], f"cosine {s.max():.3f}",
                       delta_color="off")
        show_chart(cached.figure("search.label_bars", names, scores), key="cat_bars")


@st.fragment  # editing the descriptions reruns only this tab
def movies_tab() -> None:
    desc_raw = st.text_area("Genre descriptions (edit them and watch the accuracy move)",
                            labels_to_text(genre_descriptions()),
                            height=160 if on_phone() else 300, key="cat_genres",
                            persist_state="page")
    try:
        genres = parse_labels(desc_raw)
    except LabelError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/label:")
        return
    names = tuple(g.name for g in genres)
    report = cached.genre_evaluation(names, tuple(g.text for g in genres))
    if report["unknown"]:
        st.info("Not a first genre of any film here (kept as a decoy): "
                + ", ".join(escape_markdown(u) for u in report["unknown"]))
    cols = st.columns(2)
    for col, model in zip(cols, ("SBERT", "GloVe average"), strict=True):
        ev = report[model]
        with col:
            st.subheader(model)
            st.metric("Accuracy (first genre)", f"{ev.accuracy:.1%}",
                      f"{ev.accuracy - ev.baseline:+.1%} vs always '{ev.baseline_label}'")
            show_chart(cached.figure("search.confusion", ev.labels, ev.confusion),
                       key=f"cat_conf_{model}")
    st.caption(f"{report['films']} films; the baseline always answers the most common first "
               "genre. Rows: the film's real first genre; columns: the closest description.")
    st.dataframe(pd.DataFrame({"genre": names, "films": report["counts"]}), hide_index=True,
                 key="cat_counts")


st.title("Categories as candidates")
st.caption("A classifier with no training: embed each category's name or description, embed the "
           "text, and pick the closest category by cosine. The wording of the labels is the "
           "only knob.")

glove_or_stop()
sbert_or_stop()
tab_try, tab_movies = url_tabs("cat_tab", ["Your labels", "Movie genres from plots"])
# Only the open tab is drawn (a click on the other reruns the page); the hidden tab's text
# boxes keep what was typed (persist_state="page").
with tab_try:
    if tab_try.open:
        labels_tab()
with tab_movies:
    if tab_movies.open:
        movies_tab()

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
