"""The protocol client: a student tab speaking Streamlit's websocket protocol, and the app shell a
fresh browser downloads first.

Each :class:`ProtocolSession` is one browser: its own cookie jar (the proxy's ``ee_route``, the
identity cookie, ``_streamlit_xsrf``), sent on every request and on the websocket, so one
simulated student stays one person and one replica. :meth:`ProtocolSession.arrive` does what a
browser with an empty cache does before its first page is drawn: the page's URL (index.html),
the files it names, ``/_stcore/health`` and ``/_stcore/host-config``, the websocket, the first
run. Like the browser, a session tells the server which large messages it holds already
(``cached_message_hashes``), and keeps ``run_every`` fragments ticking with
:meth:`~ProtocolSession.tick`. It counts what crossed the wire (:class:`Traffic`).

    s = ProtocolSession(base, Stats()); await s.connect(); seconds, widgets = await s.run("")
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field

from .stats import Stats

#: A widget value meaning "press this button" (what the browser sends for a click).
TRIGGER = object()
ACTION_TIMEOUT = 120.0  # seconds one run may take before it counts as an error
SHELL = [True]  # protocol sessions arriving fresh first download the app shell, like a browser
#: How many connections a browser opens to one host for HTTP/1.1 (Chromium: 6).
BROWSER_CONNECTIONS = 6
_SET_COOKIE = re.compile(rb"\r\n[Ss][Ee][Tt]-[Cc][Oo][Oo][Kk][Ii][Ee]:[ \t]*([^\r]*)")
_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)")
_ASSET_RE = re.compile(r'(?:src|href)="\./((?:static/)[^"]+)"')


@dataclass
class Traffic:
    """What crossed the wire for one session (exact counts: not noisy, unlike timings)."""

    requests: int = 0  # HTTP requests (index.html, app shell, health, host-config)
    http_bytes: int = 0  # HTTP response bodies as sent (compressed where the server did)
    ws_messages: int = 0  # ForwardMsgs received on the websocket
    ws_bytes: int = 0
    ws_sent: int = 0  # BackMsgs sent
    refs: int = 0  # messages the server replaced by a reference to one this tab holds

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class CookieJar:
    """One browser's cookies for one site: name -> value (Set-Cookie in, Cookie out)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def take(self, set_cookie: str) -> None:
        name, _, rest = set_cookie.partition("=")
        value = rest.split(";", 1)[0].strip()
        if name.strip():
            self.cookies[name.strip()] = value

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


class _Http:
    """One keep-alive HTTP/1.1 connection of one browser (its cookie jar, its traffic)."""

    def __init__(self, base: str, jar: CookieJar, traffic: Traffic):
        self.host, port = base.removeprefix("http://").split(":")
        self.port, self.jar, self.traffic = int(port), jar, traffic
        self.reader = self.writer = None

    async def get(self, path: str, keep_body: bool = False, missing_ok: bool = False) -> bytes:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        cookie = self.jar.header()
        self.writer.write(
            f"GET /{path.removeprefix('./').lstrip('/')} HTTP/1.1\r\nHost: {self.host}:{self.port}"
            f"\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n"
            .encode() + (f"Cookie: {cookie}\r\n".encode() if cookie else b"") + b"\r\n")
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        low = head.lower()  # header names and values we look at, without a parse per line
        for m in _SET_COOKIE.finditer(head):
            self.jar.take(m.group(1).decode("latin-1"))
        length = _LENGTH.search(low)
        if length:
            body = await self.reader.readexactly(int(length.group(1)))
        elif b"\r\ntransfer-encoding: chunked" in low:
            parts = []
            while True:
                size = int((await self.reader.readline()).strip().split(b";")[0], 16)
                parts.append((await self.reader.readexactly(size + 2))[:size])
                if size == 0:
                    break
            body = b"".join(parts)
        else:
            body = await self.reader.read()
            await self.close()
        self.traffic.requests += 1
        self.traffic.http_bytes += len(body)
        if status >= 400 and not (missing_ok and status == 404):
            raise RuntimeError(f"GET /{path.lstrip('./')}: HTTP {status}")
        if b"\r\nconnection: close" in low:
            await self.close()
        return body if keep_body else b""

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def fetch_shell(base: str, connections: int = BROWSER_CONNECTIONS, page: str = "",
                      jar: CookieJar | None = None, traffic: Traffic | None = None) -> int:
    """What a browser with an empty cache loads before the websocket: the page's URL (index.html)
    and the scripts, styles and fonts it names, over ``connections`` parallel keep-alive
    connections; returns the bytes received (compressed where the server compressed)."""
    jar, traffic = jar or CookieJar(), traffic or Traffic()
    before = traffic.http_bytes
    conns = [_Http(base, jar, traffic) for _ in range(connections)]
    try:
        raw = await conns[0].get(page, keep_body=True)
        if raw[:2] == b"\x1f\x8b":  # a gzipped index.html
            import gzip

            raw = gzip.decompress(raw)
        html = raw.decode("utf-8", "replace")
        assets = [*_ASSET_RE.findall(html), "favicon.png"]
        shares = [assets[i::connections] for i in range(connections)]

        async def load(conn: _Http, share: list[str]) -> None:
            for path in share:
                await conn.get(path)

        await asyncio.gather(*(load(c, s) for c, s in zip(conns, shares, strict=True) if s))
    finally:
        for c in conns:
            await c.close()
    return traffic.http_bytes - before


