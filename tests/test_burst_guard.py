"""Regression guard for issue 14 ("everybody, click now"): a page a class opens together costs
no expensive call once one session has seen it.

For every page of the catalogue (and each of its tabs, opened by its link), one session opens
it with its default inputs (filling the shared caches); then a second, fresh session opens the
same page and reruns it. What the second session runs is exactly what every student pays
again (a cache hit runs nothing), so it must call nothing expensive. Expensive is found, not
listed by hand:

* every function of the core marked ``@expensive`` (:mod:`embedding.cost`: scans of the
  vocabulary, WordPiece tokenization, Word2Vec training, …), found by walking ``embedding/``;
* every call that enters a heavy library (gensim, sentence-transformers, transformers, torch,
  UMAP, scikit-learn, segno, faiss, bm25s, …) from our code, except the few known to take
  constant time (:data:`CHEAP`: a dictionary lookup, a property). A new library call a page
  makes on every run fails here until it is cached, or added to :data:`CHEAP` with a reason.

Calls are seen with ``sys.setprofile`` (every thread): counts, not timings, so this test
fails the same way on a fast or a busy machine.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import threading
from collections import Counter
from types import CodeType

import pytest

import embedding
from tests.apptest import open_page, tab_links
from tests.test_catalog import owns
from ui.catalog import PAGES

#: Top-level packages whose entry points cost real work (numpy and pandas are everywhere and
#: cheap per call; the core's numpy scans carry ``@expensive`` instead).
HEAVY = frozenset({"gensim", "sentence_transformers", "transformers", "tokenizers", "torch",
                   "umap", "pynndescent", "numba", "sklearn", "scipy", "segno", "faiss", "bm25s",
                   "openai", "qdrant_client", "pypdf"})

#: Library entry points that take constant time, allowed on every run (qualified names).
CHEAP = {
    # one row, a few rows, the length, a membership test: dictionary lookups
    "gensim.models.keyedvectors.KeyedVectors.__getitem__": "gathers the rows of a few words",
    "gensim.models.keyedvectors.KeyedVectors.__len__": "len of a list",
    "gensim.models.keyedvectors.KeyedVectors.__contains__": "a dict lookup",
    "gensim.models.keyedvectors.KeyedVectors.get_index": "a dict lookup",
    "gensim.models.keyedvectors.KeyedVectors.get_vector": "one row",
    "gensim.models.keyedvectors.KeyedVectors.has_index_for": "a dict lookup",
    "gensim.models.keyedvectors.KeyedVectors.similarity": "one dot product",
    # properties of the loaded model
    "sentence_transformers.base.model.BaseModel.max_seq_length": "a property",
    "sentence_transformers.sentence_transformer.model.SentenceTransformer"
    ".get_embedding_dimension": "asks the last module for a number it keeps",
}


def _top(module: str) -> str:
    return module.partition(".")[0]


def marked_expensive() -> dict[CodeType, str]:
    """Every ``@expensive`` function (and method) of the core: ``{code object: what}``."""
    found: dict[CodeType, str] = {}
    for info in pkgutil.walk_packages(embedding.__path__, "embedding."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            members = [obj, *vars(obj).values()] if isinstance(obj, type) else [obj]
            for m in members:
                fn = getattr(m, "__func__", m)  # staticmethod/classmethod
                what = getattr(fn, "__expensive__", None)
                if what and hasattr(fn, "__code__"):
                    found[fn.__code__] = f"{what} ({fn.__module__}.{fn.__qualname__})"
    return found


class Spy:
    """A profile function that counts expensive calls (see the module docstring)."""

    def __init__(self, marked: dict[CodeType, str]):
        self.marked = marked
        self.calls: Counter[str] = Counter()

    def __call__(self, frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        what = self.marked.get(code)
        if what is not None:
            self.calls[what] += 1
            return
        module = frame.f_globals.get("__name__") or ""
        if _top(module) not in HEAVY:
            return
        caller = frame.f_back
        if caller is not None and _top(caller.f_globals.get("__name__") or "") in HEAVY:
            return  # inside a library: only the entry point counts
        name = f"{module}.{code.co_qualname}"
        if name not in CHEAP:
            self.calls[f"{name} (a library call: cache it, or add it to CHEAP)"] += 1

    def __enter__(self):
        threading.setprofile(self)
        sys.setprofile(self)
        return self.calls

    def __exit__(self, *exc):
        sys.setprofile(None)
        threading.setprofile(None)


@pytest.fixture(scope="module")
def marked():
    found = marked_expensive()
    assert len(found) >= 5, "the core's @expensive functions were not found"
    return found


def test_the_spy_catches_both_kinds(marked):
    """A marked core function and an unlisted library call are caught; a cheap one is not."""
    import numpy as np
    from gensim.models import KeyedVectors

    from embedding.words.vocab import suggest

    kv = KeyedVectors(4)
    kv.add_vectors(["cat", "dog", "car"], np.eye(3, 4, dtype=np.float32))
    with Spy(marked) as calls:
        kv["cat"], len(kv)  # cheap
    assert calls == {}
    with Spy(marked) as calls:
        kv.most_similar("cat", topn=1)
        suggest(kv, "cta")
    assert any("most_similar" in k for k in calls), calls
    assert any("spelling suggestions" in k for k in calls), calls


def _pages() -> list[str]:
    from tests.apptest import ROOT
    from ui.catalog import available

    return [p.path for p in available(ROOT)]


@pytest.mark.slow  # opens every page twice: `make test` and CI, not the `make check` lane
@pytest.mark.parametrize("page", _pages())
def test_a_second_session_costs_no_expensive_call(page, marked):
    first = open_page(page)  # the instructor (or the first student) opens it
    assert not first.exception, first.exception
    # "now open the second tab": a page draws only its open tab, so each is opened by its link
    tabs = [{key: str(n)} for key, labels in tab_links(first).items()
            for n in range(2, len(labels) + 1)]
    for query in tabs:
        assert not open_page(page, query).exception
    for query in [{}, *tabs]:
        with Spy(marked) as calls:
            second = open_page(page, query)  # a fresh session, same default inputs
            second.run()  # and a rerun (a widget interaction that changed nothing expensive)
        assert not second.exception, second.exception
        assert dict(calls) == {}, f"{page} {query}: a second session repeated {dict(calls)}"
        # the widgets really drawn (helpers' keys too) keep to the page's prefix
        info = next(p for p in PAGES if p.path == page)
        strays = sorted(k for k in widget_keys(second) if not owns(info, k))
        assert not strays, f"{page} {query}: widget keys outside {info.key_prefix}_: {strays}"


def widget_keys(at) -> set[str]:
    """The keys of every widget drawn (main area and sidebar); a form's submit button counts
    as its form."""
    keys: set[str] = set()

    def walk(node) -> None:
        key = getattr(node, "key", None)
        if isinstance(key, str) and key:
            keys.add(key.removeprefix("FormSubmitter:").split("-", 1)[0]
                     if key.startswith("FormSubmitter:") else key)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return keys
