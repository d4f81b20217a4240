"""Neighbours & analogies: the closest words to a word, and b − a + c over 400,000 GloVe words."""

from contextlib import nullcontext

import pandas as pd
import streamlit as st

from embedding.charts import figures
from embedding.formatting import num
from embedding.words.presets import ANALOGY_PRESETS
from embedding.words.vocab import (
    ANALOGY_METHODS,
    EmptyWordError,
    UnknownWordError,
    rank_of,
    resolve,
)
from ui import cached
from ui.phone import on_phone
from ui.widgets import (
    downloads,
    explain,
    first_screen,
    show_chart,
    to_url,
    url_choice,
    url_int,
    url_key,
    url_tabs,
    vectors_label,
    warn_unknown,
    word_vectors_picker,
)

TRY_WORDS = ("frog", "python", "apple", "hot", "monday", "paris")
ROLE = {"a": "a (subtracted)", "b": "b (added)", "c": "c (added)"}
PRESETS = {p.label: p for p in ANALOGY_PRESETS}
CUSTOM = "(your own)"


def use_word(word: str) -> None:
    st.session_state["nb_word"] = word


def use_preset() -> None:
    p = PRESETS.get(st.session_state.get("nb_preset", ""))
    if p is not None:
        st.session_state.update(nb_a=p.a, nb_b=p.b, nb_c=p.c)


def mark_custom() -> None:
    st.session_state["nb_preset"] = CUSTOM


@st.fragment  # a new word or count reruns only this tab
def nearest_tab(kv) -> None:
    """The words closest to one word, over the whole vocabulary."""
    if on_phone():  # word and count in one row: a number box is one line, a slider three
        left = right = st.container(horizontal=True)
    else:
        left, right = st.columns([2, 1])
    word = left.text_input("Word", key=url_key("nb_word", "frog"), max_chars=60)
    if on_phone():
        k = right.number_input("How many", 1, 50, key=url_int("nb_k", 10, 1, 50), width=120)
    else:
        k = right.slider("How many neighbours", 1, 50, key=url_int("nb_k", 10, 1, 50))
    to_url("nb_word", "nb_k")
    top = first_screen()  # a phone or a projector: the neighbours before the examples
    st.caption("Try:")
    try_row = st.container(horizontal=True)  # one row that wraps, not six stacked columns
    for w in TRY_WORDS:
        try_row.button(w, key=f"nb_try_{w}", on_click=use_word, args=(w,), width="stretch")
    with top or st.container():
        nearest_result(kv, word, k)


def nearest_result(kv, word: str, k: int) -> None:
    """The closest words to ``word`` as bars and a table (on a phone the table is folded)."""
    if not word.strip():
        st.info("Type a word, for example *frog*.", icon=":material/edit:")
    else:
        try:
            hits = cached.neighbours(kv, word, k)
        except UnknownWordError as exc:
            warn_unknown(exc)
        except EmptyWordError:
            st.info("Type a word, for example *frog*.", icon=":material/edit:")
        else:
            key = resolve(kv, word)  # as the vocabulary spells it (case-sensitive files)
            st.subheader(f"The {len(hits)} words closest to “{key}”")
            table = pd.DataFrame({"rank": range(1, len(hits) + 1),
                                  "word": [w for w, _ in hits],
                                  "cosine": [round(s, 4) for _, s in hits]})
            fig = cached.figure("figures.score_bars", [w for w, _ in hits],
                                [s for _, s in hits], title=f"Cosine similarity with “{key}”")
            if on_phone():  # the bars (values on them) first, the same numbers folded
                c2, c1 = st.container(), st.expander("The same as a table")
            else:
                c1, c2 = st.columns([1, 2])
            c1.dataframe(table, hide_index=True, width="stretch", key="nb_table")
            show_chart(fig, c2, key="nb_chart")
            downloads(f"neighbours_{key}", df=table, fig=fig, key="nb_dl")
            explain(
                f"We compare “{key}” with **every one of the {len(kv):,} words** and keep the "
                "highest cosines. The word itself is left out (its cosine with itself is always "
                "1).\n\n"
                "Neighbours are words **used in similar contexts**, which is not the same as "
                "synonyms: *frog* comes with other animals (snake, ape, toad); *python* mixes "
                "the snake (reticulated), Monty Python and programming (php, perl), because a "
                "word has one vector for all its senses; *apple* is mostly the company (iphone, "
                "microsoft) in 2014 news; and opposites show up (*hot* → cool, cold) because "
                "they appear in the same sentences. Some neighbours are quirks of the training "
                "text: *paris* → *prohertrib*, a news-wire tag that sat next to the city's name."
            )


