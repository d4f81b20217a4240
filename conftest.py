"""Test set-up for the whole project: the environment a bare ``pytest`` needs, the real models as
session fixtures, and the names the docstring examples in ``embedding/`` use (``kv``, ``model``,
``np``), so ``--doctest-modules`` runs them against the real vectors, loaded once."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
import pytest

from embedding.config import library_defaults

ROOT = Path(__file__).resolve().parent


def _scan_components_once() -> None:
    """Every ``AppTest.run()`` scans the metadata of every installed package for Streamlit
    components (Streamlit 1.67, ``AppTest._run`` → ``scan_component_manifests``): 0.1-0.3 s a
    run, most of the AppTest suite's time. Packages do not change during a test session, so the
    scan runs once (tests/test_pages_flag.py checks Streamlit still has this function)."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    if not hasattr(scan, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(scan)


_scan_components_once()


def _apptest_like_the_server() -> None:
    """Make ``AppTest`` run app.py the way the server does, and compile each script once.

    Streamlit 1.67's ``AppTest._run`` resets ``PagesManager.uses_pages_directory`` before every
    run, so our ``pages/`` folder is detected again and each run goes through the legacy v1 path
    (18 extra pages made, the router nested in a generated navigation), unlike the server, where
    ``ui/__init__.py`` switches that off once per process. It also makes a new ``ScriptCache``
    per run, recompiling app.py and the page every time. Both only cost time (about half of an
    AppTest run); tests/test_pages_flag.py checks the real detection with the original
    ``PagesManager.__init__`` (``__wrapped__``).
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    if hasattr(PagesManager.__init__, "__wrapped__"):
        return
    original = PagesManager.__init__

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False  # what ui/__init__.py does in the server

    PagesManager.__init__ = init
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared


_apptest_like_the_server()
# What `make test` exports, for a bare `pytest` too (offline models, numba's cache folder).
for _name, _value in library_defaults().items():
    os.environ.setdefault(_name, _value)
# AppTest runs app.py in this process: no background warm-up thread racing the tests.
os.environ.setdefault("EMBEDDING_EXPLORER_WARMUP", "0")
# ... nor an hourly purge thread (tests/test_retention.py calls the purge itself).
os.environ.setdefault("EMBEDDING_EXPLORER_KEEP_DAYS", "0")
# Tests write indexes and uploads under a throw-away folder, never the user's data; one folder
# per pytest-xdist worker (`make check` runs two), so no test sees another's class or index.
os.environ.setdefault("EMBEDDING_EXPLORER_DATA", str(
    ROOT / ".cache" / "test-data" / os.environ.get("PYTEST_XDIST_WORKER", "main")))


@pytest.fixture(scope="session")
def kv():
    """Real GloVe 6B 50d (400,000 words), shared by every test."""
    from ui import resources

    return resources.glove()


@pytest.fixture(scope="session")
def model():
    """Real all-MiniLM-L6-v2, shared by every test."""
    from ui import resources

    return resources.sbert()


@pytest.fixture(autouse=True)
def _doctest_names(request):
    """Docstring examples get ``np`` and, when they use them, the shared ``kv`` and ``model``."""
    if type(request.node).__name__ != "DoctestItem":  # pytest's doctest item (not exported)
        return
    names = request.getfixturevalue("doctest_namespace")
    names["np"] = np
    source = request.node.dtest.docstring or ""
    for fixture in ("kv", "model"):
        if fixture in source:
            names[fixture] = request.getfixturevalue(fixture)


#: Tests that run UMAP (found by logging every ``umap.UMAP.fit`` of the check lane): `make check`
#: runs two pytest-xdist workers with ``--dist loadgroup``, and these share one worker, so only
#: one process pays umap's import and numba start-up (about 9 s of CPU, a sixth of the lane).
_UMAP_TESTS = ("tests/test_projection.py::", "tests/test_page_map.py::", "tests/test_map_3d.py::",
               "embedding_map", "umap")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(part in item.nodeid for part in _UMAP_TESTS):
            item.add_marker(pytest.mark.xdist_group("umap"))
