"""The durable identity: the ASGI middleware that gives each browser its cookie, the switch for a
shared computer, and the per-session fallback when no cookie comes (AppTest, a bare
``streamlit run app.py``)."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from streamlit.testing.v1 import AppTest

from embedding.classroom import identity as idn
from tests.apptest import TIMEOUT
from tests.browser import run_coroutine


def call(app, scope: dict) -> list[dict]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    run_coroutine(app(scope, receive, send))  # not asyncio.run: Playwright's loop may run
    return sent


async def page(scope, receive, send):  # the app behind the middleware: a plain page
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/html")]})
    await send({"type": "http.response.body", "body": b"<html></html>"})


def http(path: str = "/", cookie: str | None = None, **extra) -> dict:
    headers = [(b"host", b"class.example.org")]
    if cookie is not None:
        headers.append((b"cookie", cookie.encode()))
    headers += [(k.encode(), v.encode()) for k, v in extra.pop("headers", {}).items()]
    return {"type": "http", "path": path, "headers": headers, "query_string": b"", **extra}


def set_cookies(messages: list[dict]) -> list[str]:
    start = next(m for m in messages if m["type"] == "http.response.start")
    return [v.decode() for k, v in start["headers"] if k == b"set-cookie"]


def test_a_browser_without_the_cookie_gets_one_and_keeps_it():
    app = idn.PersonCookie(page)
    first = set_cookies(call(app, http()))
    assert len(first) == 1
    jar = SimpleCookie(first[0])
    secret = jar[idn.COOKIE].value
    assert idn.is_valid_secret(secret) and len(secret) == 32
    assert "HttpOnly" in first[0] and "SameSite=Lax" in first[0] and "Path=/" in first[0]
    assert f"Max-Age={idn.COOKIE_DAYS * 86400}" in first[0] and "Secure" not in first[0]
    # The next request carries it: nothing new is set, the person stays the same.
    assert set_cookies(call(app, http(cookie=f"other=1; {idn.COOKIE}={secret}"))) == []
    assert idn.secret_from_header(f"a=b; {idn.COOKIE}={secret}") == secret
    # Two browsers, two people.
    again = SimpleCookie(set_cookies(call(app, http()))[0])[idn.COOKIE].value
    assert again != secret and idn.person_id(again) != idn.person_id(secret)


@pytest.mark.parametrize("value", ["", "short", "x" * 200, "<script>", "a b c d" * 8])
def test_a_malformed_cookie_is_replaced(value):
    cookies = set_cookies(call(idn.PersonCookie(page), http(cookie=f"{idn.COOKIE}={value}")))
    assert len(cookies) == 1 and SimpleCookie(cookies[0])[idn.COOKIE].value != value


def test_https_behind_a_proxy_marks_the_cookie_secure():
    cookies = set_cookies(call(idn.PersonCookie(page),
                               http(headers={"x-forwarded-proto": "https"})))
    assert cookies[0].endswith("; Secure")


def test_the_websocket_passes_untouched():
    seen = []

    async def ws_app(scope, receive, send):
        seen.append(scope["type"])

    run_coroutine(idn.PersonCookie(ws_app)({"type": "websocket", "path": "/_stcore/stream",
                                          "headers": []}, None, None))
    assert seen == ["websocket"]


@pytest.mark.parametrize("target, expected", [
    ("/live_class?class=KAXFEP", "/live_class?class=KAXFEP"),
    ("https://evil.example/", "/"), ("//evil.example/x", "/"), ("/\\evil", "/"),
    ("javascript:alert(1)", "/"), (None, "/"), ("/a b", "/")])
def test_someone_else_gets_a_new_identity_and_goes_back(target, expected):
    from urllib.parse import quote

    qs = b"" if target is None else f"next={quote(target, safe='')}".encode()
    old = idn.new_secret()
    messages = call(idn.PersonCookie(page), {**http(idn.SWITCH_PATH, cookie=f"ee_person={old}"),
                                             "query_string": qs})
    start = messages[0]
    headers = dict(start["headers"])
    assert start["status"] == 303 and headers[b"location"].decode() == expected
    fresh = SimpleCookie(headers[b"set-cookie"].decode())[idn.COOKIE].value
    assert idn.is_valid_secret(fresh) and fresh != old
    assert headers[b"cache-control"] == b"no-store"


def test_the_database_stores_a_hash_not_the_secret():
    secret = idn.new_secret()
    assert secret not in idn.person_id(secret)
    assert idn.person_id(secret) == idn.person_id(secret)
    assert len(idn.person_id(secret)) == 32 and int(idn.person_id(secret), 16) >= 0


def _who_app():
    import streamlit as st

    from ui.classroom import owner_tag, student_id
    from ui.identity import durable, person_id

    st.markdown(f"person {person_id()} durable {durable()}")
    st.markdown(f"same {student_id() == person_id() == owner_tag()}")


def test_without_the_cookie_the_identity_lasts_the_session_and_says_so():
    at = AppTest.from_function(_who_app, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    first = at.markdown[0].value
    assert "durable False" in first and "same True" in at.markdown[1].value
    at.run()
    assert at.markdown[0].value == first  # stable within the session
    other = AppTest.from_function(_who_app, default_timeout=TIMEOUT).run()
    assert other.markdown[0].value != first  # another session, another person


def test_serve_py_is_found_by_streamlit_run_and_adds_the_middleware():
    from pathlib import Path

    from streamlit.web.server.app_discovery import discover_asgi_app

    serve = Path(__file__).resolve().parents[1] / "serve.py"
    found = discover_asgi_app(serve)
    assert found.is_asgi_app and found.app_name == "app"
    text = serve.read_text()
    assert 'st.App("app.py"' in text and "Middleware(PersonCookie)" in text
