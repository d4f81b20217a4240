"""Semantic axes: project words onto a direction such as poor → rich, and see what GloVe learned."""

import streamlit as st

from embedding.formatting import num
from embedding.words.axes import BASELINE_POOL
from embedding.words.presets import AXIS_PRESETS
from embedding.words.vocab import EmptyWordError, UnknownWordError, parse_word_list
from ui import cached
from ui.phone import on_phone
from ui.widgets import (
    downloads,
    explain,
    first_screen,
    show_chart,
    to_url,
    url_choice,
    url_key,
    vectors_label,
    warn_unknown,
    word_vectors_picker,
)

MAX_WORDS = 60
PRESETS = {p.label: p for p in AXIS_PRESETS}
CUSTOM = "(your own poles)"
OPTIONS = [*PRESETS, CUSTOM]
MODES = ["One axis", "Two axes"]
FIRST, SECOND = AXIS_PRESETS[0], AXIS_PRESETS[1]
GENERIC_NOTE = (
    "Whatever falls far toward one pole was *written about* together with that pole's words in "
    "the 2014 news and Wikipedia text GloVe learned from. When the axis is a social category "
    "(gender, class, age, origin) and the words are people, jobs or places, that is a "
    "stereotype in the text, and any system built on these vectors inherits it."
)


def use_preset(suffix: str) -> None:
    p = PRESETS.get(st.session_state.get(f"ax_preset{suffix}", ""))
    if p is None:
        return
    st.session_state[f"ax_neg{suffix}"], st.session_state[f"ax_pos{suffix}"] = p.negative, p.positive
    if not suffix:
        st.session_state["ax_words"] = p.words


def mark_custom(suffix: str) -> None:
    st.session_state[f"ax_preset{suffix}"] = CUSTOM


def axis_inputs(suffix: str, default) -> tuple[str, str]:
    """Preset box and the two pole boxes of one axis; returns the pole texts."""
    st.selectbox("Axis preset", OPTIONS, key=url_choice(f"ax_preset{suffix}", default.label,
                                                           OPTIONS),
                 on_change=use_preset, args=(suffix,))
    # a link naming only a preset still fills in that preset's poles
    default = PRESETS.get(st.session_state[f"ax_preset{suffix}"], default)
    # a phone stacks columns: the two short boxes share one row there
    left = right = st.container(horizontal=True) if on_phone() else None
    if left is None:
        left, right = st.columns(2)
    neg = left.text_input("From pole", key=url_key(f"ax_neg{suffix}", default.negative),
                          max_chars=200, on_change=mark_custom, args=(suffix,),
                          help="One word, or several separated by commas (averaged).")
    pos = right.text_input("To pole", key=url_key(f"ax_pos{suffix}", default.positive),
                           max_chars=200, on_change=mark_custom, args=(suffix,),
                           help="One word, or several separated by commas (averaged).")
    return neg, pos


def build_axis(kv, neg: str, pos: str):
    """``(axis, baseline, extremes)`` (shared by every session), or None after a friendly
    message."""
    try:
        return cached.axis_view(kv, neg, pos)
    except UnknownWordError as exc:
        warn_unknown(exc)
    except EmptyWordError as exc:
        st.info(str(exc), icon=":material/edit:")
    except ValueError as exc:
        st.warning(str(exc))
    return None


def preset_note(suffix: str, axis) -> str | None:
    """The preset's note when the poles on screen are still the preset's."""
    p = PRESETS.get(st.session_state.get(f"ax_preset{suffix}", ""))
    if p is not None and axis.negative == (p.negative,) and axis.positive == (p.positive,):
        return p.note
    return None


st.title("Semantic axes")
st.caption(f"Pick two poles; every word gets a position between them ({vectors_label('ax')}).")
kv = word_vectors_picker("ax")
mode = st.radio("Show", MODES, horizontal=True, key=url_choice("ax_mode", MODES[0], MODES))
two = mode == MODES[1]
top = first_screen()  # a phone or a projector: the chart before the poles and words
if two:
    col1, col2 = st.columns(2)
    with col1:
        st.markdown("**Horizontal axis**")
        neg1, pos1 = axis_inputs("", FIRST)
    with col2:
        st.markdown("**Vertical axis**")
        neg2, pos2 = axis_inputs("2", SECOND)