@st.fragment  # new words, a preset or the method rerun only this tab
def analogies_tab(kv) -> None:
    """b − a + c, and where the excluded inputs would have ranked."""
    options = [*PRESETS, CUSTOM]
    st.selectbox("Preset", options,
                 key=url_choice("nb_preset", ANALOGY_PRESETS[0].label, options),
                 on_change=use_preset)
    # a link naming only a preset still fills in that preset's words
    first = PRESETS.get(st.session_state["nb_preset"], ANALOGY_PRESETS[0])
    words = st.container(horizontal=True)  # three short boxes fit a phone's width in a row
    width = 96 if on_phone() else "stretch"
    a = words.text_input("a", key=url_key("nb_a", first.a), max_chars=60, on_change=mark_custom,
                         width=width)
    b = words.text_input("is to b", key=url_key("nb_b", first.b), max_chars=60,
                         on_change=mark_custom, width=width)
    c = words.text_input("as c is to ?", key=url_key("nb_c", first.c), max_chars=60,
                         on_change=mark_custom, width=width)
    # a phone: the answer and its bars, then the method and the count folded below them
    phone = on_phone()
    top = first_screen()  # a phone or a projector: the answer first
    settings = st.expander("Method and number of answers") if phone else st.container()
    m_col, k_col = settings.columns([2, 1])
    method = m_col.radio("Method", list(ANALOGY_METHODS), format_func=ANALOGY_METHODS.get,
                         horizontal=True,
                         key=url_choice("nb_method", "3cosadd", list(ANALOGY_METHODS)))
    ak = k_col.slider("How many answers", 1, 25, key=url_int("nb_ak", 10, 1, 25))
    to_url("nb_preset", "nb_a", "nb_b", "nb_c", "nb_method", "nb_ak")

    if not (a.strip() and b.strip() and c.strip()):
        st.info("Fill in all three words: *man* is to *king* as *woman* is to ?",
                icon=":material/edit:")
    else:
        try:
            hits, ranks = cached.analogy(kv, a, b, c, ak, method)
        except UnknownWordError as exc:
            warn_unknown(exc)
        except EmptyWordError:
            st.info("Fill in all three words.", icon=":material/edit:")
        else:
            ka, kb, kc = (r.word for r in ranks)
            box = top or st.container()
            box.subheader(f"{kb} − {ka} + {kc} = **{hits[0][0]}**")
            # a phone or a projector: the bars right under the heading, the notes after them
            bars_box = box.container() if top is not None else None
            notes = box.container()
            notes.caption(f"“{ka}” is to “{kb}” as “{kc}” is to “{hits[0][0]}” "
                          f"(score {num(hits[0][1])}, {ANALOGY_METHODS[method]}).")
            preset = PRESETS.get(st.session_state.get("nb_preset", ""))
            if preset is not None and (preset.a, preset.b, preset.c) == (ka, kb, kc):
                where = rank_of(kv, preset.expected, hits)
                found = (f"“{preset.expected}” is answer #{where}." if where else
                         f"“{preset.expected}” is not in the top {len(hits)}.")
                notes.caption(f"Expected: “{preset.expected}”. {found} {preset.note}")

            table = pd.DataFrame({"rank": range(1, len(hits) + 1),
                                  "word": [w for w, _ in hits],
                                  "score": [round(s, 4) for _, s in hits]})
            bars = ([w for w, _ in hits], [s for _, s in hits])
            # a phone or a projector: the heading right above says it
            title = "" if top is not None else f"{kb} − {ka} + {kc}"
            if method == "3cosmul":
                fig = figures.score_bars(*bars, highlight=0, title=title)
                fig.update_xaxes(title="3CosMul score", range=None)
            else:
                fig = cached.figure("figures.score_bars", *bars, highlight=0, title=title)
            if phone:
                c2, c1 = bars_box, box.expander("The same as a table")
            else:
                c1, c2 = (bars_box or st).columns([1, 2])
            c1.dataframe(table, hide_index=True, width="stretch", key="nb_an_table")
            show_chart(fig, c2, key="nb_an_chart")
            with top or nullcontext():
                downloads(f"analogy_{kb}-{ka}+{kc}", df=table, fig=fig, key="nb_an_dl")

            st.markdown("##### The fine print: the three input words are excluded")
            beaten = [r for r in ranks if r.rank == 1]
            if beaten:
                st.warning(
                    f"Without that rule the top answer would be “{beaten[0].word}”, one of the "
                    f"words you typed, not “{hits[0][0]}”. Every analogy demo leaves the inputs "
                    "out; here is where they would have ranked among all "
                    f"{len(kv):,} words.", icon=":material/visibility:")
            else:
                st.info("The three words you typed are never offered as answers. Here is where "
                        f"they would have ranked among all {len(kv):,} words.",
                        icon=":material/visibility:")
            rank_table = pd.DataFrame({
                "input word": [r.word for r in ranks],
                "role": [ROLE[r.role] for r in ranks],
                "rank if not excluded": [r.rank for r in ranks],
                "score": [round(r.score, 4) for r in ranks],
            })
            st.dataframe(rank_table, hide_index=True, key="nb_rank_table",  # a phone: fits
                         column_order=("input word", "rank if not excluded", "score")
                         if on_phone() else None)
            downloads("analogy_input_ranks", df=rank_table, key="nb_rank_dl")
            explain(
                "**3CosAdd** (the classic): turn the three words into unit-length vectors, "
                "compute **b − a + c**, and look for the word whose vector has the highest "
                "cosine with it, over the whole vocabulary. Equivalently, the answer *x* "
                "maximises cos(x, b) − cos(x, a) + cos(x, c) (up to scale).\n\n"
                "**3CosMul** (Levy & Goldberg, 2014) multiplies instead of adds: "
                "cos(x, b) · cos(x, c) / (cos(x, a) + ε), with cosines shifted to 0…1. One big "
                "similarity can no longer outweigh the others. It helps on some models; on these 50-d "
                "vectors it does worse (on 50 seeded questions from Google's analogy test set, "
                "3CosAdd gets 22 right, 3CosMul 16), so try both.\n\n"
                "**Why show the ranks above?** The result b − a + c is usually closest to b or "
                "c itself, so every published analogy demo *removes the inputs* from the "
                "answers. Without that rule, *king − man + woman* gives *king*. Analogies are "
                "real structure in the space, but less magic than they look (Nissim, van "
                "Noord & van der Goot, 2020)."
            )


st.title("Neighbours & analogies")
st.caption(f"Every search below runs over all words of {vectors_label('nb')}, by cosine "
           "similarity.")
if on_phone():  # a phone: the tabs (and their answers) first, the choice of vectors below them
    tab_nb, tab_an = url_tabs("nb_tab", [":material/hub: Nearest neighbours",
                                         ":material/functions: Analogies"])
    kv = word_vectors_picker("nb")  # drawn after the tabs, read before their contents
else:
    kv = word_vectors_picker("nb")
    tab_nb, tab_an = url_tabs("nb_tab", [":material/hub: Nearest neighbours",
                                         ":material/functions: Analogies"])
# Only the open tab is drawn (a click on the other reruns the page); the hidden tab's inputs
# come back from the link (url_key & co.) when it is shown again.
with tab_nb:
    if tab_nb.open:
        nearest_tab(kv)
with tab_an:
    if tab_an.open:
        analogies_tab(kv)
