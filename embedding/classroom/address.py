"""Which address students should open: the join link of a live class.

An instructor who opened the app on the machine itself sees ``http://localhost:8501``: a QR code
of that sends every phone to itself. :func:`join_base` picks what students can reach instead:
the public address from the settings (``EMBEDDING_EXPLORER_PUBLIC_URL``, for a server behind a
proxy), else the machine's network address when the page was opened through a loopback name,
else the address the instructor's browser used; with a hint when they differ.

    >>> join_base("http://localhost:8501/live_class", network_ip="192.168.1.20").base
    'http://192.168.1.20:8501/live_class'
    >>> join_base("https://class.example.org/live_class").hint
    ''
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

PAGE = "live_class"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


@dataclass(frozen=True)
class JoinAddress:
    """``base``: the join page students open; ``hint``: why it differs from the instructor's
    address (Markdown-free plain text), or ``""``; ``reachable``: False when the server only
    listens on this machine, so no other device can join."""

    base: str
    hint: str = ""
    reachable: bool = True


def is_loopback(host: str) -> bool:
    """True for ``localhost``, ``127.x.x.x`` and ``::1``. Usage: ``is_loopback("127.0.0.1")``"""
    host = (host or "").strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme or "http", parts.hostname or "", port


def join_base(page_url: str, public_url: str | None = None, network_ip: str | None = None,
              listen_address: str | None = None) -> JoinAddress:
    """The join page's address for students.

    ``page_url``: what the instructor's browser shows (``st.context.url``); ``public_url``: the
    configured public address (a proxy's); ``network_ip``: this machine's address on the
    network (what ``streamlit run`` prints as "Network URL"); ``listen_address``: the server's
    ``server.address`` setting when one was given (``127.0.0.1`` means no other device can
    connect).
    """
    scheme, host, port = _origin(page_url or "http://localhost:8501")
    here = f"{scheme}://{host}{'' if port is None else f':{port}'}"
    if public_url:
        public = public_url.strip().rstrip("/")
        if public.endswith("/" + PAGE):
            public = public[: -len(PAGE) - 1]
        hint = ""
        if urlsplit(public).netloc != urlsplit(here).netloc:
            hint = (f"Students use {public} (the public address in the settings); you opened "
                    f"this page at {here}.")
        return JoinAddress(f"{public}/{PAGE}", hint)
    listens_locally = bool(listen_address) and is_loopback(listen_address or "")
    if is_loopback(host):
        if listens_locally:
            return JoinAddress(f"{here}/{PAGE}", "This server only accepts connections from "
                               "this computer, so phones cannot join. Start it with `make run` "
                               "(it listens on the network), then open the address it prints as "
                               "Network URL.", reachable=False)
        if network_ip and not is_loopback(network_ip):
            there = f"{scheme}://{network_ip}{'' if port is None else f':{port}'}"
            return JoinAddress(f"{there}/{PAGE}",
                               f"You opened this page as {host}, which only works on this "
                               f"computer: students use {there} (this machine on the network). "
                               "Their phones must be on the same network (Wi-Fi) as this "
                               "computer.")
        return JoinAddress(f"{here}/{PAGE}", "You opened this page as localhost and this "
                           "machine has no network address: students cannot reach it. Connect "
                           "it to the room's network, or set EMBEDDING_EXPLORER_PUBLIC_URL.",
                           reachable=False)
    return JoinAddress(f"{here}/{PAGE}")