else:
    neg1, pos1 = axis_inputs("", FIRST)
text = st.text_area("Words to place (separated by commas or new lines)",
                    key=url_key("ax_words", PRESETS.get(st.session_state["ax_preset"],
                                                        FIRST).words),
                    height=90, max_chars=5_000)
to_url("ax_mode", "ax_preset", "ax_neg", "ax_pos", "ax_words",
       *(("ax_preset2", "ax_neg2", "ax_pos2") if two else ()))

items = parse_word_list(text, limit=MAX_WORDS + 1)
if len(items) > MAX_WORDS:
    st.warning(f"Only the first {MAX_WORDS} words are placed (more would be unreadable).")
    items = items[:MAX_WORDS]
if not items:
    st.info("Type some words to place on the axis, for example a few jobs or animals.",
            icon=":material/edit:")
    st.stop()

view = build_axis(kv, neg1, pos1)
view2 = build_axis(kv, neg2, pos2) if two else None
if view is None or (two and view2 is None):
    st.stop()
axis, axis2 = view[0], view2[0] if view2 else None
# chart and table once per input for every session (a class types the same words)
placed = cached.axis_placement(kv, tuple(items), (neg1, pos1), (neg2, pos2) if two else None)
unknown = placed.unknown
for exc in unknown[:3]:
    warn_unknown(exc)
if len(unknown) > 3:
    st.warning(f"{len(unknown) - 3} more words are not in the vocabulary and were left out: "
               + ", ".join(f"`{e.word[:30]}`" for e in unknown[3:12]))
if not placed.keys:
    st.info("None of these words is in the vocabulary. Try common English words.")
    st.stop()

if not two:
    base = view[1]
    show_chart(placed.figure, top, key="ax_chart")
    st.dataframe(placed.arrow, hide_index=True, key="ax_table")
    downloads("semantic_axis", df=placed.table, fig=placed.figure, key="ax_dl")
    st.caption(f"For scale: over the {base.pool:,} most frequent words, scores on this axis "
               f"average {num(base.mean, 3)} with a standard deviation of {num(base.std, 3)} "
               "(the grey band). A word outside the band leans clearly; inside it, "
               "it leans toward neither end more than a typical word does.")
else:
    show_chart(placed.figure, top, key="ax_scatter")
    st.dataframe(placed.arrow, hide_index=True, key="ax_table2")
    downloads("semantic_axes", df=placed.table, fig=placed.figure, key="ax_dl2")

st.markdown("##### What does this reveal?")
for suffix, ax in (("", axis), ("2", axis2)):
    if ax is not None:
        note = preset_note(suffix, ax)
        st.info(f"**{ax.name}.** {note or GENERIC_NOTE}", icon=":material/balance:")

with st.expander("What does this axis really capture? The most extreme frequent words"):
    for v in (view, view2):
        if v is None:
            continue
        ax, (low, high) = v[0], v[2]
        st.markdown(f"**{ax.name}**  \nMost toward *{ax.low}*: "
                    + ", ".join(w for w, _ in low)
                    + f"  \nMost toward *{ax.high}*: " + ", ".join(w for w, _ in high))
    st.caption(f"Among the {min(BASELINE_POOL, len(kv)):,} most frequent words (the first of the "
               "file; letters only, pole words left out). If these do not "
               "look like the idea you meant, the axis measures something else: pick other "
               "pole words or add a few per pole.")

explain(
    "**How a word gets its score.** Every vector is first scaled to length 1. The axis is the "
    "direction from one pole to the other (several pole words are averaged). A word's score is "
    "\n\n*score = cos(word, to-pole) − cos(word, from-pole)*\n\n"
    "so a positive score means the word sits closer to the *to* pole, a negative one closer "
    "to the *from* pole, and 0 means equally close (or equally far). The numbers are small "
    "because 50 dimensions hold many other things besides this one direction.\n\n"
    "**Careful with single words as poles:** a pole word brings all its senses along (*hot* "
    "also means spicy and popular, *rich* also describes food). A few words per pole, like "
    "`man, he, him` → `woman, she, her`, make a steadier axis (Bolukbasi et al. 2016 used ten "
    "pairs)."
)
