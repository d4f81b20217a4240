"""The private Streamlit flag ui/__init__.py flips: fails when Streamlit changes the behaviour.

ui/__init__.py sets ``PagesManager.uses_pages_directory = False`` so a deep link as a fresh
server's first request still runs the router (app.py), not a v1-style ``pages/`` page on its own.
If one of these fails, Streamlit changed how it detects the legacy ``pages/`` folder: re-check
the browser test of the deep link and drop or adapt the flip.
"""

from __future__ import annotations

import importlib
import inspect

from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

from tests.apptest import ROOT


def _pages_manager(path: str) -> None:
    """Streamlit's own ``PagesManager(path)`` (conftest.py wraps ``__init__`` for AppTest)."""
    manager = PagesManager.__new__(PagesManager)
    getattr(PagesManager.__init__, "__wrapped__", PagesManager.__init__)(manager, path)


def test_streamlit_still_detects_a_pages_folder_with_this_flag():
    saved = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None
        _pages_manager(str(ROOT / "app.py"))
        assert PagesManager.uses_pages_directory is True  # v1 detection: our pages/ folder
        import ui

        importlib.reload(ui)  # what the first import of ui does in a fresh server
        assert PagesManager.uses_pages_directory is False
        _pages_manager(str(ROOT / "app.py"))
        assert PagesManager.uses_pages_directory is False  # decided once per process
    finally:
        PagesManager.uses_pages_directory = saved


def test_the_script_runner_still_consults_the_flag():
    """Renamed or gone, our flip would silently do nothing."""
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner)


def test_apptest_component_scan_is_memoised_by_the_test_setup():
    """conftest.py memoises the package scan AppTest runs on every run (the suite's biggest
    cost); if Streamlit renames it, this fails and the AppTest suite is slow again."""
    from streamlit.components.v2 import manifest_scanner
    from streamlit.testing.v1 import app_test

    assert hasattr(manifest_scanner.scan_component_manifests, "cache_info")
    assert "discover_and_register_components" in inspect.getsource(app_test.AppTest._run)


def test_apptest_runs_app_py_like_the_server():
    """conftest.py makes AppTest skip the legacy pages/ path after its per-run reset, and reuse
    compiled scripts; if Streamlit moves either, this fails (AppTests would be slow again)."""
    from streamlit.testing.v1 import app_test

    source = inspect.getsource(app_test.AppTest._run)
    assert "PagesManager.uses_pages_directory = None" in source
    assert "ScriptCache()" in source
    assert app_test.ScriptCache() is app_test.ScriptCache()
    assert hasattr(PagesManager.__init__, "__wrapped__")
