"""The server entry point: ``streamlit run serve.py`` (what ``make run`` does).

Runs the app (``app.py``, the router) as an ASGI application with two additions: every browser
gets its durable identity cookie (``embedding.classroom.identity.PersonCookie``), so a student
stays the same student across reloads, restarts and replicas; and an upload for a tab whose
session lives on another replica is answered 404, for the proxy to try the next replica
(``embedding.replicas.UploadsFindTheirSession``). ``streamlit run`` finds ``app``
below by itself. Starting ``streamlit run app.py`` directly still works, without that cookie:
the live class then says a reload makes a new student.
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime import Runtime

from embedding.classroom.identity import PersonCookie
from embedding.replicas import UploadsFindTheirSession


def session_is_here(session_id: str) -> bool:
    """Whether this process holds the browser session (no runtime yet: let Streamlit answer)."""
    return not Runtime.exists() or Runtime.instance().is_active_session(session_id)


app = st.App("app.py", middleware=[Middleware(PersonCookie),
                                   Middleware(UploadsFindTheirSession, holds=session_is_here)])
