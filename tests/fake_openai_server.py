"""A small OpenAI-compatible embeddings server on loopback, for tests: real MiniLM vectors.

Implements ``POST /v1/embeddings`` the way OpenAI's API does: request ``{"model", "input": str |
[str], "encoding_format": "float" | "base64", "dimensions"?}``; answer ``{"object": "list",
"data": [{"object": "embedding", "index", "embedding"}], "model", "usage": {"prompt_tokens",
"total_tokens"}}``; errors as ``{"error": {"message", "type", "param", "code"}}`` with OpenAI's
status codes (400 bad request, 401 wrong key, 404 unknown model, 429 rate limit, 500).

Faults for the next requests are queued with :meth:`FakeOpenAI.fail` (``"401"``, ``"404"``,
``"429"``, ``"500"``, ``"truncated"``, ``"drop"``, ``"wrong_dim"``, ``"hang"``, ``"slow"``);
``always`` makes every request fail one way until it is set back to ``None`` (a server that
hangs, or is slow, for a whole test). ``requests`` counts the POSTs that reached the server and
``headers`` records each one's request headers, so a test can see a cached answer made no
call and assert where a key went. ``key=None`` is a server that needs no key (it accepts any
``Authorization`` or none); ``any_model=True`` answers whatever model is asked for, the way
Infinity does when it serves one model.

    with FakeOpenAI(model) as server:        # model: a loaded SentenceTransformer
        client = OpenAI(api_key=server.key, base_url=server.base_url)
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_INPUTS = 2048  # OpenAI's limit of inputs per request
FAULTS = ("401", "404", "429", "500", "truncated", "drop", "wrong_dim", "hang", "slow")


def _error(status: int, message: str, kind: str, code: str | None, param: str | None = None):
    return status, {"error": {"message": message, "type": kind, "param": param, "code": code}}


class FakeOpenAI:
    """The server; use as a context manager (starts on a free port, stops on exit)."""

    def __init__(self, model: Any, key: str | None = "sk-test-fake-0123456789abcdef",
                 hang_seconds: float = 10.0, slow_seconds: float = 1.0,
                 retry_after: dict[str, str] | None = None, any_model: bool = False):
        self.model, self.key, self.hang_seconds = model, key, hang_seconds
        self.slow_seconds, self.any_model = slow_seconds, any_model
        #: headers of a 429 answer (OpenAI sends both; a test may ask for seconds)
        self.retry_after = retry_after if retry_after is not None else {"retry-after-ms": "10"}
        self.always: str | None = None  # a fault for every request while set
        self.requests = 0  # POSTs to /v1/embeddings that reached us
        self.bodies: list[dict] = []  # parsed request bodies, in order
        self.headers: list[dict] = []
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def fail(self, *faults: str) -> None:
        """Answer the next requests with these faults, one each, in order."""
        for f in faults:
            assert f in FAULTS, f
        with self._lock:
            self._faults.extend(faults)

    def let_go(self) -> None:
        """End every hang now, and every later one at once: a hanging request then drops its
        connection without an answer (for a test that must know the provider has not answered
        before it says so)."""
        self._stop.set()

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()  # release a hanging handler
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- the wire format ------------------------------------------------------------------

    def _answer(self, body: Any, auth: str | None, fault: str | None) -> tuple[int, dict]:
        if fault == "401" or (self.key is not None and auth != f"Bearer {self.key}"):
            return _error(401, "Incorrect API key provided. You can find your API key at "
                          "https://platform.openai.com/account/api-keys.",
                          "invalid_request_error", "invalid_api_key")
        if not isinstance(body, dict):
            return _error(400, "We could not parse the JSON body of your request.",
                          "invalid_request_error", None)
        model = body.get("model")
        if fault == "404" or (model != MODEL_NAME and not self.any_model):
            return _error(404, f"The model `{model}` does not exist or you do not have access "
                          "to it.", "invalid_request_error", "model_not_found")
        if fault == "429":
            return _error(429, "Rate limit reached for requests. Please try again in 0s.",
                          "requests", "rate_limit_exceeded")
        if fault == "500":
            return _error(500, "The server had an error while processing your request.",
                          "server_error", None)
        inputs = body.get("input")
        if isinstance(inputs, str):
            inputs = [inputs]
        if (not isinstance(inputs, list) or not inputs or len(inputs) > MAX_INPUTS
                or not all(isinstance(t, str) and t for t in inputs)):
            return _error(400, "'$.input' is invalid. Please check the API reference.",
                          "invalid_request_error", None, "input")
        fmt = body.get("encoding_format", "float")
        if fmt not in ("float", "base64"):
            return _error(400, f"Invalid value for 'encoding_format': {fmt!r}.",
                          "invalid_request_error", None, "encoding_format")
        if body.get("dimensions") not in (None, 384):
            return _error(400, "This model does not support specifying dimensions.",
                          "invalid_request_error", None, "dimensions")
        vectors = self.model.encode(inputs, normalize_embeddings=True, convert_to_numpy=True,
                                    show_progress_bar=False).astype(np.float32)
        if fault == "wrong_dim":
            vectors = vectors[:, :100]
        tokens = sum(len(self.model.tokenizer.tokenize(t)) for t in inputs)
        data = []
        for i, v in enumerate(vectors):
            emb = (base64.b64encode(v.astype("<f4").tobytes()).decode("ascii")
                   if fmt == "base64" else [float(x) for x in v])
            data.append({"object": "embedding", "index": i, "embedding": emb})
        return 200, {"object": "list", "data": data, "model": MODEL_NAME,
                     "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.rstrip("/") != "/v1/embeddings":
                    self._send(*_error(404, f"Invalid URL (POST {self.path})",
                                       "invalid_request_error", None))
                    return
                with server._lock:
                    server.requests += 1
                    fault = server._faults.popleft() if server._faults else server.always
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                with server._lock:
                    server.bodies.append(body)
                    server.headers.append({k.lower(): v for k, v in self.headers.items()})
                if fault in ("hang", "drop"):  # no answer: after a while, or at once
                    if fault == "hang":
                        server._stop.wait(server.hang_seconds)
                    self.close_connection = True
                    return
                if fault == "slow":  # a right answer, late
                    server._stop.wait(server.slow_seconds)
                status, payload = server._answer(body, self.headers.get("Authorization"), fault)
                self._send(status, payload, truncated=fault == "truncated")

            def _send(self, status: int, payload: dict, truncated: bool = False) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 429:
                    for name, value in server.retry_after.items():
                        self.send_header(name, value)
                self.send_header("x-request-id", f"req_{server.requests}")
                self.end_headers()
                if truncated:  # half the body, then the connection drops
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(data)

        return Handler


if __name__ == "__main__":  # pragma: no cover - manual runs: serve until Ctrl-C
    import sys
    import time

    from embedding.models.sbert import load_sbert

    with FakeOpenAI(load_sbert()) as srv:
        print(f"OPENAI_BASE_URL={srv.base_url} OPENAI_API_KEY={srv.key}", flush=True)
        while True:
            time.sleep(3600)
            sys.stdout.flush()
