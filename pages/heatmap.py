"""Similarity heat-map: every pair of a list of words (GloVe) or sentences (SBERT)."""

import pandas as pd
import streamlit as st

from embedding.charts import theme
from embedding.models.providers import SBERT_KEY
from embedding.similarity import cosine_matrix
from embedding.text import escape_markdown
from embedding.words.vocab import parse_word_list
from ui import cached
from ui.phone import on_phone
from ui.widgets import (
    download_stem,
    downloads,
    explain,
    model_label,
    provider_picker,
    rows_or_stop,
    show_chart,
    to_url,
    unreadable_note,
    url_key,
    warn_unknown,
    word_vectors_picker,
)

MAX_ITEMS = 30
WORDS = "king, queen, man, woman, cat, dog, kitten, puppy, paris, london, apple, banana"
SENTENCES = "\n".join([
    "The cat sits on the mat.",
    "A kitten is resting on a rug.",
    "Dogs love to play fetch in the park.",
    "The stock market fell sharply today.",
    "Shares dropped after the earnings report.",
    "I baked a chocolate cake for her birthday.",
])

st.title("Similarity heat-map")
st.caption("Every pair at once: bright cells are similar pairs. Clusters show up as bright squares.")
kind = st.segmented_control("Compare", ["Words", "Sentences"], key=url_key("heat_kind", "Words"))
kind = kind or "Words"
if kind == "Words":
    text = st.text_area("Words (separated by commas or new lines)", key=url_key("heat_words", WORDS),
                        height=90, max_chars=5_000)
    to_url("heat_kind", "heat_words")
    items = parse_word_list(text, limit=MAX_ITEMS + 1)
else:
    text = st.text_area("Sentences (one per line)", key=url_key("heat_sents", SENTENCES),
                        height=120 if on_phone() else 180, max_chars=20_000)
    to_url("heat_kind", "heat_sents")
    items = list(dict.fromkeys(s.strip()[:300] for s in text.splitlines() if s.strip()))

if len(items) > MAX_ITEMS:
    st.warning(f"Only the first {MAX_ITEMS} items are used (a bigger grid is unreadable).")
    items = items[:MAX_ITEMS]
if len(items) < 2:
    st.info("Give at least two items to compare.", icon=":material/edit:")
    st.stop()

if kind == "Words":
    kv = word_vectors_picker("heat")
    labels, unknown = cached.known_words(kv, tuple(items))  # suggestions once per input
    labels = list(labels)
    for exc in unknown:
        warn_unknown(exc)
    if len(labels) < 2:
        st.info("At least two known words are needed.")
        st.stop()
    matrix = cosine_matrix(kv[labels])
    model_name = st.session_state.get("heat_vectors_name", "GloVe 6B 50d")
else:
    chosen = provider_picker("heat_provider")
    matrix = cosine_matrix(rows_or_stop(items, chosen))  # a remote model: waits calmly, here
    labels, model_name = items, model_label(chosen)
    if chosen == SBERT_KEY:
        unreadable_note(items)

if on_phone():  # a phone's chart is ~330 px wide: text that fits the cells, numbered sentences
    shown = labels
    if kind == "Sentences":
        shown = [str(i) for i in range(1, len(items) + 1)]
    fig = cached.figure("figures.similarity_heatmap", shown, matrix, width=theme.PHONE_WIDTH,
                        title=f"Cosine similarity ({model_name})", hover_names=labels)
    show_chart(fig, key="heat_chart")
    if kind == "Sentences":  # the numbers' key, under the grid like a legend
        st.caption("  \n".join(f"**{i}** {escape_markdown(t[:120])}"
                               for i, t in enumerate(items, 1)))
    if fig.data[0].text is None:
        st.caption("Tap a cell to read its cosine.")
else:
    fig = cached.figure("figures.similarity_heatmap", labels, matrix,
                        title=f"Cosine similarity ({model_name})")
    show_chart(fig, key="heat_chart")


def matrix_table() -> pd.DataFrame:
    """The grid as a table (made only when its download button is clicked)."""
    table = pd.DataFrame(matrix.round(4), columns=labels)
    table.insert(0, "item", labels)
    return table


downloads("similarity_matrix" if kind == "Words" else download_stem("similarity_matrix", chosen),
          df=matrix_table, fig=fig, key="heat_dl")
explain(
    "Each cell is the cosine of the row item and the column item; the diagonal is always 1 (an "
    "item is identical to itself) and the grid is symmetric. Look for **bright blocks**: groups "
    "of items that are all similar to each other, like the animals or the finance sentences."
)
