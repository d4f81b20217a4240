"""Embedding Explorer: the router. Pages live in pages/, the maths in embedding/."""

from pathlib import Path

import streamlit as st

from ui import phone, resources, server_tuning
from ui.widgets import (
    keep_history_short,
    keep_url_state,
    presentation_toggle,
    presenting,
    router_pages,
)

ROOT = Path(__file__).resolve().parent

st.set_page_config(page_title="Embedding Explorer", page_icon="🧭", layout="wide",
                   initial_sidebar_state="collapsed" if presenting() else "auto")
server_tuning.install()  # per-run work Streamlit repeats, done once per process
resources.warm_up()  # background thread, once per process; the home page never waits
resources.start_purge_schedule()  # expired classes and their indexes go, hourly (a setting)
page = st.navigation(router_pages(ROOT), expanded=True)  # the catalogue's pages, by section
keep_url_state()  # values mirrored in the link survive a run that stopped before drawing them
keep_history_short()  # a settling page replaces its history entry: Back leaves in one step
presentation_toggle()  # sidebar switch: big fonts for a projector, side explanations hidden
phone.install()  # phones: titles that fit, targets a finger hits, charts that let the page scroll
page.run()
