"""Uploads behind several replicas: a replica that does not hold the upload's session answers
404 at once (embedding.replicas), which deploy/nginx.conf passes to the next replica. The real
failover is tests/test_replicas.py::test_a_tab_that_moved_can_upload_after_its_replica_returns."""

from __future__ import annotations

from embedding.replicas import UploadsFindTheirSession
from tests.browser import ROOT, run_coroutine


def call(scope: dict, held: set[str]) -> tuple[list[dict], list[str]]:
    """Run the middleware once; returns (what it sent, what reached the app behind it)."""
    sent: list[dict] = []
    reached: list[str] = []
    read: list[bool] = []

    async def receive():
        read.append(True)
        return {"type": "http.request", "body": b"file", "more_body": False}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    run_coroutine(UploadsFindTheirSession(app, holds=held.__contains__)(scope, receive, send))
    if not reached:
        assert read == []  # the file was not read: the next replica gets it whole from nginx
    return sent, reached


def http(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "headers": []}


def test_an_upload_for_a_session_held_elsewhere_gets_404_at_once():
    sent, reached = call(http("PUT", "/_stcore/upload_file/s-2/f-1"), held={"s-1"})
    assert reached == [] and sent[0]["status"] == 404
    sent, reached = call(http("DELETE", "/base/_stcore/upload_file/s-2/f-1"), held={"s-1"})
    assert reached == [] and sent[0]["status"] == 404


def test_an_upload_for_a_session_held_here_and_everything_else_pass_through():
    for method, path in [("PUT", "/_stcore/upload_file/s-1/f-1"),  # held here
                         ("OPTIONS", "/_stcore/upload_file/s-2/f-1"),  # pre-flight
                         ("GET", "/media/s-2.png"), ("GET", "/word_similarity")]:
        sent, reached = call(http(method, path), held={"s-1"})
        assert reached == [path] and sent[0]["status"] == 200, (method, path)
    sent, reached = call({"type": "websocket", "path": "/_stcore/stream"}, held=set())
    assert reached == ["/_stcore/stream"]


def test_the_proxy_passes_a_404_upload_to_the_next_replica():
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    block = conf.split("location /_stcore/upload_file/ {", 1)[1].split("}", 1)[0]
    assert "proxy_next_upstream error timeout http_404 non_idempotent;" in block
    assert "proxy_request_buffering on;" in block
    media = conf.split("location /media/ {", 1)[1].split("}", 1)[0]  # images, downloads
    assert "proxy_next_upstream error timeout http_404;" in media
