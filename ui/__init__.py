"""The one Streamlit layer: cached loaders (resources), widgets and URL/session state (widgets),
and the page catalogue (catalog). Pages import it; the pure core in ``embedding/`` never does.

Streamlit treats a folder named ``pages/`` next to the main script as an old-style (v1)
multipage app until the first run of app.py calls ``st.navigation``. If the very first visitor
of a fresh server opens a deep link (``/word_order?...``), the page would run on its own,
without the router's layout and sidebar. Importing this package (app.py and every page do)
switches that off once per process and reruns, so the router always runs.
"""

from streamlit.runtime.pages_manager import PagesManager

if PagesManager.uses_pages_directory:
    import streamlit as st
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    PagesManager.uses_pages_directory = False  # routing is app.py's st.navigation
    if get_script_run_ctx(suppress_warning=True) is not None:
        st.rerun()
