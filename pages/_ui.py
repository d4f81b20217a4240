"""Small streamlit helpers shared by the pages: models with friendly errors, input checks, URL state.

Not a page (the leading underscore keeps it out of the router and the page tests).

    from pages._ui import glove_or_stop, url_key
    kv = glove_or_stop()
    word = st.text_input("Word", key=url_key("wordsim_a", "king"))
"""

from __future__ import annotations

import streamlit as st

from embedding import resources
from embedding.glove import ModelLoadError
from embedding.words import UnknownWordError

#: Longest text a box accepts before we cut it (SBERT reads at most 256 word pieces anyway).
MAX_TEXT_CHARS = 2_000


def _model_or_stop(loader, what: str):
    try:
        return loader()
    except ModelLoadError as exc:
        st.error(f"The {what} could not be loaded. {exc}")
        st.stop()


def glove_or_stop():
    """The shared GloVe vectors, or a clear error on the page (never a traceback)."""
    return _model_or_stop(resources.glove, "word vectors (GloVe)")


def sbert_or_stop():
    """The shared sentence model, or a clear error on the page (never a traceback)."""
    return _model_or_stop(resources.sbert, "sentence model (SBERT)")


def warn_unknown(exc: UnknownWordError, vocabulary: str = "GloVe's 400,000-word vocabulary") -> None:
    """Turn an unknown word into a friendly warning with suggestions."""
    msg = f"**{exc.word}** is not in {vocabulary}."
    if exc.suggestions:
        msg += " Did you mean: " + ", ".join(f"`{s}`" for s in exc.suggestions) + "?"
    else:
        msg += " Try a common English word (one word, no spaces)."
    st.warning(msg, icon=":material/spellcheck:")


def clean_text(text: str, label: str = "text", max_chars: int = MAX_TEXT_CHARS) -> str | None:
    """``text`` stripped and capped; ``None`` (after a friendly note) when there is nothing to use."""
    text = (text or "").strip()
    if not text:
        st.info(f"Type some {label} to get started.", icon=":material/edit:")
        return None
    if len(text) > max_chars:
        st.warning(
            f"That {label} is {len(text):,} characters long; only the first {max_chars:,} are used."
        )
        text = text[:max_chars]
    return text


def url_key(key: str, default: str) -> str:
    """Seed widget ``key`` from the URL query parameter of the same name, once per session.

    Returns ``key``, to pass as the widget's ``key=``. Call :func:`to_url` after the widgets
    so the address bar always reproduces what is on screen.
    """
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(key, default)
    return key


def to_url(*keys: str) -> None:
    """Write the current values of widget ``keys`` into the URL (shareable links)."""
    for key in keys:
        value = st.session_state.get(key)
        if value is not None and st.query_params.get(key) != str(value):
            st.query_params[key] = str(value)


PRESENT_KEY = "present"  # session + URL key of presentation mode


def presenting() -> bool:
    """True when presentation mode (big fonts, no side explanations) is on."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def explain(markdown: str, title: str = "Why?") -> None:
    """Explanatory text next to a result; hidden in presentation mode. Never pass user text."""
    if not presenting():
        with st.expander(title, icon=":material/lightbulb:", expanded=True):
            st.markdown(markdown)


def downloads(name: str, *, df=None, fig=None, key: str) -> None:
    """CSV download for a table and HTML download for a chart, built only when clicked.

    ``name`` is the file stem; ``key`` a page-prefixed widget key. Use under every table/chart.
    """
    cols = st.columns(4)
    if df is not None:
        cols[0].download_button(
            "Table as CSV", data=lambda: df.to_csv(index=False).encode("utf-8"),
            file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv",
            icon=":material/download:", on_click="ignore",
        )
    if fig is not None:
        cols[1].download_button(
            "Chart as HTML", data=lambda: fig.to_html(include_plotlyjs=True, full_html=True),
            file_name=f"{name}.html", mime="text/html", key=f"{key}_html",
            icon=":material/download:", on_click="ignore",
        )


def url_choice(key: str, default: str, options) -> str:
    """Like :func:`url_key` for a selectbox/radio: a URL value not among ``options`` → default."""
    if key not in st.session_state:
        value = st.query_params.get(key, default)
        st.session_state[key] = value if value in options else default
    return key


def url_int(key: str, default: int, lo: int, hi: int) -> str:
    """Like :func:`url_key` for a slider/number box: the URL value as an int, clamped to lo..hi."""
    if key not in st.session_state:
        try:
            value = int(st.query_params.get(key, default))
        except ValueError:
            value = default
        st.session_state[key] = min(hi, max(lo, value))
    return key
