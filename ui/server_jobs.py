"""Who may start the server's long jobs (the 400,000-vector HNSW builds): the instructor.

A build holds a processor core for minutes, so a student must not be able to start one (six
of them would starve the class). The instructor is recognised the way the rest of the app
recognises what is the instructor's, by a secret the students do not have:

* a browser **on the server machine itself** (an instructor who ran ``make run`` on the
  lectern laptop): its connection comes from the loopback address and carries no proxy header,
  which no student's browser can fake (behind the nginx proxy every request carries
  ``X-Forwarded-For``, so there this path is closed and the key below is needed);
* anyone who types ``EMBEDDING_EXPLORER_INSTRUCTOR_KEY`` (a server setting) into the page's
  instructor box: compared in constant time, remembered for this browser session only.

``make graphs`` builds the graphs before class from the server's shell, with no browser.
"""

from __future__ import annotations

import hmac

import streamlit as st

from embedding import config

UNLOCKED = "server_jobs_unlocked"
_PROXY_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


def on_server_machine() -> bool:
    """True for a browser on the server machine itself (loopback, not through a proxy)."""
    try:
        ip = st.context.ip_address  # None for loopback connections (and outside a browser)
        headers = st.context.headers
    except Exception:  # noqa: BLE001 - no browser context: not the server machine
        return False
    if ip is not None:
        return False
    return not any(headers.get(h) for h in _PROXY_HEADERS)


def may_start_long_jobs() -> bool:
    """Whether this browser session may start a long build (see the module docstring)."""
    return bool(st.session_state.get(UNLOCKED)) or on_server_machine()


def unlock_box(key: str) -> None:
    """The instructor's box for the server's key (drawn only when a key is configured)."""
    secret = config.instructor_key()
    if not secret:
        return
    with st.popover("I am the instructor", icon=":material/key:"):
        typed = st.text_input("Instructor key (the server's EMBEDDING_EXPLORER_INSTRUCTOR_KEY)",
                              type="password", key=f"{key}_typed")
        if st.button("Unlock", key=f"{key}_unlock"):
            if typed and hmac.compare_digest(typed.encode(), secret.encode()):
                st.session_state[UNLOCKED] = True
                st.rerun()
            st.warning("That is not the instructor key of this server.", icon=":material/lock:")
