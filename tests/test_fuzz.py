"""Bad input, everywhere: every page's inputs get hostile values and must never show a traceback.

For each page (found at collection time, so new pages are covered automatically) and each family
of inputs, one AppTest opens the page through the router and feeds the cases one widget at a
time, putting the widget back to its original value afterwards:

* text: empty, whitespace, emoji, Chinese, Arabic, combining marks, numbers, HTML and SQL
  looking strings, an unknown word, control characters (every text_input and text_area);
* repeat: the same word in every box and twice in one box, in different capitals ("war" /
  "war", "king" / "King", each box's default copied into the others): a word's cosine with
  itself is 1.0000001 in float32, and two identical inputs reach code no other case reaches;
* big: 1 MB of text (text areas only: a browser cannot type 1 MB into a one-line box);
* number: each number_input at its minimum, maximum and zero (or +-1e12 when unbounded);
* choice: every option of every selectbox and radio (capped per widget);
* upload: empty, garbage, wrong-format, UTF-16, pickle-looking and 5 MB files for every
  file_uploader, named with an extension it accepts.

A case fails when ``at.exception`` is non-empty. Failures are collected and reported together.
"""

from __future__ import annotations

import pickle
import time

import pytest
from streamlit.runtime.state.common import TESTING_KEY

from tests.apptest import open_page, page_files, tab_links

pytestmark = pytest.mark.fuzz

TEXT_CASES: dict[str, str] = {
    "empty": "",
    "whitespace": "   \n\t  ",
    "emoji": "😀🎉🧭 👩🏽‍🔬",
    "chinese": "机器学习 词向量 嵌入",
    "arabic": "تعلم الآلة والمتجهات",
    "combining": "e\u0301\u0301\u0301 a\u0308\u0323 Z\u0336\u0335",
    "numbers": "12345 3.14 -7 1e309",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "sql": "'; DROP TABLE x;--",
    "unknown": "qwxzvplkj",
    "control": "a\x00b\x1b[31mred\u202eevil",
    "markdown": "**bold** [link](javascript:alert(1)) $x^2$ `code` # heading",
    "punctuation": ",,, ;;; ... --- ???",
}
#: The same word everywhere or twice over: "identical inputs" is its own family of bugs.
REPEAT_CASES: dict[str, str] = {
    "same word": "war",
    "capitals": "King",
    "twice in one box": "king, King, KING",
    "same phrase": "chocolate milk",
}
BIG_TEXT = ("lorem ipsum dolor sit amet " * 40_000)[: 1 << 20]  # 1 MB
MAX_CHOICES = 12  # options tried per selectbox/radio
MAX_RUNS = 60  # runs per page and family, so the whole file stays within a few minutes
SINGLE = ("empty", "unknown", "emoji", "html")  # also tried one box at a time
ALL = "all text boxes"
CHOICE_KINDS = ("selectbox", "radio", "button_group")  # button_group: pills, segmented control
_PICKLE = pickle.dumps({"not": "loaded"})  # only bytes: the app must never unpickle them


def _upload_cases(ext: str) -> dict[str, tuple[str, bytes, str]]:
    ext = ext if ext.startswith(".") else f".{ext}" if ext else ".txt"
    name = f"fuzz{ext}"
    return {
        "empty-file": (name, b"", "application/octet-stream"),
        "garbage": (name, bytes(range(256)) * 64, "application/octet-stream"),
        "wrong-format": (name, b'{"a": [1, 2,\n<html>%PDF-1.4 \x00\x01', "text/plain"),
        "utf16": (name, "word,0.1,0.2\nmot,0.3,0.4\n".encode("utf-16"), "text/plain"),
        "pickle": (name, _PICKLE, "application/octet-stream"),
        "truncated-pdf": (name, b"%PDF-1.4\n1 0 obj << /Type /Catalog", "application/pdf"),
        "big-5mb": (name, b"word 0.1 0.2 0.3\n" * 300_000, "text/plain"),
    }


def _key(w) -> str:
    return getattr(w, "key", None) or w.label


