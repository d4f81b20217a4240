"""The server entry point: ``streamlit run serve.py`` (what ``make run`` does).

Runs the app (``app.py``, the router) as an ASGI application with one addition: every browser
gets its durable identity cookie (``embedding.classroom.identity.PersonCookie``), so a student
stays the same student across reloads, restarts and replicas. ``streamlit run`` finds ``app``
below by itself. Starting ``streamlit run app.py`` directly still works, without that cookie:
the live class then says a reload makes a new student.
"""

import streamlit as st
from starlette.middleware import Middleware

from embedding.classroom.identity import PersonCookie

app = st.App("app.py", middleware=[Middleware(PersonCookie)])
