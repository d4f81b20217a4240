"""Word order: "chocolate milk" vs "milk chocolate". Averaged GloVe cannot see order; SBERT can."""

import pandas as pd
import streamlit as st

from embedding.sentences.compare import NoKnownWordsError
from ui import cached
from ui.phone import on_phone
from ui.providers import live_part, provider_cosines, provider_futures, waiting_captions
from ui.widgets import (
    clean_text,
    configured_providers,
    downloads,
    egress_note,
    explain,
    glove_or_stop,
    sbert_or_stop,
    show_chart,
    to_url,
    url_int,
    url_key,
)

PRESETS = [
    ("chocolate milk", "milk chocolate"),
    ("dog bites man", "man bites dog"),
    ("the cat chased the mouse", "the mouse chased the cat"),
    ("she gave him a book", "he gave her a book"),
    ("the movie was good", "the movie was not good"),
    ("I love you", "I do not love you"),
    ("a house boat", "a boat house"),
]


CUSTOM = -1  # the preset box's entry for a pair that is none of the presets


def use_preset() -> None:
    if st.session_state["order_preset"] != CUSTOM:
        a, b = PRESETS[st.session_state["order_preset"]]
        st.session_state["order_a"], st.session_state["order_b"] = a, b


def seed_from_link() -> None:
    """Once per session: the phrases from the link; a link naming only a preset gets its
    phrases. The preset box always names the pair on screen (or says it is your own), so a
    shared link of typed phrases never shows the default pair's name."""
    if "order_a" not in st.session_state and "order_a" not in st.query_params:
        asked = st.session_state[url_int("order_preset", 0, CUSTOM, len(PRESETS) - 1)]
        if asked != CUSTOM:
            st.session_state["order_a"], st.session_state["order_b"] = PRESETS[asked]
    pair = (st.session_state[url_key("order_a", PRESETS[0][0])],
            st.session_state[url_key("order_b", PRESETS[0][1])])
    st.session_state[url_int("order_preset", 0, CUSTOM, len(PRESETS) - 1)] = next(
        (i for i, p in enumerate(PRESETS) if p == pair), CUSTOM)


st.title('"chocolate milk" vs "milk chocolate"')
st.caption("Does the order of words change the meaning a model sees?")
seed_from_link()
st.selectbox("Preset pairs", [*range(len(PRESETS)), CUSTOM], on_change=use_preset,
             key="order_preset", format_func=lambda i: "(your own pair)" if i == CUSTOM
             else f"{PRESETS[i][0]}  /  {PRESETS[i][1]}")
pair = st.container(horizontal=True)  # side by side on a phone too (columns stack there)
a = pair.text_input("First phrase", key="order_a", max_chars=500)
b = pair.text_input("Second phrase", key="order_b", max_chars=500)
to_url("order_preset", "order_a", "order_b")
a, b = clean_text(a, "phrase"), clean_text(b, "phrase")
if a is None or b is None:
    st.stop()

glove_or_stop()  # friendly errors if a model cannot load
sbert_or_stop()
try:
    with st.spinner("Comparing…"):
        r = cached.compare_phrases(((a, b),))[0]
        presets = cached.pairs_view(tuple(PRESETS))  # the same table for everyone: built once
except NoKnownWordsError as exc:
    st.warning(str(exc), icon=":material/translate:")
    st.stop()

scores = st.container(horizontal=True)  # one block for both numbers, not two columns
scores.metric("GloVe average: cosine", f"{r.glove_cosine:.3f}")
scores.metric("SBERT: cosine", f"{r.sbert_cosine:.3f}")
dropped = ", ".join(f"*{w}*" for w in r.dropped[:8])
left_out = (f" GloVe does not know {dropped}, so it was **left out** of the average"
            f"{'s' if len(r.dropped) > 1 else ''}; SBERT read it." if r.dropped else "")
if r.same_order:
    st.info(
        "The two phrases are the same words in the same order (capitals and punctuation aside): "
        f"there is no order to notice, so both models see (almost) the same thing. Swap two "
        f"words in one phrase, or pick a preset.{left_out}", icon=":material/info:")
elif r.same_words:
    noticed = ("it noticed the order changed" if r.sbert_cosine < 0.9995 else
               "it barely tells them apart either")
    what = "the same known words" if r.dropped else "the same words"
    st.success(
        f"Both phrases use {what}, so their GloVe averages are **identical** (cosine "
        f"{r.glove_cosine:.3f}): averaging cannot see order. SBERT gives "
        f"{r.sbert_cosine:.3f}: {noticed}.{left_out}", icon=":material/visibility:")
else:
    st.info("These phrases do not use exactly the same words, so even the average differs."
            + left_out)

st.subheader("The two GloVe averages, side by side")
strips = cached.figure("figures.vector_strips", {a: r.glove_a.vector, b: r.glove_b.vector},
                                title="50 dimensions of each averaged vector")
show_chart(strips, key="order_strips")
downloads("glove_averages", fig=strips, key="order_strips_dl",  # table made on click only
          df=lambda: pd.DataFrame({"dimension": range(len(r.glove_a.vector)),
                                   a: r.glove_a.vector, b: r.glove_b.vector}))
st.caption(f"Tokens averaged: {' + '.join(r.glove_a.known)}  |  {' + '.join(r.glove_b.known)}")

st.subheader("More pairs: GloVe average vs SBERT")
PRESET_TEXTS = [t for p in PRESETS for t in p]
fig = presets.figure
if on_phone():  # the bars first, lying across (labels beside them, legend above); the table
    # folds away with its numbers in the first columns
    fig = cached.figure("figures.model_comparison", tuple(presets.table["pair"]),
                        tuple(presets.table["GloVe average"]), tuple(presets.table["SBERT"]),
                        horizontal=True)
    show_chart(fig, key="order_chart")


def more_pairs() -> None:
    """The built-in table at once; a column per configured provider once its answer is here
    (a fragment that looks again while one is on its way)."""
    table = presets.table  # shared by every session: read it, never change it
    extra, pending = provider_cosines(PRESET_TEXTS)  # every configured model, as far as known
    ready = {name: cosines for name, cosines in extra.items() if cosines is not None}
    if ready:
        table = table.copy()
        for col, (name, cosines) in enumerate(ready.items()):
            table.insert(3 + col, name, [round(c, 4) for c in cosines])
    phone = on_phone()
    box = st.expander("The same as a table") if phone else st.container()
    box.dataframe(table if ready else presets.arrow, hide_index=True, width="stretch",
                  column_order=[c for c in table.columns if c != "pair"] + ["pair"]
                  if phone else None)
    waiting_captions(pending, what="its column appears in the table when it answers")
    downloads("word_order", df=table, fig=fig, key="order_dl")


live_part(more_pairs, lambda: provider_futures(PRESET_TEXTS))
egress_note(configured_providers())
if not on_phone():
    show_chart(fig, key="order_chart")
explain(
    "**Why?** An average is a sum divided by a count, and a sum does not care about order: "
    "chocolate + milk = milk + chocolate. So every sentence made of the same words gets the same "
    "averaged vector, whatever it means.\n\n"
    "A **transformer** like SBERT adds a *position* signal to every token and lets each word "
    "look at the others (self-attention), so 'chocolate' before 'milk' (a kind of milk) and "
    "after it (a kind of chocolate) give different vectors. The difference for *chocolate milk* "
    "is small (about 0.98) because the two phrases really are close in meaning; *dog bites man* "
    "and negations show bigger effects."
)