def _find(at, kind: str, ident: str, index: int):
    """The widget of ``kind`` with key (or label) ``ident`` in the current tree, else by index."""
    widgets = list(getattr(at, kind))
    for w in widgets:
        if _key(w) == ident:
            return w
    return widgets[index] if index < len(widgets) else None


def _cases_for(at, family: str, only: set[str] | None = None):
    """(kind, ident, index, case name, value, restore value) for every case of ``family``."""
    out = []
    if family == "big":
        for i, w in enumerate(at.text_area):
            out.append(("text_area", _key(w), i, "1MB", BIG_TEXT, w.value))
    elif family == "text":
        boxes = [(kind, i, w) for kind in ("text_input", "text_area")
                 for i, w in enumerate(getattr(at, kind))]
        # every case into every box at once, then the commonest mistakes one box at a time
        # (the others keep their defaults, so each box's own check is reached)
        for name, v in TEXT_CASES.items():
            out.append((ALL, [(k, _key(w), i) for k, i, w in boxes], -1, name, v,
                        [w.value for _, _, w in boxes]))
        if len(boxes) > 1:
            for kind, i, w in boxes:
                out += [(kind, _key(w), i, name, TEXT_CASES[name], w.value) for name in SINGLE]
    elif family == "repeat":
        boxes = [(kind, i, w) for kind in ("text_input", "text_area")
                 for i, w in enumerate(getattr(at, kind))]
        cases = dict(REPEAT_CASES)
        if boxes and str(boxes[0][2].value).strip():
            cases = {"first box's default everywhere": str(boxes[0][2].value), **cases}
        for name, v in cases.items():
            if boxes:
                out.append((ALL, [(k, _key(w), i) for k, i, w in boxes], -1, name, v,
                            [w.value for _, _, w in boxes]))
    elif family == "number":
        for i, w in enumerate(at.number_input):
            p = w.proto
            lo = p.min if p.has_min else -1e12
            hi = p.max if p.has_max else 1e12
            is_int = p.data_type == p.INT
            values = {"min": lo, "max": hi, "zero": 0 if lo <= 0 <= hi else lo}
            for name, v in values.items():
                out.append(("number_input", _key(w), i, name, int(v) if is_int else float(v),
                            w.value))
    elif family == "choice":
        for kind in CHOICE_KINDS:
            for i, w in enumerate(getattr(at, kind)):
                try:
                    if kind == "button_group":
                        chosen = list(w.formatted_values)
                        restore = chosen[0] if len(chosen) == 1 else None
                    else:
                        restore = w.options[w.index] if w.index is not None else None
                except (ValueError, KeyError):
                    restore = None
                for j, opt in enumerate(list(w.options)[:MAX_CHOICES]):
                    out.append((kind, _key(w), i, f"option {j}: {opt}"[:60], opt, restore))
    elif family == "upload":
        for i, w in enumerate(at.file_uploader):
            if only is not None and _key(w) not in only:
                continue
            ext = (w.allowed_type or [""])[0]
            for name, f in _upload_cases(ext).items():
                out.append(("file_uploader", _key(w), i, name, f, None))
    return out[:MAX_RUNS]


def _label(ident) -> str:
    return ", ".join(key for _, key, _ in ident) if isinstance(ident, list) else ident


def _set(w, kind: str, value) -> None:
    if kind in CHOICE_KINDS:
        # Choose by the label the browser shows and sends. AppTest maps a value through the
        # widget's format_func, which fails for labels, so label -> label here.
        w.root.session_state[TESTING_KEY][w.id] = str
        if kind == "button_group" and not w._is_single_select and value is not None:
            value = [value]
    w.set_value(value)


def _primary_buttons(at) -> list:
    """Buttons that start the page's main job (type primary), e.g. Search, Build, Train."""
    return [b for b in at.button if b.proto.type == "primary" and not b.disabled]


FAMILIES = ("text", "repeat", "big", "number", "choice", "upload")


@pytest.fixture(scope="module", autouse=True)
def full_error_details():
    """Students see no details (config: "none"); the fuzz report needs the traceback."""
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    yield
    config.set_option("client.showErrorDetails", before)


