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


def test_streamlit_still_detects_a_pages_folder_with_this_flag():
    saved = PagesManager.uses_pages_directory
    try:
        PagesManager.uses_pages_directory = None
        PagesManager(str(ROOT / "app.py"))
        assert PagesManager.uses_pages_directory is True  # v1 detection: our pages/ folder
        import ui

        importlib.reload(ui)  # what the first import of ui does in a fresh server
        assert PagesManager.uses_pages_directory is False
        PagesManager(str(ROOT / "app.py"))
        assert PagesManager.uses_pages_directory is False  # decided once per process
    finally:
        PagesManager.uses_pages_directory = saved


def test_the_script_runner_still_consults_the_flag():
    """Renamed or gone, our flip would silently do nothing."""
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner)
