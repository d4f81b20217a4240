"""Small streamlit helpers shared by the pages: models with friendly errors, input checks, URL state.

Not a page (the leading underscore keeps it out of the router and the page tests).

    from ui.widgets import glove_or_stop, url_key
    kv = glove_or_stop()
    word = st.text_input("Word", key=url_key("wordsim_a", "king"))
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Sequence

import streamlit as st
from plotly.basedatatypes import BaseFigure

from embedding.charts import theme
from embedding.models.glove import ModelLoadError, describe_glove
from embedding.models.sbert import describe_sbert
from embedding.text import escape_markdown
from embedding.words.vocab import UnknownWordError
from ui import cached, resources
from ui.catalog import available, by_section
from ui.phone import on_phone

# The provider widgets live in ui/providers.py; pages import them from here as well.
from ui.providers import (  # noqa: F401, E402 (re-exported)
    configured_providers,
    download_stem,
    egress_note,
    model_label,
    model_name,
    provider_cosines,
    provider_name,
    provider_picker,
    rows_or_stop,
)

#: Longest text a box accepts before we cut it (SBERT reads at most 256 word pieces anyway).
MAX_TEXT_CHARS = 2_000


def _model_or_stop(loader, what: str):
    try:
        return loader()
    except ModelLoadError as exc:
        st.error(f"The {what} could not be loaded. {exc}")
        st.stop()


GLOVE_VOCABULARY = "GloVe's 400,000-word vocabulary"


def glove_or_stop():
    """The shared GloVe vectors, or a clear error on the page (never a traceback)."""
    st.session_state["vocab_name"] = GLOVE_VOCABULARY
    return _model_or_stop(resources.glove, "word vectors (GloVe)")


def sbert_or_stop():
    """The shared sentence model, or a clear error on the page (never a traceback)."""
    return _model_or_stop(resources.sbert, "sentence model (SBERT)")


def warn_unknown(exc: UnknownWordError, vocabulary: str | None = None) -> None:
    """Turn an unknown word into a friendly warning with suggestions."""
    vocabulary = vocabulary or st.session_state.get("vocab_name", GLOVE_VOCABULARY)
    msg = f"**{escape_markdown(exc.word[:60])}** is not in {vocabulary}."
    if exc.suggestions:
        msg += " Did you mean: " + ", ".join(f"`{s}`" for s in exc.suggestions) + "?"
    elif vocabulary == GLOVE_VOCABULARY:
        msg += " Try a common English word (one word, no spaces)."
    else:
        msg += " Check its spelling and capitals against your file."
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


def unreadable_note(text: str | Sequence[str], where=None) -> bool:
    """Say so, next to the scores, when the sentence model cannot read most of ``text`` (emoji
    become ``[UNK]``; Arabic, Cyrillic, Chinese… fall apart letter by letter): its vector is then
    close to that of an empty text and the scores say little about meaning. ``text`` may be a
    list (sentences of a heat-map or a map): the note names those it cannot read. Returns
    whether it said so. ``where``: a container (default: the page)."""
    texts = [text] if isinstance(text, str) else list(text)
    unread = [(t, r) for t in texts[:200]
              if (r := cached.readability(t[:MAX_TEXT_CHARS])).mostly_unknown]
    if not unread:
        return False
    model = describe_sbert()
    if isinstance(text, str):
        r = unread[0][1]
        shown = ", ".join(escape_markdown(w[:20]) for w in r.unknown[:6])
        head = (f"**{model} cannot read most of this text**: {len(r.unknown)} of {r.words} "
                f"word{'s' if r.words != 1 else ''} ({shown}) "
                f"{'are' if len(r.unknown) != 1 else 'is'}")
        tail = "Its vector is close to that of an empty text, so the scores"
    else:
        shown = "; ".join(f"“{escape_markdown(t[:30])}”" for t, _ in unread[:4])
        head = (f"**{model} cannot read {len(unread)} of these {len(texts)} texts** ({shown}): "
                "most of their words are")
        tail = "Their vectors are close to that of an empty text, so their scores"
    (where or st).warning(
        f"{head} unknown to it (`[UNK]`) or written in a script it was hardly trained on, which "
        f"it reads letter by letter. {tail} say little about meaning. Try English words.",
        icon=":material/translate:")
    return True


_ROUTER_PAGES = "_router_pages"  # session: the router's st.Page objects


@st.cache_resource(show_spinner=False)
def _page_models(root: str) -> dict[str, list]:
    """One set of ``st.Page`` objects per server process, never handed to ``st.navigation``
    itself: sessions get copies (building them resolves 18 paths, about 1.3 ms)."""
    return {section: [st.Page(p.path, title=p.title, icon=p.icon,
                              default=(p.path == "pages/home.py")) for p in entries]
            for section, entries in by_section(available(root)).items()}


def router_pages(root) -> dict[str, list]:
    """The router's ``st.Page`` objects by section (catalogue pages whose file exists under
    ``root``), kept for the session: shallow copies of :func:`_page_models`, so neither a rerun
    nor a new session resolves the paths again. Each session has its own objects
    (``st.navigation`` marks the page it returns as callable, so they are never shared).

    Usage (app.py): ``page = st.navigation(router_pages(ROOT), expanded=True)``
    """
    pages = st.session_state.get(_ROUTER_PAGES)
    if pages is None:
        pages = {section: [copy.copy(page) for page in models]
                 for section, models in _page_models(str(root)).items()}
        st.session_state[_ROUTER_PAGES] = pages
    return pages


# ---------------------------------------------------------------- links: URL <-> widgets
#
# A copied link reproduces the screen: each page seeds its widgets from the query string once
# per session (url_key, url_choice, url_int, url_tabs) and writes them back after drawing them
# (to_url). Two things keep that honest:
# * keep_url_state() (app.py, every run) re-asserts those widget values, so a run in which the
#   page stopped before drawing them (e.g. "your own vectors" picked, no file uploaded yet) does
#   not make Streamlit forget them;
# * a value equal to its default stays out of the link (a page opened as it comes writes
#   nothing into the address bar, so it adds no history entry);
# * keep_history_short() (app.py) makes a change of the query string alone *replace* the
#   browser's history entry instead of pushing one: opening a page that writes ten settings
#   into its link, or typing in a box, no longer takes ten presses of Back to leave. Moving to
#   another page still pushes, so Back goes to the previous page in one step.

#: Longest text kept in a link; longer texts stay out of the address bar (and we say so).
URL_MAX_CHARS = 2_000
_URL_KEYS = "_url_keys"  # session: {widget key mirrored in the URL: its default, as text}


def _remember(key: str, default) -> str:
    st.session_state.setdefault(_URL_KEYS, {})[key] = str(default)
    return key


def keep_url_state() -> None:
    """Re-assert every URL-mirrored widget value, once per run before the page runs (app.py).

    Streamlit drops a widget's value after a run that did not draw it; assigning the value to
    itself marks it as set by the app, so it survives (Streamlit's documented workaround).
    """
    state = st.session_state
    for key in state.get(_URL_KEYS, ()):
        if key in state:
            state[key] = state[key]


def url_key(key: str, default: str) -> str:
    """Seed widget ``key`` from the URL query parameter of the same name, once per session.

    Returns ``key``, to pass as the widget's ``key=``. Call :func:`to_url` after the widgets
    so the address bar always reproduces what is on screen.
    """
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(key, default)
    return _remember(key, default)


def to_url(*keys: str) -> None:
    """Write the current values of widget ``keys`` into the URL (shareable links).

    A value equal to its default (as seeded by ``url_key`` & co.) is left out of the link; a
    text longer than :data:`URL_MAX_CHARS` too, with a note saying so.
    """
    defaults = st.session_state.get(_URL_KEYS, {})
    for key in keys:
        value = st.session_state.get(key)
        if value is None:
            continue
        value = str(value)
        if key in defaults and value == defaults[key]:
            if key in st.query_params:
                del st.query_params[key]
        elif len(value) > URL_MAX_CHARS:
            st.query_params.pop(key, None)
            st.caption(f"This text ({len(value):,} characters) is too long for a link: a "
                       f"copied link keeps texts up to {URL_MAX_CHARS:,} characters and shows "
                       "the example text instead.", help="Share the text itself, or shorten it.")
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def url_tabs(key: str, labels: Sequence[str]):
    """``st.tabs(labels)`` whose active tab is in the link (``?key=2`` for the second tab) and
    comes back from it in a fresh browser. Returns the tab containers; each tab's ``.open``
    says whether it is the one showing, so a page may skip the work of hidden tabs.

    Usage: ``nearest, analogies = url_tabs("nb_tab", ["Nearest neighbours", "Analogies"])``
    """
    labels = list(labels)
    if key not in st.session_state:
        try:
            n = int(st.query_params.get(key, 1))
        except ValueError:
            n = 1
        st.session_state[key] = labels[n - 1] if 1 <= n <= len(labels) else labels[0]
    elif st.session_state[key] not in labels:  # labels changed since: back to the first tab
        st.session_state[key] = labels[0]
    tabs = st.tabs(labels, key=key, on_change="rerun")
    st.session_state.setdefault(_URL_KEYS, {})[key] = labels[0]
    number = labels.index(st.session_state[key]) + 1
    if number == 1:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != str(number):
        st.query_params[key] = str(number)
    return tabs


#: Static script (no user text): a change of the query string alone replaces the current
#: history entry; a move to another page still pushes one. Installed once per browser tab.
_HISTORY_JS = """<script>
(() => {
  const h = window.history;
  if (h.__queryReplaces) return;
  const push = h.pushState.bind(h);
  h.pushState = (state, title, url) => {
    const next = url == null ? null : new URL(url, window.location.href);
    if (next && next.pathname === window.location.pathname) {
      return h.replaceState(state, title, url);
    }
    return push(state, title, url);
  };
  h.__queryReplaces = true;
})();
</script>"""


def keep_history_short() -> None:
    """Install :data:`_HISTORY_JS` (call once per run from app.py, in the sidebar)."""
    st.sidebar.html(_HISTORY_JS, unsafe_allow_javascript=True)


PRESENT_KEY = "present"  # session + URL key of presentation mode


def presenting() -> bool:
    """True when presentation mode (big fonts, no side explanations) is on.

    Before the sidebar switch has run (e.g. in app.py's ``set_page_config``) this is what it
    will show: the switch's last value, or ``present=1`` in the link for a fresh session.
    """
    if PRESENT_KEY in st.session_state:
        return bool(st.session_state[PRESENT_KEY])
    return st.query_params.get(PRESENT_KEY) == "1"


def first_screen():
    """In presentation mode and on a phone, a container at this spot (call it right under the
    title, or under the page's one input) for the page's main result, so a projector at
    1280×720 or a phone at 360×740 shows it without scrolling; ``None`` (draw where you are)
    otherwise.

    Usage: ``top = first_screen()`` … ``show_chart(fig, top, key="map_chart")``
    """
    return st.container() if presenting() or on_phone() else None


class _Prepared(BaseFigure):
    """A figure already turned into plotly's dict form, for ``st.plotly_chart``.

    ``st.plotly_chart`` calls ``fig.to_dict()`` on every run, a deep copy of the whole figure
    (1 ms for a small bar chart, several for a map); for a figure shared by every session
    (``cached.figure``) that is the same work 50 times in a class burst. This stands in for the
    figure and hands over the dict made once. Streamlit only reads it (then serialises it).
    """

    def __init__(self, spec: dict):  # no BaseFigure.__init__: nothing but to_dict is used
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return self._spec


#: id(shared figure), its look ("screen", "projector" or "phone") and a phone height → its
#: prepared form; an entry goes with its figure.
_PREPARED: dict[tuple[int, str, int | None], _Prepared] = {}
_PREPARING = threading.Lock()


def _look(fig, look: str, phone_height: int | None):
    """``fig`` as drawn in ``look``: itself, its projector copy or its phone copy."""
    if look == "projector":
        return theme.for_projector(fig)
    if look == "phone":
        return theme.for_phone(fig, phone_height)
    return fig


def _prepared(fig, look: str, phone_height: int | None = None) -> _Prepared:
    """``fig`` in ``look`` (see :func:`_look`) as a :class:`_Prepared`; remembered only for
    the read-only figures ``cached.figure`` shares (a page's own figure may still change)."""
    key = (id(fig), look, phone_height)
    ready = _PREPARED.get(key)
    if ready is not None:
        return ready
    if not cached.is_shared_figure(fig):
        return _Prepared(_look(fig, look, phone_height).to_dict())
    with _PREPARING:  # a class opening a page at once: one session converts, the rest reuse it
        ready = _PREPARED.get(key)
        if ready is None:
            ready = _Prepared(_look(fig, look, phone_height).to_dict())
            _PREPARED[key] = ready
            weakref.finalize(fig, _PREPARED.pop, key, None)
    return ready


#: Plotly settings for a chart on a phone: no toolbar (its icons are smaller than a finger and
#: sat on the title) and no wheel zoom; ui.phone's script keeps the finger for the page.
PHONE_CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False}


def show_chart(fig, where=None, *, phone_height: int | None = None, **kwargs):
    """``st.plotly_chart(fig, **kwargs)`` in ``where`` (a column or container; the page when
    ``None``), with every font enlarged in presentation mode and the phone version
    (``theme.for_phone``: readable text, legend below, ``phone_height`` px tall when given,
    no toolbar) on a phone. Returns what plotly_chart returns.

    The figure is read, never changed; its dict form (and its projector or phone copy) is made
    once per figure object, so a figure shared by every session (``cached.figure``) costs no
    conversion on later runs.

    Usage: ``show_chart(fig, c2, key="nb_chart")``
    """
    look = "projector" if presenting() else "phone" if on_phone() else "screen"
    if look == "phone":
        kwargs["config"] = {**kwargs.get("config", {}), **PHONE_CHART_CONFIG}
    return (where or st).plotly_chart(
        _prepared(fig, look, phone_height if look == "phone" else None), **kwargs)


def explain(markdown: str, title: str = "Why?") -> None:
    """Explanatory text next to a result; hidden in presentation mode, folded on a phone (one
    tap opens it; open, it would push the page's next result screens away). Never pass user
    text."""
    if not presenting():
        with st.expander(title, icon=":material/lightbulb:", expanded=not on_phone()):
            st.markdown(markdown)


def downloads(name: str, *, df=None, fig=None, key: str) -> None:
    """CSV download for a table and HTML download for a chart, built only when clicked.

    ``name`` is the file stem; ``key`` a page-prefixed widget key. Use under every table/chart.
    ``df`` may be a function returning the DataFrame, for a table the page does not show: it
    is then made only when the button is clicked, not on every run.
    """
    row = st.container(horizontal=True)  # one block, not four columns (fewer elements per run)
    if df is not None:
        row.download_button(
            "Table as CSV",
            data=lambda: (df() if callable(df) else df).to_csv(index=False).encode("utf-8"),
            file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv",
            icon=":material/download:", on_click="ignore",
        )
    if fig is not None:
        row.download_button(
            "Chart as HTML", data=lambda: fig.to_html(include_plotlyjs=True, full_html=True),
            file_name=f"{name}.html", mime="text/html", key=f"{key}_html",
            icon=":material/download:", on_click="ignore",
        )


def url_choice(key: str, default: str, options) -> str:
    """Like :func:`url_key` for a selectbox/radio: a URL value not among ``options`` → default."""
    if key not in st.session_state:
        value = st.query_params.get(key, default)
        st.session_state[key] = value if value in options else default
    return _remember(key, default)


def url_flag(key: str, default: bool = False) -> str:
    """Like :func:`url_key` for a toggle/checkbox: ``1``/``true`` in the URL → on."""
    if key not in st.session_state:
        value = st.query_params.get(key)
        st.session_state[key] = default if value is None else value.lower() in ("1", "true")
    return _remember(key, default)


def url_int(key: str, default: int, lo: int, hi: int) -> str:
    """Like :func:`url_key` for a slider/number box: the URL value as an int, clamped to lo..hi."""
    if key not in st.session_state:
        try:
            value = int(st.query_params.get(key, default))
        except ValueError:
            value = default
        st.session_state[key] = min(hi, max(lo, value))
    return _remember(key, default)


# ---------------------------------------------------------------- presentation mode (classroom)

#: Static CSS for a projector (no user text ever goes in here), sized for 1280×720. Streamlit
#: sizes text in rem, so a larger root font scales every label, widget, metric and formula, and
#: the main column takes the full width, so charts grow with it. The space above and around the
#: title shrinks and the page's intro caption (said aloud in class) is hidden, so the first
#: result and its chart fit on the first screen. Chart fonts come from
#: ``embedding.charts.theme.for_projector`` (see :func:`show_chart`), so plotly makes room
#: for them.
_PRESENT_CSS = """<style>
html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding: 3.2rem 2rem 4rem 2rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0 0 0.25rem 0; }
[data-testid="stElementContainer"]:has(h1)
  + [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]) { display: none; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { line-height: 1.5; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
.katex { font-size: 1.35em; }
</style>"""


def presentation_toggle() -> bool:
    """Sidebar switch for presentation mode (big text and charts, explanations hidden).

    Call once per run, from app.py before the page runs. The state lives in session key
    ``present`` (read by :func:`presenting`) and is mirrored to the URL as ``present=1``, so a
    link can open the app ready for the projector.

    Usage: ``presentation_toggle()`` → ``True`` when on
    """
    if PRESENT_KEY not in st.session_state:
        st.session_state[PRESENT_KEY] = st.query_params.get(PRESENT_KEY) == "1"
    on = st.sidebar.toggle(
        "Presentation mode", key=PRESENT_KEY, help="Bigger text and charts for a projector; "
        "the explanation boxes are hidden so the results fill the screen.",
    )
    if on:
        if st.query_params.get(PRESENT_KEY) != "1":
            st.query_params[PRESENT_KEY] = "1"
        st.html(_PRESENT_CSS)
    elif PRESENT_KEY in st.query_params:
        del st.query_params[PRESENT_KEY]
    return bool(on)


# ---------------------------------------------------------------- your own word vectors

BUILTIN_VECTORS = "GloVe 6B 50d (built-in)"
OWN_VECTORS = "Your own vectors (upload .txt/.vec/.gz)"
#: The session's own word vectors, uploaded once and used on every page: a dict with the file
#: ``name``, its sha256 ``digest``, its ``data`` and ``describe`` (e.g. "20 words × 3 dims").
OWN_KEY = "own_vectors"
#: Extensions the vector uploader offers, and why (the browser refuses others with only an icon).
VECTOR_EXTENSIONS = ("txt", "vec", "gz")
VECTOR_FILES_NOTE = (
    "Accepted: **.txt** or **.vec** (plain text: GloVe's `word 0.12 -0.5 …` per line, or "
    "word2vec/fastText text with a first line `count dims`), optionally gzipped (**.gz**). "
    "Binary formats (word2vec `.bin`, pickles, `.npy`) are not read: the server reads text only, "
    "so a file can never run code. Save or export them as text first."
)


def vectors_label(key: str) -> str:
    """What the page's word vectors are called on screen: ``"GloVe 6B 50d"`` or the uploaded
    file (``"mine.txt: 20 words × 3 dims"``). Works before :func:`word_vectors_picker` is drawn.
    """
    own = st.session_state.get(OWN_KEY)
    source = st.session_state.get(f"{key}_vectors", OWN_VECTORS if own else BUILTIN_VECTORS)
    if source == OWN_VECTORS and own:
        return f"{own['name']}: {own['describe']}"
    return describe_glove()


def word_vectors_picker(key: str):
    """Let the user choose the built-in GloVe or their own word vectors; return them.

    Returns a gensim ``KeyedVectors`` (read-only: never modify it). A file uploaded once is kept
    for the whole session (``st.session_state[OWN_KEY]``) and used on every page that offers
    "your own"; uploading another replaces it. With "your own" chosen and no valid file yet, it
    shows what to upload (or the file's error, with its line number) and stops the page.
    ``st.session_state[f"{key}_vectors_name"]`` describes the vectors in use and
    ``st.session_state[f"{key}_vectors_id"]`` names them (``"glove"`` or the upload's hash).

    Usage: ``kv = word_vectors_picker("wordsim")``
    """
    import hashlib

    from embedding.models.vectors_io import MAX_FILE_BYTES, VectorsFileError

    own = st.session_state.get(OWN_KEY)
    options = [BUILTIN_VECTORS, OWN_VECTORS]
    box = st
    if on_phone():  # two long options take a phone's first screen: folded while GloVe is used
        current = st.session_state.get(f"{key}_vectors", OWN_VECTORS if own else BUILTIN_VECTORS)
        box = st.expander(f"Word vectors: {'yours' if current == OWN_VECTORS else 'GloVe 6B 50d'}",
                          icon=":material/tune:", expanded=current == OWN_VECTORS)
    source = box.radio("Word vectors", options, key=f"{key}_vectors", horizontal=True,
                       index=1 if own else 0)  # after an upload, every page starts with it
    if source == BUILTIN_VECTORS:
        st.session_state[f"{key}_vectors_name"] = "GloVe 6B 50d"
        st.session_state[f"{key}_vectors_id"] = "glove"
        return glove_or_stop()
    upload = st.file_uploader(
        ("Replace your word vectors (optional)" if own else
         "Plain-text word vectors: GloVe (`word 0.12 -0.5 …` per line) or word2vec text "
         "(first line `count dims`), optionally gzipped"),
        type=list(VECTOR_EXTENSIONS), key=f"{key}_vectors_file",
        help=f"Up to {MAX_FILE_BYTES // 2**20} MB. " + VECTOR_FILES_NOTE,
    )
    st.caption(VECTOR_FILES_NOTE)
    if upload is not None:
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        if not own or own["digest"] != digest:
            try:
                parsed = resources.uploaded_vectors(digest, data)
            except VectorsFileError as exc:
                st.error(f"Could not use this file. {escape_markdown(str(exc))}",
                         icon=":material/error:")
                st.stop()
            own = {"name": upload.name[:60], "digest": digest, "data": data,
                   "describe": parsed.describe()}
            st.session_state[OWN_KEY] = own
    if not own:
        st.info("Upload a word-vector file to use your own vectors, or pick the built-in GloVe.",
                icon=":material/upload_file:")
        st.stop()
    vectors = resources.uploaded_vectors(own["digest"], own["data"])
    name = f"{own['name']}: {vectors.describe()}"
    st.session_state[f"{key}_vectors_name"] = name
    st.session_state["vocab_name"] = f"your vectors ({vectors.words:,} words)"
    st.session_state[f"{key}_vectors_id"] = own["digest"]
    cached.remember_digest(vectors.kv, own["digest"])  # cache keys of results from these vectors
    st.caption("Using " + escape_markdown(name)
               + ("" if upload is not None else " (uploaded earlier in this session)"))
    return vectors.kv