def fuzz(open_fn, family: str, only: set[str] | None = None) -> tuple[list[str], int]:
    """Feed every case of ``family`` to the app ``open_fn()`` opens; (failures, case count)."""
    if family == "upload" and only is None:
        return fuzz_uploads(open_fn)
    at = open_fn()
    cases = _cases_for(at, family, only)
    failures: list[str] = []
    for kind, ident, index, name, value, restore in cases:
        # (kind, key or label, index, value before) of every widget this case changes
        slots = ([(k, key, i, old) for (k, key, i), old in zip(ident, restore, strict=True)]
                 if kind == ALL else [(kind, ident, index, restore)])
        targets = [(k, _find(at, k, key, i)) for k, key, i, _ in slots]
        targets = [(k, w) for k, w in targets if w is not None and not w.disabled]
        if not targets:
            continue  # the widget is gone after an earlier case (e.g. the page stopped early)
        try:
            for k, w in targets:
                _set(w, k, value)
            at.run()
            if not at.exception:
                for b in _primary_buttons(at)[:1]:
                    b.click()
                    at.run()
        except Exception as exc:  # noqa: BLE001 - the harness itself broke: report it
            failures.append(f"{kind} '{_label(ident)}' <- {name}: harness {type(exc).__name__}: {exc}")
            at = open_fn()
            continue
        if at.exception:
            exc = at.exception[0]
            where = " | ".join(line.strip() for line in list(exc.stack_trace)[-2:])[:300]
            failures.append(f"{kind} '{_label(ident)}' <- {name}: {exc.value!s:.150} at {where}")
            at = open_fn()  # start clean, so one failure does not hide the next
            continue
        if kind == "file_uploader":
            w = _find(at, kind, ident, index)
            if w is not None:
                w.set_value(None)
                at.run()
            continue
        restored = False
        for k, key, i, value_before in slots:
            w = _find(at, k, key, i)
            if w is not None and value_before is not None and not w.disabled:
                _set(w, k, value_before)
                restored = True
        if restored:
            at.run()
    return failures, len(cases)


def _choose(at, setup):
    """Apply ``setup`` = (kind, key, index, option label) to ``at`` and run; None: as opened."""
    if setup is not None:
        kind, key, index, option = setup
        w = _find(at, kind, key, index)
        if w is not None and not w.disabled:
            try:
                _set(w, kind, option)
                at.run()
            except Exception:  # noqa: BLE001 - e.g. a multi-select button group: not a case
                pass
    return at


def fuzz_uploads(open_fn) -> tuple[list[str], int]:
    """Uploaders often sit behind a choice ("Upload your own…"): try every option of every
    radio/select/button group, and fuzz each uploader the first time it shows up."""
    first = open_fn()
    setups = [None] + [(kind, _key(w), i, opt) for kind in CHOICE_KINDS
                       for i, w in enumerate(getattr(first, kind))
                       for opt in list(w.options)[:MAX_CHOICES]]
    failures: list[str] = []
    seen: set[str] = set()
    total = 0
    for setup in setups:
        if len(seen) and total >= MAX_RUNS:
            break
        at = first if setup is None else _choose(open_fn(), setup)
        if at.exception:
            continue  # the choice family reports a choice that crashes
        new = {_key(w) for w in at.file_uploader} - seen
        if not new:
            continue
        seen |= new
        f, n = fuzz(lambda setup=setup: _choose(open_fn(), setup), "upload", only=new)
        where = f" (after choosing {setup[3]!r} in {setup[1]!r})" if setup else ""
        failures += [x + where for x in f]
        total += n
    return failures, total


