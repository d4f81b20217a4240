"""What the server log keeps: a browser leaving mid-message is not an error; real errors stay."""

from __future__ import annotations

import logging
import sys

from starlette.websockets import WebSocketDisconnected

import ui.resources  # noqa: F401 - installs the filters


def record(exc: BaseException) -> logging.LogRecord:
    try:
        raise exc
    except BaseException:
        info = sys.exc_info()
    return logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                             "Exception in ASGI application", None, info)


def test_a_browser_that_left_mid_message_leaves_no_traceback():
    quiet = logging.getLogger("uvicorn.error").filters
    assert quiet, "the filter is installed on the ASGI server's error logger"

    def kept(rec):
        return all(f.filter(rec) for f in quiet)

    try:  # as Streamlit 1.67 does it: close() while handling the socket's own disconnect
        try:
            raise WebSocketDisconnected('WebSocket is not connected. Need to call "accept" first.')
        except RuntimeError:
            raise WebSocketDisconnected('Cannot call "send" once a close message has been sent.')  # noqa: B904 - as Streamlit does
    except RuntimeError as exc:
        chained = exc
    assert not kept(record(chained))
    assert kept(record(RuntimeError("a real bug")))
    assert kept(record(ValueError("another")))
    assert kept(logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "Started", None, None))
