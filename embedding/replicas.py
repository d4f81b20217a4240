"""Several replicas behind nginx: an upload reaches the replica that holds its tab's session.

A tab's websocket (its session) lives in one replica's memory. Its plain HTTP requests follow
the route cookie, which hashes to a replica. After a failover the two can differ: the tab moved
to replica 2 while replica 1 was down, replica 1 came back, and the cookie points at replica 1
again. Streamlit answers an upload for a session it does not hold with 400, which nginx cannot
pass on. :class:`UploadsFindTheirSession` answers it with 404 instead, at once and before the
file is read, and deploy/nginx.conf lets such an upload try the next replica
(``proxy_next_upstream http_404 non_idempotent`` on ``/_stcore/upload_file/``). A 404 never
counts as a replica failure in nginx, so it does not take a healthy replica out.

Usage (serve.py, where Streamlit's runtime says which sessions it holds):
``Middleware(UploadsFindTheirSession, holds=lambda s: Runtime.instance().is_active_session(s))``
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

#: Streamlit's upload route, under any base path: ``…/_stcore/upload_file/<session>/<file>``.
UPLOAD_PATH = re.compile(r"/_stcore/upload_file/([^/]+)/[^/]+$")
#: The methods that carry or remove a file (OPTIONS, the browser's pre-flight, needs no session).
FILE_METHODS = frozenset({"PUT", "DELETE"})
NOT_HERE = b"This replica does not hold that session; the proxy tries the next one."


def session_of_upload(scope: Scope) -> str | None:
    """The session id of an upload or removal request, or ``None`` for any other request.

    >>> session_of_upload({"type": "http", "method": "PUT",
    ...                    "path": "/_stcore/upload_file/abc-1/f9"})
    'abc-1'
    >>> session_of_upload({"type": "http", "method": "GET", "path": "/_stcore/upload_file/a/b"})
    >>> session_of_upload({"type": "http", "method": "PUT", "path": "/media/abc.png"})
    """
    if scope.get("type") != "http" or scope.get("method") not in FILE_METHODS:
        return None
    match = UPLOAD_PATH.search(scope.get("path", ""))
    return match.group(1) if match else None


class UploadsFindTheirSession:
    """ASGI middleware: an upload for a session this replica does not hold (``holds(id)`` is
    false) gets 404 (see the module docstring); every other request passes through untouched."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]],
                 holds: Callable[[str], bool]) -> None:
        self.app = app
        self.holds = holds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = session_of_upload(scope)
        if session is None or self.holds(session):
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 404, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(NOT_HERE)).encode()),
            (b"cache-control", b"no-store"),
        ]})
        await send({"type": "http.response.body", "body": NOT_HERE})