def tab_queries(at) -> list[dict[str, str]]:
    """The link of every tab of the page, its first (default) tab first: a page draws only its
    open tab (``url_tabs``), so each other tab is opened by its link (``?x2v_tab=2``) and
    fuzzed on its own."""
    queries: list[dict[str, str]] = [{}]
    for key, labels in tab_links(at).items():
        queries += [{key: str(n)} for n in range(2, len(labels) + 1)]
    return queries


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("page", page_files())
def test_page_survives_bad_input(page, family, kv, model):
    at = open_page(page)
    if at.exception:  # test_pages.py reports a page that fails to open; say it once here
        if family != "text":
            pytest.skip(f"{page} fails to open (see the text family and test_pages)")
        pytest.fail(f"{page} fails before any fuzzing: {at.exception[0].value}")
    queries = tab_queries(at)
    tabs = [q for q in queries if family == "upload" or _cases_for(
        at if not q else open_page(page, q), family)]
    if not tabs:
        pytest.skip(f"{page} has no {family} inputs")
    started = time.perf_counter()
    failures, n = [], 0
    for query in tabs:
        f, k = fuzz(lambda query=query: open_page(page, query), family)
        where = "".join(f" (tab {v} of {key})" for key, v in query.items())
        failures += [x + where for x in f]
        n += k
    if not n:
        pytest.skip(f"{page} has no {family} inputs")
    elapsed = time.perf_counter() - started
    assert not failures, (
        f"{page} [{family}] {len(failures)} of {n} cases showed a traceback "
        f"({elapsed:.0f}s):\n" + "\n".join(failures)
    )


_FRAGILE = """
import streamlit as st
a = st.text_input("Word", "king", key="a")
b = st.text_area("Text", "hello", key="b")
n = st.number_input("N", 0, 10, 5, key="n")
c = st.selectbox("Pick", ["x", "y", "boom"], key="c")
f = st.file_uploader("File", type=["csv"], key="f")
if "<script>" in b or len(b) > 500_000 or n == 10 or c == "boom":
    raise ValueError("fragile")
if f is not None:
    f.getvalue().decode("utf-8")
if a and a.strip() and not a.isascii():
    raise ValueError("fragile")
if a.strip() and a.strip().lower() == b.strip().lower():
    import math
    math.acos(1.0000001)
"""


@pytest.mark.parametrize("family,expected", [
    ("text", {"all text boxes 'a, b' <- emoji", "all text boxes 'a, b' <- html", "text_input 'a' <- emoji",
              "text_area 'b' <- html"}),
    ("repeat", {"all text boxes 'a, b' <- same word", "all text boxes 'a, b' <- capitals"}),
    ("big", {"text_area 'b' <- 1MB"}),
    ("number", {"number_input 'n' <- max"}),
    ("choice", {"selectbox 'c' <- option 2: boom"}),
    ("upload", {"file_uploader 'f' <- garbage", "file_uploader 'f' <- utf16",
                "file_uploader 'f' <- pickle"}),
])
def test_fuzzer_catches_a_fragile_app(family, expected):
    """The harness itself can fail: a deliberately fragile app is caught in every family."""
    from streamlit.testing.v1 import AppTest

    failures, _ = fuzz(lambda: AppTest.from_string(_FRAGILE, default_timeout=60).run(), family)
    for want in expected:
        assert any(f.startswith(want + ":") for f in failures), (want, failures)


_TABBED = """
import streamlit as st
from ui.widgets import url_tabs
first, second = url_tabs("t", ["Calm", "Fragile"])
with first:
    if first.open:
        st.selectbox("Safe", ["x", "y"], key="safe")
with second:
    if second.open:
        if st.selectbox("Pick", ["x", "boom"], key="c") == "boom":
            raise ValueError("fragile")
"""


def test_fuzzer_opens_every_tab_by_its_link():
    """Only the open tab is drawn: the fragile widget of tab 2 is found through ``?t=2``."""
    from streamlit.testing.v1 import AppTest

    def open_app(query):
        at = AppTest.from_string(_TABBED, default_timeout=60)
        for key, value in query.items():
            at.query_params[key] = value
        return at.run()

    first = open_app({})
    assert tab_queries(first) == [{}, {"t": "2"}]
    assert fuzz(lambda: open_app({}), "choice")[0] == []  # tab 1 alone hides the bug
    failures, _ = fuzz(lambda: open_app({"t": "2"}), "choice")
    assert any(f.startswith("selectbox 'c' <- option 1: boom:") for f in failures), failures
