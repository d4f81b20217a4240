"""Word similarity: the cosine of two GloVe word vectors, with their rank and their numbers."""

import pandas as pd
import streamlit as st

from embedding.formatting import num
from embedding.similarity import angle_degrees
from embedding.words.vocab import (
    EmptyWordError,
    UnknownWordError,
    resolve,
    vector,
    word_similarity,
)
from ui import cached
from ui.widgets import (
    downloads,
    explain,
    first_screen,
    show_chart,
    to_url,
    url_key,
    vectors_label,
    warn_unknown,
    word_vectors_picker,
)

TRY = [("chocolate", "milk"), ("king", "queen"), ("cat", "dog"), ("hot", "cold"),
       ("paris", "france"), ("banana", "democracy")]


def use_pair(a: str, b: str) -> None:
    st.session_state["wordsim_a"], st.session_state["wordsim_b"] = a, b


st.title("Word similarity")
st.caption(f"How close are two words in {vectors_label('wordsim')}? Each word is a vector of "
           "numbers; the cosine compares their directions.")

kv = word_vectors_picker("wordsim")
pair = st.container(horizontal=True)  # side by side on a phone too (columns stack there)
a = pair.text_input("First word", key=url_key("wordsim_a", "chocolate"), max_chars=60)
b = pair.text_input("Second word", key=url_key("wordsim_b", "milk"), max_chars=60)
to_url("wordsim_a", "wordsim_b")
top = first_screen()  # on a projector or a phone the result comes before the examples
st.caption("Try:")
try_row = st.container(horizontal=True)  # one block for the six buttons, not six columns
for x, y in TRY:
    try_row.button(f"{x} · {y}", key=f"wordsim_try_{x}_{y}", on_click=use_pair, args=(x, y),
                   width="stretch")

if not a.strip() or not b.strip():
    st.info("Type a word in each box, for example *chocolate* and *milk*.", icon=":material/edit:")
    st.stop()

try:
    score = word_similarity(kv, a, b)
    rank = cached.word_rank(kv, a, b)  # a scan over every word: once per pair per server
    va, vb = vector(kv, a), vector(kv, b)
    wa, wb = resolve(kv, a), resolve(kv, b)  # the vocabulary's own spelling of each word
except UnknownWordError as exc:
    warn_unknown(exc)
    st.stop()
except EmptyWordError:
    st.stop()

same = wa == wb
if same:
    (top or st).info(f"Both boxes hold the same word, *{wa}*: a vector always points exactly "
                     "the same way as itself, so the cosine is 1 and the angle 0°. Change one "
                     "word to compare two.", icon=":material/info:")
numbers = (top or st).container(horizontal=True)  # one block for three numbers, not columns
numbers.metric("Cosine similarity", num(score))
numbers.metric("Angle", f"{angle_degrees(score):.1f}°")
if same:
    numbers.metric("Rank among its neighbours", "itself",
                   help="A word is not its own neighbour: its neighbours are the other words.")
else:
    numbers.metric(f"Rank of '{wb}' among '{wa}''s neighbours", f"#{rank:,}",
                   f"of {len(kv) - 1:,} words", delta_color="off")
rows = {wa: va} if same else {wa: va, wb: vb}
fig = cached.figure("figures.vector_strips", rows, title="The two vectors, dimension by "
                    "dimension (similar words share colour patterns)")
show_chart(fig, top, key="wordsim_strips")
downloads(f"vectors_{wa}_{wb}", fig=fig, key="wordsim_dl",  # the table is made on click only
          df=lambda: pd.DataFrame({"dimension": range(len(va)), **rows}))
explain(
    "GloVe learned these 50 numbers per word from how often words appear near each other in "
    "6 billion words of Wikipedia and news. Words used in similar contexts get vectors pointing "
    "in similar directions, so their **cosine** is high. No single dimension means anything on "
    "its own; only the direction of the whole vector does.\n\n"
    "**How to read the score:** above about 0.7 the words are close relatives (*chocolate* and "
    "*milk* ≈ 0.755); around 0.3 they share little; near 0 or below they are unrelated. "
    "Opposites like *hot* and *cold* are often **similar**, because they appear in the same "
    "contexts: similarity is about usage, not about meaning being the same."
)
