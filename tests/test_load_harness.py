"""The load test's protocol client really drives a Streamlit server like a browser does.

A tiny app runs on a real server (loopback); one protocol session opens it, types into its text
box through ``BackMsg.rerun_script`` widget states, and must see the server's answer. If the
client got the protocol wrong (subprotocol, page name, widget ids, value types, the end of a
run), the numbers in bench/RESULTS.md would be meaningless: this test would fail first.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bench import loadtest as lt
from tests.browser import run_coroutine

ROOT = Path(__file__).resolve().parents[1]

ECHO_APP = """
import streamlit as st
word = st.text_input("Word", "start", key="echo_word")
n = st.number_input("N", 0, 100, 7, key="echo_n")
st.markdown(f"echo:{word}:{int(n)}")
if word == "crash":
    raise ValueError("boom")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("echo")
    app = tmp / "echo_app.py"
    app.write_text(ECHO_APP, encoding="utf-8")
    srv = lt.Server(str(app), tmp)
    srv.start()
    yield srv
    srv.stop()


def test_percentiles():
    assert lt.pct([3, 1, 2, 4], 50) == 2
    assert lt.pct(list(range(1, 101)), 95) == 95
    assert lt.summary([])["n"] == 0


def test_rss_of_this_process_is_positive():
    import os

    assert lt.rss_mb(os.getpid()) > 10


@pytest.mark.server
def test_protocol_session_types_and_reads_back(server):
    captured: list[str] = []

    async def scenario() -> lt.Stats:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        stats = lt.Stats()
        s = lt.ProtocolSession(server.base, stats)
        await s.connect()
        original_recv = s.ws.recv

        async def spy_recv():  # keep the markdown the server sends back
            data = await original_recv()
            fm = ForwardMsg()
            fm.ParseFromString(data)
            if fm.WhichOneof("type") == "delta" and fm.delta.new_element.WhichOneof("type") == \
                    "markdown":
                captured.append(fm.delta.new_element.markdown.body)
            return data

        s.ws.recv = spy_recv
        try:
            _, drawn = await s.run("")
            ids = {w.label: w.id for w in drawn}
            assert {"Word", "N"} <= set(ids), drawn
            await s.run("", {ids["Word"]: "hello", ids["N"]: 42})
            await s.run("", {ids["Word"]: "crash"})
        finally:
            await s.close()
        return stats

    stats = run_coroutine(scenario())
    assert captured[0] == "echo:start:7"
    assert "echo:hello:42" in captured
    assert len(stats.errors) == 1 and "exception" in stats.errors[0]  # a traceback is counted
    assert server.runs(0)  # the server-side timing hook logged the runs


@pytest.mark.server
def test_app_shell_download(server):
    got = run_coroutine(lt.fetch_shell(server.base))
    assert got > 500_000  # index.html and its scripts


def test_the_class_changes_the_pages_own_input_never_the_sidebar_switch():
    """Presentation mode is on every page: toggling it would measure presentation mode, not the
    page (a page whose open tab has no text box just reruns)."""
    from bench.loadtest.protocol import Widget
    from bench.loadtest.scenarios import input_change

    switch = Widget("checkbox", "present-id", "Presentation mode", object())
    box = Widget("text_input", "word-id", "Word", object())
    assert input_change("neighbours", [switch, box]) == {"word-id": "woman"}
    assert input_change("recommendations", [switch]) == {}


# --- the lecture hall through the proxy: nginx (the real deploy/nginx.conf) and two replicas ---

TICK_APP = ECHO_APP + """
@st.fragment(run_every=1.0)
def version_check():
    st.caption("checked")
version_check()
"""


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """Two replicas of a small app with a ``run_every`` fragment, behind the real nginx config."""
    from bench.loadtest.proxy import Proxy, nginx_binary, render_nginx

    if nginx_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing in CI (make system-tools installs it)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("hall")
    app = tmp / "tick_app.py"
    app.write_text(TICK_APP, encoding="utf-8")
    replicas = [lt.Server(str(app), tmp) for _ in range(2)]
    px = None
    try:
        for r in replicas:
            r.start()
        listen = lt.server.free_port()
        px = Proxy(render_nginx(tmp, [r.port for r in replicas], listen), tmp, listen, replicas)
        px.start()
        yield px
    finally:
        if px is not None:
            px.stop()
        lt.server.stop_all(replicas)


@pytest.mark.server
def test_a_fresh_browser_keeps_its_cookies_through_the_proxy(proxied):
    """One simulated student = one cookie jar: the proxy's route cookie from the page, the XSRF
    cookie from health, both sent on the websocket; the app shell comes from nginx."""

    async def arrive() -> lt.ProtocolSession:
        s = lt.ProtocolSession(proxied.base, lt.Stats())
        try:
            await s.arrive("")
        finally:
            await s.close()
        return s

    s = run_coroutine(arrive())
    assert {"ee_route", "_streamlit_xsrf"} <= set(s.jar.cookies), s.jar.cookies
    t = s.traffic
    assert t.requests >= 60 and t.ws_sent == 1 and t.ws_messages > 3, t  # page, shell, health…
    assert s.auto_reruns and set(s.auto_reruns.values()) == {1.0}  # the fragment's timer


@pytest.mark.server
def test_find_max_through_the_proxy_runs_one_tiny_step(proxied):
    """``--find-max N --proxy 2`` in small: a class arrives through nginx, acts, keeps its
    version checks ticking; the step reports arrival times, CPU, traffic and the load."""
    from argparse import Namespace

    from bench.loadtest.cli import find_max

    since = time.time()
    args = Namespace(find_max=[6], step_duration=10, arrive_within=0.5, all_steps=False)
    out = run_coroutine(find_max(proxied, [""], args))
    (step,) = out["steps"]
    assert step["error_count"] == 0, step["errors"]
    assert step["arrival"]["n"] == 6 and step["actions"]["n"] > 0
    assert step["ticks"]["n"] > 6  # each tab reran its fragment on the timer
    assert step["cpu"]["server_s"] > 0 and step["cpu"]["runs"] >= step["arrival"]["n"]
    assert step["cpu"]["server_waited_s"] >= 0
    assert step["per_arrival"]["requests"] >= 60 and len(step["loadavg_before"]) == 3
    assert proxied.runs(since) and out["largest_ok"] in (0, 6)
