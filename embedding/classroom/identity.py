"""Who is who without accounts: a random secret in an HttpOnly cookie, set by the server.

Every browser gets one cookie, ``ee_person``, holding 192 random bits. The server sets it on
the first HTTP response a browser gets without it (the page itself), so the websocket that
follows carries it and the app can read it on the very first run of every reload, on any
replica and after a restart. No JavaScript touches it (``HttpOnly``), a link never carries it
(a forwarded link gives the friend their own identity), and the database stores only
:func:`person_id`, a hash of it: the database alone cannot be used to act as someone.

A shared lab computer: :data:`SWITCH_PATH` gives the browser a fresh secret and sends it back
where it came from ("Not you? Join as someone else").

    >>> secret = new_secret()
    >>> is_valid_secret(secret), len(person_id(secret))
    (True, 32)
    >>> person_id(secret) == person_id(secret)
    True
    >>> safe_next("https://evil.example/x"), safe_next("/live_class?class=KAXFEP")
    ('/', '/live_class?class=KAXFEP')
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

COOKIE = "ee_person"
#: How long a browser keeps its identity (the class data itself is deleted earlier: see
#: docs/live-class.md). Refreshed on no request: a person is the same for 30 days at most.
COOKIE_DAYS = 30
SECRET_BYTES = 24  # 192 bits, 32 characters of base64url
#: The path that hands this browser a new identity, then redirects to ``?next=``.
SWITCH_PATH = "/_ee/new-person"
_SECRET = re.compile(r"[A-Za-z0-9_-]{32,64}")
_NEXT = re.compile(r"/[A-Za-z0-9_\-./?=&%+~]*")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def new_secret() -> str:
    """A fresh identity secret (192 random bits, base64url). Usage: ``len(new_secret())`` → 32"""
    return secrets.token_urlsafe(SECRET_BYTES)


def is_valid_secret(value: str | None) -> bool:
    """True for a value this server could have made (anything else is ignored and replaced)."""
    return isinstance(value, str) and _SECRET.fullmatch(value) is not None


def person_id(secret: str) -> str:
    """What the database stores for a person: 128 bits of SHA-256 of their secret, as hex.

    Usage: ``person_id(new_secret())`` → 32 hex digits
    """
    return hashlib.sha256(b"ee-person:" + secret.encode("ascii", "replace")).hexdigest()[:32]


def cookie_header(secret: str, secure: bool = False) -> str:
    """The ``Set-Cookie`` value that gives a browser ``secret`` (``Secure`` over HTTPS)."""
    flags = f"Path=/; HttpOnly; SameSite=Lax; Max-Age={COOKIE_DAYS * 86_400}"
    return f"{COOKIE}={secret}; {flags}" + ("; Secure" if secure else "")


def secret_from_header(cookie_header_value: str | None) -> str | None:
    """The identity secret in a ``Cookie`` request header, or ``None`` (missing or malformed).

    Usage: ``secret_from_header("a=1; ee_person=" + "x" * 32)`` → ``"xxx…"``
    """
    if not cookie_header_value:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header_value)
    except Exception:  # noqa: BLE001 - a malformed header is a missing cookie
        return None
    morsel = jar.get(COOKIE)
    value = morsel.value if morsel is not None else None
    return value if is_valid_secret(value) else None


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else ``/``: the switch never redirects away.

    Usage: ``safe_next("//evil.example")`` → ``"/"``
    """
    target = (target or "/")[:2_000]
    if target.startswith("//") or "\\" in target or not _NEXT.fullmatch(target):
        return "/"
    return target


def _is_https(scope: Scope, headers: dict[bytes, bytes]) -> bool:
    proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[0].strip()
    return scope.get("scheme") == "https" or proto == "https"


class PersonCookie:
    """ASGI middleware: give every browser its identity cookie; serve :data:`SWITCH_PATH`.

    Only plain HTTP responses get the cookie (the websocket handshake then carries it). A
    request that already has a valid cookie passes through untouched.

    Usage (serve.py): ``st.App("app.py", middleware=[Middleware(PersonCookie)])``
    """

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        secure = _is_https(scope, headers)
        if scope.get("path", "").endswith(SWITCH_PATH):
            await self._switch(scope, send, secure)
            return
        if secret_from_header(headers.get(b"cookie", b"").decode("latin-1")):
            await self.app(scope, receive, send)
            return
        fresh = cookie_header(new_secret(), secure).encode("latin-1")

        async def send_with_cookie(message: Message) -> None:
            if message.get("type") == "http.response.start":
                message = {**message,
                           "headers": [*(message.get("headers") or []), (b"set-cookie", fresh)]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    @staticmethod
    async def _switch(scope: Scope, send: Send, secure: bool) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        target = safe_next((query.get("next") or ["/"])[0])
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", target.encode("latin-1")),
            (b"set-cookie", cookie_header(new_secret(), secure).encode("latin-1")),
            (b"cache-control", b"no-store"),
            (b"content-length", b"0"),
        ]})
        await send({"type": "http.response.body", "body": b""})
