"""The one Streamlit layer: cached loaders (resources), widgets and URL/session state (widgets),
and the page catalogue (catalog). Pages import it; the pure core in ``embedding/`` never does.

Streamlit treats a folder named ``pages/`` next to the main script as an old-style (v1)
multipage app until the first run of app.py calls ``st.navigation`` (Streamlit 1.67:
``PagesManager.__init__`` sets the class flag ``uses_pages_directory`` when ``pages/`` exists, and
``ScriptRunner`` then runs the requested page file on its own, v1-style). If the very first visitor
of a fresh server opens a deep link (``/word_order?...``), the page would run alone, without the
router's layout and sidebar. Importing this package (app.py and every page do) switches that off
once per process and reruns, so the router always runs.

Streamlit has no config option for this; its supported way is a page folder not named ``pages/``.
We keep the folder (every test, link and engineer knows ``pages/``) and flip the private flag:
``tests/test_pages_flag.py`` fails when Streamlit changes the flag or stops consulting it, and
``tests/test_browser.py::test_shared_link_is_the_first_request_of_a_fresh_server`` checks the
user-visible case in a real browser.
"""

from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory:
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    PagesManager.uses_pages_directory = False  # routing is app.py's st.navigation
    if get_script_run_ctx(suppress_warning=True) is not None:
        st.rerun()
