"""The page catalogue (ui/catalog.py) is the one list of pages: every page file has an entry,
every entry a unique widget-key prefix that its page keeps to, and the models it loads.

Widget keys live in one session state shared by every page of a browser tab: two pages using
the same key would share a value (a word typed on one page appearing on the other) or crash
with a duplicate key. Each page therefore owns a prefix (``wordsim`` → ``wordsim_a``); this
test reads every page's source and checks each key it names. The burst guard
(tests/test_burst_guard.py) checks the keys of the widgets really drawn, tabs included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ui.catalog import MODELS, PAGES, PageInfo

ROOT = Path(__file__).resolve().parents[1]
#: Keys every page shares on purpose (app-wide switches drawn by app.py or shared widgets).
APP_WIDE = {"present", "vocab_name"}
#: Helpers whose first string argument is a widget key (ui.widgets).
URL_HELPERS = {"url_key", "url_choice", "url_int", "url_flag", "url_tabs"}


def _head(node: ast.AST) -> str | None:
    """The constant text a key expression starts with ("wordsim_try_" of an f-string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0],
                                                                     ast.Constant):
        return str(node.values[0].value)
    return None


def named_keys(source: str) -> list[tuple[int, str]]:
    """``(line, key)`` for every widget or state key a page's source names literally: ``key=``
    arguments, the first argument of the URL helpers, every argument of ``to_url`` and
    ``st.session_state[...]`` subscripts.

    >>> named_keys('st.text_input("A", key="wordsim_a"); to_url("wordsim_a", "x")')
    [(1, 'wordsim_a'), (1, 'wordsim_a'), (1, 'x')]
    """
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            exprs = [kw.value for kw in node.keywords if kw.arg == "key"]
            if name in URL_HELPERS and node.args:
                exprs.append(node.args[0])
            if name == "to_url":
                exprs += node.args
            out += [(node.lineno, h) for e in exprs if (h := _head(e)) is not None]
        elif isinstance(node, ast.Subscript) and getattr(node.value, "attr", None) == \
                "session_state":
            if (h := _head(node.slice)) is not None:
                out.append((node.lineno, h))
    return out


def owns(page: PageInfo, key: str) -> bool:
    """Whether ``key`` belongs to ``page`` (its prefix, then ``_``) or to the whole app.

    Keys starting with ``_`` are the shared layer's own bookkeeping (e.g. ``_url_keys``).
    """
    return key == page.key_prefix or key.startswith(page.key_prefix + "_") or \
        key in APP_WIDE or key.startswith("_")


def test_widget_key_prefixes_are_unique_and_never_nest():
    prefixes = [p.key_prefix for p in PAGES]
    assert len(set(prefixes)) == len(prefixes), "two pages share a widget-key prefix"
    nested = [(a, b) for a in prefixes for b in prefixes if a != b and b.startswith(a + "_")]
    assert not nested, f"one prefix starts another (their keys could collide): {nested}"
    assert all(p.isidentifier() and p.islower() for p in prefixes)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_each_page_keeps_to_its_prefix(page):
    source = (ROOT / page.path).read_text(encoding="utf-8")
    strays = [f"line {n}: {key!r}" for n, key in named_keys(source) if not owns(page, key)]
    assert not strays, f"{page.path} names keys outside its prefix {page.key_prefix}_: {strays}"


def test_the_prefix_check_can_fail():
    page = PageInfo("pages/x.py", "X", "", "S", "", key_prefix="wordsim")
    keys = named_keys('st.button("b", key=f"nb_try_{w}"); st.session_state["wordsim_a"] = 1')
    assert [k for _, k in keys if not owns(page, k)] == ["nb_try_"]


def test_models_are_known_names():
    for page in PAGES:
        assert set(page.models) <= set(MODELS), page
        assert len(set(page.models)) == len(page.models), page
