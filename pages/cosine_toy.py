"""Cosine calculator: toy vectors with every step worked out (the lecture's in-class exercise)."""

import streamlit as st

from embedding.classroom.explain import (
    VectorParseError,
    format_named_vectors,
    parse_named_vectors,
    worked_steps_markdown,
)
from embedding.formatting import num
from embedding.similarity import zero_vectors
from ui import cached
from ui.phone import on_phone
from ui.widgets import downloads, explain, show_chart, to_url, url_choice, url_key, url_tabs

PRESETS = {
    "Lecture exercise: Avatar, Ironman, Rainman": {
        "Avatar": [1, 2, 2], "Ironman": [3, 7, 8], "Rainman": [1, -2, 6]},
    "2-D: arrows you can see": {"a": [4, 1], "b": [3, 2], "c": [-1, 3], "d": [-4, -1]},
    "Length does not matter": {"short": [1, 1, 0], "long": [10, 10, 0], "other": [0, 1, 1]},
    "Opposite directions": {"up": [0, 1], "down": [0, -1], "right": [1, 0]},
}
DEFAULT = "Lecture exercise: Avatar, Ironman, Rainman"


def load_preset() -> None:
    st.session_state["toy_vectors"] = format_named_vectors(PRESETS[st.session_state["toy_preset"]])
    st.session_state.pop("toy_liked", None)


st.title("Cosine calculator")
st.caption("Toy vectors, every step written out. Edit the numbers and watch the answer change.")
st.markdown(
    "**In-class exercise.** Each movie is a vector of 3 features. *You liked **Avatar**: "
    "should we recommend **Ironman** or **Rainman**?* The movie whose vector points in the "
    "most similar direction (highest cosine) wins."
)

top = st.container() if on_phone() else None  # a phone: the recommendation before the inputs
left, right = st.columns([3, 2])
left.selectbox("Preset", list(PRESETS), key=url_choice("toy_preset", DEFAULT, PRESETS),
               on_change=load_preset)
text = left.text_area(
    "Vectors: one per line, `name: numbers` (2 to 10 numbers each, same length for all)",
    key=url_key("toy_vectors", format_named_vectors(PRESETS[DEFAULT])),
    height=110 if on_phone() else 150, max_chars=2_000,  # a phone: the answer on screen 1
)
try:
    vectors = parse_named_vectors(text)
except VectorParseError as exc:
    st.warning(str(exc), icon=":material/edit_note:")
    st.stop()

names = list(vectors)
if st.session_state.get(url_key("toy_liked", names[0])) not in names:
    st.session_state["toy_liked"] = names[0]  # the liked item was renamed or removed
liked = right.selectbox("You liked", names, key="toy_liked")
to_url("toy_preset", "toy_vectors", "toy_liked")

zeros = zero_vectors(vectors)
if zeros:
    st.warning(f"**{', '.join(zeros)}** {'is' if len(zeros) == 1 else 'are'} all zeros: a zero "
               "vector has no direction, so its cosine with anything is undefined. Change at "
               "least one of its numbers.", icon=":material/block:")
    st.stop()
# steps, ranking and table once per input for every session
view = cached.toy_view(tuple((n, tuple(v)) for n, v in vectors.items()), liked)
steps, ranking, table = view.steps, view.ranking, view.table
best = ranking[0]

right.metric(f"Recommend after {liked}", best, f"cosine {num(steps[best].cosine)}",
             delta_color="off")
right.dataframe(view.arrow, hide_index=True, width="stretch",
                column_config={"item": st.column_config.TextColumn(pinned=True)})
runner_up = f" over **{ranking[1]}** ({num(steps[ranking[1]].cosine)})" if len(ranking) > 1 else ""
(top or st).success(f"You liked **{liked}**: recommend **{best}** (cosine "
                    f"{num(steps[best].cosine)}){runner_up}.", icon=":material/thumb_up:")

st.subheader("Worked steps")
# Only the open tab's steps are written out (a class of 50 reruns this page at once).
for tab, n in zip(url_tabs("toy_tab", [f"{liked} vs {n}" for n in ranking]), ranking,
                  strict=True):
    if tab.open:
        tab.markdown(worked_steps_markdown(steps[n], liked, n, narrow=on_phone()))

dims = len(vectors[liked])
if dims in (2, 3):
    st.subheader(f"The vectors as arrows ({dims}-D)")
    fig = cached.figure("figures.vector_arrows", vectors)  # shared, read-only
    show_chart(fig, key="toy_arrows")
    downloads("toy_vectors", df=table, fig=fig, key="toy_dl")
else:
    st.info(f"Arrows are drawn for 2-D and 3-D vectors; these have {dims} dimensions, but the "
            "cosine works the same in any number of dimensions.")
    downloads("toy_vectors", df=table, key="toy_dl")

explain(
    "The cosine only looks at **direction**, not length: doubling a vector does not change its "
    "cosine with anything. 1 means the same direction, 0 a right angle (nothing in common), −1 "
    "opposite.\n\n"
    "**Checking the lecture slide.** The slide has two slips: it writes ‖e1‖ = √17 (but "
    "1² + 2² + 2² = 9, so ‖e1‖ = √9 = 3) and in one line uses e2 = [2, 7, 8] instead of "
    "[3, 7, 8]. This calculator computes everything from the vectors, so it shows "
    "33 / (3·√122) ≈ 0.9959 for Ironman and 9 / (3·√41) ≈ 0.4685 for Rainman. The answer is the "
    "same: recommend Ironman."
)
