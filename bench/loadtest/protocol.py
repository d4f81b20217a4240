"""The protocol client: a student tab speaking Streamlit's websocket protocol, and the app shell a
fresh browser downloads first.

    s = ProtocolSession(base, Stats()); await s.connect(); seconds, widgets = await s.run("")
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass

from .stats import Stats

#: A widget value meaning "press this button" (what the browser sends for a click).
TRIGGER = object()
ACTION_TIMEOUT = 120.0  # seconds one run may take before it counts as an error
SHELL = [True]  # protocol sessions arriving fresh first download the app shell, like a browser


_ASSET_RE = None


async def _http_get_many(base: str, paths: list[str]) -> int:
    """GET ``paths`` over one keep-alive HTTP/1.1 connection; returns the bytes received."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    received = 0
    try:
        for path in paths:
            writer.write(f"GET /{path.removeprefix('./').lstrip('/')} HTTP/1.1\r\nHost: {host}:{port}"
                         f"\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            if status >= 400:
                raise RuntimeError(f"GET {path}: HTTP {status}")
            headers = {k.strip().lower(): v.strip() for k, _, v in (
                line.partition(b":") for line in head.split(b"\r\n")[1:] if line)}
            if b"content-length" in headers:
                received += len(await reader.readexactly(int(headers[b"content-length"])))
            elif headers.get(b"transfer-encoding") == b"chunked":
                while True:
                    size = int((await reader.readline()).strip().split(b";")[0], 16)
                    received += len(await reader.readexactly(size + 2))
                    if size == 0:
                        break
    finally:
        writer.close()
    return received


async def fetch_shell(base: str, connections: int = 6) -> int:
    """What a browser with an empty cache loads before the websocket: index.html and the
    scripts, styles and fonts it names, over ``connections`` parallel keep-alive connections."""
    global _ASSET_RE
    import re

    if _ASSET_RE is None:
        _ASSET_RE = re.compile(r'(?:src|href)="(\./[^"]+)"')
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    html = (await reader.read()).decode("utf-8", "replace")
    writer.close()
    assets = _ASSET_RE.findall(html)
    shares = [assets[i::connections] for i in range(connections)]
    got = await asyncio.gather(*(_http_get_many(base, share) for share in shares if share))
    return len(html) + sum(got)


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
    """One student tab speaking Streamlit's websocket protocol."""

    def __init__(self, base: str, stats: Stats, name: str = "s"):
        self.base, self.stats, self.name = base, stats, name
        self.ws = None
        self.page = ""

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        def _cookie() -> str:
            with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=30) as r:
                for header in r.headers.get_all("Set-Cookie") or []:
                    if header.startswith("_streamlit_xsrf="):
                        return header.split(";", 1)[0].split("=", 1)[1]
            return ""

        xsrf = await asyncio.to_thread(_cookie)
        host = self.base.removeprefix("http://")
        self.ws = await connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            origin=self.base,
            additional_headers={"Cookie": f"_streamlit_xsrf={xsrf}"} if xsrf else None,
            max_size=None, ping_interval=None, proxy=None, open_timeout=ACTION_TIMEOUT,
            compression=None,
        )

    async def run(self, page: str, widgets: dict[str, object] | None = None,
                  query: str = "") -> tuple[float, list[Widget]]:
        """Rerun ``page`` (url path, "" = home) with widget values; wait for script_finished.

        Returns the wall time and the widgets the page drew. Exceptions on the page are errors.
        """
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = query
        rs.page_name = page
        rs.widget_states.SetInParent()
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
        deadline = time.monotonic() + ACTION_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no script_finished for page '{page}' in {ACTION_TIMEOUT}s")
            data = await asyncio.wait_for(self.ws.recv(), remaining)
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
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
            elif kind == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.stats.errors.append(f"{page}: compile error")
                if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    break
        self.page = page
        return time.perf_counter() - t0, drawn

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
