"""Home: what the app teaches, a card per page, how to use it in class. Loads no model."""

from pathlib import Path

import streamlit as st

from ui.catalog import available, balanced_columns, by_section

ROOT = Path(__file__).resolve().parents[1]

st.title("Embedding Explorer")
st.markdown(
    "An **embedding** turns a thing (a word, a sentence, a movie, a product) into a list of "
    "numbers, a *vector*, so that things with similar meaning get vectors that point in similar "
    "directions. Everything in this app is measured with one number: the **cosine similarity** "
    "of two vectors, from −1 (opposite) through 0 (unrelated) to 1 (same direction)."
)
st.latex(r"\cos(\mathbf{u},\mathbf{v}) = \frac{\mathbf{u}\cdot\mathbf{v}}{\lVert\mathbf{u}\rVert\,\lVert\mathbf{v}\rVert}")

with st.expander("How to use it in class", icon=":material/school:", expanded=False):
    st.markdown(
        "1. **Start with the toy vectors** on *Cosine calculator*: the Avatar / Ironman / Rainman "
        "exercise with every step worked out.\n"
        "2. **Move to real words** (*Word similarity*, *Neighbours & analogies*): GloVe has "
        "400,000 words in 50 dimensions.\n"
        "3. **Then sentences**: averaged word vectors cannot see word order, a sentence "
        "transformer (SBERT) can (*Word order*).\n"
        "4. **See the space** on a map, **search** with it, **recommend** with it.\n\n"
        "Every page keeps its inputs in the address bar: copy the link to share exactly what "
        "is on the projector. The models load once per server, so a whole class can open the "
        "app at the same time."
    )

# One card per section, in three columns read top to bottom: a link and a line for each page.
# (A card per page took three elements each; this page goes to the whole class at once.)
sections = {s: [p for p in pages if p.path != "pages/home.py"]
            for s, pages in by_section(available(ROOT)).items()}
sections = {s: cards for s, cards in sections.items() if cards}
for col, names in zip(st.columns(3), balanced_columns({s: len(c) + 1 for s, c in sections.items()}, 3),
                      strict=True):
    for name in names:
        card = col.container(border=True)
        card.subheader(name)
        for page in sections[name]:
            card.page_link(page.path, label=page.title, icon=page.icon)
            card.caption(page.blurb)

st.divider()
st.caption(
    "Models: GloVe 6B 50d (Pennington, Socher & Manning, 2014) and all-MiniLM-L6-v2 "
    "(sentence-transformers). Both run offline on this server."
)