# --- protocol sessions --------------------------------------------------------------------------


@dataclass
class Widget:
    kind: str  # text_input, text_area, number_input, selectbox, ...
    id: str
    label: str
    proto: object


#: What each page's widgets look like, learned by the probe: url path -> widgets.
PAGE_WIDGETS: dict[str, list[Widget]] = {}


class ProtocolSession:
    """One student tab speaking Streamlit's websocket protocol, with its own cookie jar."""

    def __init__(self, base: str, stats: Stats, name: str = "s", jar: CookieJar | None = None):
        self.base, self.stats, self.name = base, stats, name
        self.jar = jar or CookieJar()
        self.traffic = Traffic()
        self.ws = None
        self.page = ""
        #: Hashes of the large messages this tab keeps (the browser's message cache).
        self.cached: set[str] = set()
        #: ``run_every`` fragments the page asked this tab to rerun: fragment id -> seconds.
        self.auto_reruns: dict[str, float] = {}
        self.widgets: dict[str, object] = {}  # the widget values of the page's last run

    async def arrive(self, page: str, shell: bool | None = None) -> float:
        """A fresh browser opening ``page``: the app shell (unless ``shell`` is false), health
        and host-config, the websocket, the first run. Returns the seconds until it is drawn."""
        t0 = time.perf_counter()
        if SHELL[0] if shell is None else shell:
            await fetch_shell(self.base, page=page, jar=self.jar, traffic=self.traffic)
        await self.connect(page)
        await self.run(page)
        return time.perf_counter() - t0

    async def connect(self, page: str = "") -> None:
        """``/_stcore/health`` and ``/_stcore/host-config`` as the browser asks them (on two
        connections at once, with this tab's cookies; opened on a page's path, first under that
        path, where they are missing, to find the app's base path), then the websocket."""
        from websockets.asyncio.client import connect

        conns = [_Http(self.base, self.jar, self.traffic) for _ in range(2)]
        try:
            if page:
                await asyncio.gather(conns[0].get(f"{page}/_stcore/health", missing_ok=True),
                                     conns[1].get(f"{page}/_stcore/host-config", missing_ok=True))
            await asyncio.gather(conns[0].get("_stcore/health"),
                                 conns[1].get("_stcore/host-config"))
        finally:
            for c in conns:
                await c.close()
        xsrf = self.jar.cookies.get("_streamlit_xsrf", "")
        host = self.base.removeprefix("http://")
        cookie = self.jar.header()
        self.ws = await connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            origin=self.base,
            additional_headers={"Cookie": cookie} if cookie else None,
            max_size=None, ping_interval=None, proxy=None, open_timeout=ACTION_TIMEOUT,
            compression=None,
        )

    async def run(self, page: str, widgets: dict[str, object] | None = None,
                  query: str = "", fragment: str = "",
                  timeout: float = ACTION_TIMEOUT) -> tuple[float, list[Widget]]:
        """Rerun ``page`` (url path, "" = home) with widget values; wait for script_finished.

        With ``fragment`` (an id from :attr:`auto_reruns`), rerun only that fragment, as the
        browser's ``run_every`` timer does. Returns the wall time and the widgets the page
        drew. Exceptions on the page are errors.
        """
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = query
        rs.page_name = page
        rs.widget_states.SetInParent()
        rs.cached_message_hashes.extend(self.cached)
        if fragment:
            rs.fragment_id = fragment
            rs.is_auto_rerun = True
        elif page != self.page:
            self.auto_reruns.clear()  # another page: the old page's timers stop
        for wid, value in (widgets or {}).items():
            ws = rs.widget_states.widgets.add()
            ws.id = wid
            if value is TRIGGER:
                ws.trigger_value = True
            elif isinstance(value, str):
                ws.string_value = value
            elif isinstance(value, bool):
                ws.bool_value = value
            elif isinstance(value, (int, float)):
                ws.double_value = float(value)
        drawn: list[Widget] = []
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        self.traffic.ws_sent += 1
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no script_finished for page '{page}' in {timeout}s")
            data = await asyncio.wait_for(self.ws.recv(), remaining)
            self.traffic.ws_messages += 1
            self.traffic.ws_bytes += len(data)
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if fm.metadata.cacheable and fm.hash:
                self.cached.add(fm.hash)
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                etype = el.WhichOneof("type")
                if etype == "exception":
                    self.stats.errors.append(
                        f"{page or 'home'}: exception {el.exception.type}: "
                        f"{el.exception.message[:200]}")
                elif etype == "alert" and el.alert.format == el.alert.ERROR:
                    self.stats.shown_errors.append(f"{page or 'home'}: {el.alert.body[:200]}")
                elif etype:
                    sub = getattr(el, etype)
                    wid = getattr(sub, "id", "") if hasattr(sub, "id") else ""
                    if wid:
                        drawn.append(Widget(etype, wid, getattr(sub, "label", ""), sub))
            elif kind == "ref_hash":
                self.traffic.refs += 1
            elif kind == "new_session" and not fm.metadata.run.fragment_ids:
                # a full run: the browser stops every run_every timer here, and starts again
                # those of the fragments this run draws (their auto_rerun messages follow)
                self.auto_reruns.clear()
            elif kind == "auto_rerun":
                self.auto_reruns[fm.auto_rerun.fragment_id] = fm.auto_rerun.interval
            elif kind == "stop_auto_rerun":
                for fid in fm.stop_auto_rerun.fragment_ids:
                    self.auto_reruns.pop(fid, None)
            elif kind == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.stats.errors.append(f"{page}: compile error")
                if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    break
        self.page = page
        if not fragment:
            self.widgets = dict(widgets or {})
        return time.perf_counter() - t0, drawn

    async def wait(self, seconds: float, action: str = "tick") -> None:
        """Spend ``seconds`` on the page as an open browser tab does: each ``run_every``
        fragment reruns on its own timer (each run timed as ``action``); without any, wait."""
        until = time.monotonic() + seconds
        due = {fid: time.monotonic() + every for fid, every in self.auto_reruns.items()}
        while due:
            fid, at = min(due.items(), key=lambda kv: kv[1])
            if at > until:
                break
            await asyncio.sleep(max(0.0, at - time.monotonic()))  # the browser's timer
            if fid not in self.auto_reruns:
                due.pop(fid)
                continue
            took, _ = await self.run(self.page, self.widgets, fragment=fid)
            self.stats.add(action, took)
            due = {f: due.get(f, time.monotonic()) for f in self.auto_reruns}
            if fid in due:
                due[fid] = time.monotonic() + self.auto_reruns[fid]
        await asyncio.sleep(max(0.0, until - time.monotonic()))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
