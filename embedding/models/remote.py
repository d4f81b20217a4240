"""An OpenAI-compatible ``/v1/embeddings`` endpoint as an embedding provider that fails well.

OpenAI itself, or a server that speaks the same API (Ollama, vLLM, Infinity, Hugging Face TEI),
through the official ``openai`` client. Texts leave this server only here, and only for a
provider an instructor configured.

- **One deadline** per call of :meth:`OpenAIProvider.submit`/``embed`` (default 10 s per batch of
  texts), covering every try and every wait. Only a rate limit (429, waiting what its
  ``Retry-After`` asks when that fits in the deadline) and a refused connection are tried
  again; a server that did not answer in time is never asked a second time.
- **A circuit breaker per provider** (:class:`~embedding.models.resilience.CircuitBreaker`),
  shared by every session of the process: after a failure the provider is skipped at once for a
  cool-down, then one probe finds out whether it is back while the others wait for its verdict.
- **Single flight**: concurrent callers asking for the same texts share one request (and its
  failure); :meth:`submit` returns a future, so a page never waits on the network.
- **Disk cache** by (endpoint, model, dimensions, text hash), served only after this process
  has seen the key accepted once (a one-text probe): a wrong key cannot look right.
- **The key goes nowhere else**: the request hook sends exactly this provider's key (or no
  ``Authorization`` header) and drops every other header that is not the API's own.
- **Truthful labels**: the first answer is compared with what the model claims (declared
  dimension, the model name in the answer, the built-in SBERT's vector for the same text,
  other providers' answers); a mismatch is reported once (:attr:`OpenAIProvider.notices`).

    p = OpenAIProvider(ProviderSpec("small", model="text-embedding-3-small",
                                    api_key_env="OPENAI_API_KEY"), api_key=key,
                       cache_dir=writable_dir("cache", "embeddings"))
    p.embed(["milk chocolate"]).shape        # (1, 1536): one call, then from the disk cache
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embedding.models.providers import (
    EmbeddingProvider,
    ProviderError,
    ProviderSpec,
    ProviderUnavailable,
    is_openai_host,
)
from embedding.models.resilience import (
    CircuitBreaker,
    CircuitOpen,
    Deadline,
    SingleFlight,
    done_future,
)
from embedding.similarity import unit_rows

log = logging.getLogger(__name__)

#: OpenAI's limits per request: 2,048 inputs and 300,000 tokens (a token is ≥ 1 character, so
#: a character budget is a safe bound without a tokenizer).
MAX_INPUTS = 2048
MAX_CHARS = 300_000

#: Dimensions of OpenAI's own models, for a caption before the first call.
KNOWN_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072,
              "text-embedding-ada-002": 1536}

#: The text an instructor's check sends (never a student's text).
CHECK_TEXT = "Embedding Explorer checks this provider."

#: Requests one provider may have in flight at once (others wait, within their deadline).
MAX_CONCURRENT = 4

#: Cosine above which two vectors of the same text count as the same model's answer.
SAME_VECTORS = 0.99999

#: Failures that say nothing about the server's health (no breaker verdict).
_NO_VERDICT = {"bad_request", "busy", "empty"}


def text_hash(text: str) -> str:
    """The cache key of one text (SHA-256 of its UTF-8 bytes).

    Usage: ``text_hash("a cat")[:8]`` → ``'6b3bc4e8'``
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def batches(texts: Sequence[str], max_inputs: int, max_chars: int = MAX_CHARS
            ) -> Iterator[list[str]]:
    """Consecutive batches of ``texts`` with at most ``max_inputs`` texts and ``max_chars``
    characters each (a text longer than ``max_chars`` goes alone).

    Usage: ``list(batches(["a", "b", "c"], 2))`` → ``[["a", "b"], ["c"]]``
    """
    batch: list[str] = []
    size = 0
    for t in texts:
        if batch and (len(batch) >= max_inputs or size + len(t) > max_chars):
            yield batch
            batch, size = [], 0
        batch.append(t)
        size += len(t)
    if batch:
        yield batch


def retry_after_seconds(headers) -> float | None:
    """What a 429's ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date) asks for.

    Usage: ``retry_after_seconds({"retry-after": "2"})`` → ``2.0``
    """
    if not headers:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            try:
                seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError, IndexError):
                continue
        if math.isfinite(seconds):
            return max(0.0, seconds)
    return None


class EmbeddingCache:
    """Unit rows on disk, one ``.npy`` file per text hash, in one folder per provider+model.

    Writes are atomic (temporary file, then rename), so concurrent sessions and processes never
    read half a file.

    Usage: ``EmbeddingCache(folder).get(["a cat"])`` → ``{"a cat": row}`` for the ones on disk
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, text: str) -> Path:
        h = text_hash(text)
        return self.folder / h[:2] / f"{h}.npy"

    def get(self, texts: Sequence[str], dim: int = 0) -> dict[str, np.ndarray]:
        """The cached rows of ``texts`` (of ``dim`` numbers, when given)."""
        out = {}
        for t in texts:
            path = self._path(t)
            if t not in out and path.exists():
                try:
                    row = np.load(path, allow_pickle=False)
                except (OSError, ValueError):  # a damaged file: embed again
                    continue
                if row.ndim == 1 and (not dim or row.shape[0] == dim):
                    out[t] = row
        return out

    def put(self, text: str, row: np.ndarray) -> None:
        path = self._path(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.save(f, np.asarray(row, dtype=np.float32), allow_pickle=False)
        os.replace(tmp, path)

    def count(self) -> int:
        return sum(1 for _ in self.folder.glob("*/*.npy"))

    def clear(self) -> None:
        """Forget every cached row (the server's answers changed under the same name)."""
        for sub in self.folder.iterdir():
            if sub.is_dir():
                shutil.rmtree(sub, ignore_errors=True)


def _scrub(text: str, secret: str | None) -> str:
    """``text`` without the key (a server may echo part of it) and cut to a readable length."""
    if secret:
        text = text.replace(secret, "***")
    text = re.sub(r"\b(sk|key)-[A-Za-z0-9_*\-]{6,}", "***", text)  # masked echoes of keys
    return text[:400]


def _model_slug(name: str) -> str:
    """A model name without its organisation prefix, lower case: ``all-minilm-l6-v2``."""
    return name.strip().rstrip("/").rsplit("/", 1)[-1].lower()


def _same_model_name(a: str, b: str) -> bool:
    """Whether two model names plausibly name the same model (``text-embedding-ada-002`` and
    ``text-embedding-ada-002-v2``, ``all-MiniLM-L6-v2`` and ``sentence-transformers/all-…``)."""
    a, b = _model_slug(a), _model_slug(b)
    return bool(a and b) and (a in b or b in a)


#: Answers seen by every provider in the process, by text hash: ``{label: row}``; to notice
#: two providers that answer with the same vectors under different names.
_SEEN: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()
_SEEN_LOCK = threading.Lock()
_SEEN_MAX = 256


@dataclass(frozen=True)
class ProviderStatus:
    """A remote provider's health for the instructor's status line (no key, no texts)."""

    name: str
    model: str
    endpoint: str
    state: str  # unchecked | closed | open | half-open (see resilience)
    retry_in: float
    reason: str | None
    failed_ago: float | None
    latency: float | None
    probing: bool
    dim: int
    key_checked: bool
    deadline: float
    cooldown: float
    notices: tuple[str, ...]


@dataclass(frozen=True)
class CheckReport:
    """The answer to "test this provider": each field is ``None`` when the check could not
    tell (e.g. no answer, so neither the key nor the dimension is known)."""

    name: str
    endpoint: str
    model: str
    reachable: bool | None
    latency: float | None
    dim: int | None
    key_accepted: bool | None
    answered_model: str | None
    message: str
    notices: tuple[str, ...]
    key_sent: bool = True  # False: this provider is configured with no key (none is sent)

    @property
    def key_note(self) -> str:
        """``yes`` / ``no`` / ``unknown``, or ``no key sent`` for a provider without one."""
        if not self.key_sent and self.key_accepted is not False:
            return "no key sent" if self.key_accepted else "unknown (no key sent)"
        return {True: "yes", False: "no", None: "unknown"}[self.key_accepted]

    @property
    def ok(self) -> bool:
        return bool(self.reachable and self.key_accepted and self.dim)


class OpenAIProvider(EmbeddingProvider):
    """An OpenAI-compatible embeddings endpoint (see the module docstring).

    ``spec`` says which (name, model, base URL, batch size, optional ``dimensions``);
    ``api_key`` is kept inside the client only (``None``: no ``Authorization`` header);
    ``deadline`` (seconds per batch, all tries), ``max_retries`` (extra tries after a 429 or a
    refused connection) and ``cooldown`` (the breaker's first window) say how it fails;
    ``reference`` (texts → unit rows, e.g. the built-in SBERT) and ``reference_name`` let the
    first answer be compared with a model that runs here.
    """

    remote = True

    def __init__(self, spec: ProviderSpec, *, api_key: str | None, cache_dir: Path,
                 deadline: float = 10.0, max_retries: int = 2, cooldown: float = 30.0,
                 reference: Callable[[list[str]], np.ndarray] | None = None,
                 reference_name: str = "", clock: Callable[[], float] = time.monotonic):
        self.spec = spec
        self.key, self.name, self.model = spec.key, spec.name, spec.model
        self.endpoint = spec.base_url
        self.deadline, self.max_retries = float(deadline), int(max_retries)
        self._secret = api_key or None
        self._clock = clock
        self.breaker = CircuitBreaker(cooldown=cooldown, clock=clock)
        self._client = self._make_client()
        self._declared = spec.dimensions or KNOWN_DIMS.get(spec.model, 0)
        self._dim = self._declared
        self.description = (f"{spec.model} at {spec.base_url}"
                            + (f", {self._dim} numbers" if self._dim else "")
                            + ": the texts are sent to that server")
        self.cache = EmbeddingCache(Path(cache_dir) / spec.cache_folder)
        self.reference, self.reference_name = reference, reference_name
        self.notices: list[str] = []
        self._verified = False  # this process saw the key accepted (then the cache is served)
        self._inspected = False  # the first answer was compared with the model's claims
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT)
        self._flights = SingleFlight()
        self._memory: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        # texts whose request failed: (error, breaker successes then, when), so a page that
        # looks again soon gets the same message instead of sending the same request again
        self._failed: OrderedDict[tuple[str, ...], tuple[ProviderError, int, float]] = \
            OrderedDict()
        self._wake = threading.Event()  # never set: an interruptible sleep for Retry-After

    # -- the client: this provider's key and nothing else ---------------------------------

    def _make_client(self):
        from openai import DefaultHttpxClient, OpenAI

        secret, openai_host = self._secret, is_openai_host(self.endpoint)

        def only_what_is_meant(request) -> None:
            """Runs on every request: this provider's key or no Authorization header at all,
            and none of the headers the client may pick up from the environment
            (``OPENAI_ORG_ID``, ``OPENAI_PROJECT_ID``, ``OPENAI_CUSTOM_HEADERS``) unless the
            host is OpenAI's."""
            for name in list(request.headers.keys()):
                low = name.lower()
                keep = (low in ("host", "accept", "accept-encoding", "connection",
                                "content-type", "content-length", "user-agent")
                        or low.startswith("x-stainless-")
                        or (openai_host and low.startswith("openai-")))
                if not keep:
                    del request.headers[name]
            if secret:
                request.headers["Authorization"] = f"Bearer {secret}"

        http = DefaultHttpxClient(event_hooks={"request": [only_what_is_meant]},
                                  follow_redirects=False, timeout=self.deadline)
        # the client insists on a key; the hook decides what is really sent
        return OpenAI(api_key=secret or "unused", base_url=self.endpoint, max_retries=0,
                      timeout=self.deadline, http_client=http, organization="", project="",
                      admin_api_key="", webhook_secret="")

    # -- what it is -----------------------------------------------------------------------

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def fingerprint(self) -> str:
        return f"{self.spec.cache_folder}-{self._dim}"

    def __repr__(self) -> str:  # never the key
        return f"OpenAIProvider({self.name!r}, model={self.model!r}, base_url={self.endpoint!r})"

    def deadline_for(self, n_texts: int) -> float:
        """Seconds one call for ``n_texts`` texts may take: the deadline per batch of
        ``batch_size`` (one batch for the few texts of a page action)."""
        return self.deadline * max(1, math.ceil(n_texts / self.spec.batch_size))

    def status(self) -> ProviderStatus:
        b = self.breaker.status()
        return ProviderStatus(
            name=self.name, model=self.model, endpoint=self.endpoint, state=b.state,
            retry_in=b.retry_in, reason=b.reason, failed_ago=b.failed_ago, latency=b.latency,
            probing=b.probing, dim=self._dim, key_checked=self._verified, deadline=self.deadline,
            cooldown=b.cooldown, notices=tuple(self.notices))

    # -- embedding ------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The unit rows of ``texts`` (blocking, at most the deadline). Raises
        :class:`ProviderError` (:class:`ProviderUnavailable` while the breaker is open)."""
        return self.submit(texts).result()

    def submit(self, texts: Sequence[str]) -> Future:
        """A future of the unit rows of ``texts``; never blocks. Already finished for texts
        this process has (memory) and for a provider that is skipped (breaker open); callers
        asking for the same texts at once share one request."""
        texts = [str(t) for t in texts]
        if not texts:
            return done_future(np.zeros((0, self._dim), dtype=np.float32))
        if any(not t.strip() for t in texts):
            return done_future(error=ProviderError(
                self.name, f"{self.name} cannot embed an empty text.", kind="empty"))
        key = tuple(texts)
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None:
                self._memory.move_to_end(key)
                return done_future(hit)
            failed = self._failed.get(key)
        try:  # skipped at once while open: no thread, no wait (and the message says when the
            self._open_check()  # next check is, which a remembered failure would not)
        except ProviderUnavailable as exc:
            return done_future(error=exc)
        if failed is not None:
            exc, successes, at = failed
            fresh = self._clock() - at < min(self.breaker.base_cooldown, 30.0)
            if fresh and self.breaker.status().successes == successes:
                return done_future(error=exc)
        deadline = Deadline(self.deadline_for(len(texts)), clock=self._clock)
        future = self._flights.submit(key, lambda: self._job(texts, deadline))
        if not hasattr(future, "started"):  # a new flight (a joined one keeps its own)
            future.started, future.deadline = deadline.at - deadline.seconds, deadline.seconds
        return future

    def waiting(self, texts: Sequence[str]) -> bool:
        """Whether a request for exactly ``texts`` is in flight now."""
        return self._flights.running(tuple(str(t) for t in texts)) is not None

    def _open_check(self) -> None:
        b = self.breaker.status()
        if b.state == "open":
            raise self._unavailable(b.reason, b.retry_in)

    def _unavailable(self, reason: str | None, retry_in: float, probing: bool = False):
        if probing:
            msg = (f"{self.name} is being checked by another request and has not answered yet; "
                   "the page tries again by itself.")
        else:
            msg = (f"{self.name} is skipped for now: {reason or 'it failed'} "
                   f"Next check in {max(1, math.ceil(retry_in))} s.")
        return ProviderUnavailable(self.name, _scrub(msg, self._secret), retry_in=retry_in)

    def _remember(self, key: tuple[str, ...], rows: np.ndarray) -> None:
        rows.setflags(write=False)
        with self._lock:
            self._memory[key] = rows
            self._memory.move_to_end(key)
            while len(self._memory) > 512:
                self._memory.popitem(last=False)

    def _job(self, texts: list[str], deadline: Deadline) -> np.ndarray:
        try:
            return self._rows_of(texts, deadline)
        except ProviderError as exc:
            if not isinstance(exc, ProviderUnavailable):  # the breaker remembers those
                with self._lock:
                    self._failed[tuple(texts)] = (exc, self.breaker.status().successes,
                                                  self._clock())
                    while len(self._failed) > 256:
                        self._failed.popitem(last=False)
            raise

    def _rows_of(self, texts: list[str], deadline: Deadline) -> np.ndarray:
        found = self.cache.get(texts, self._dim)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        # A key this process has not seen accepted: one text goes to the server even when
        # everything is cached, so a wrong key is refused here too.
        check = not self._verified
        if missing or check:
            self._fetch(missing or [texts[0]], deadline, found, recheck=not missing)
        out = np.stack([found[t] for t in texts]).astype(np.float32, copy=False)
        self._remember(tuple(texts), out)
        return out

    def _fetch(self, todo: list[str], deadline: Deadline, found: dict[str, np.ndarray],
               recheck: bool = False) -> None:
        """Embed ``todo`` into ``found`` (and the disk cache) through the breaker."""
        try:
            probe = self.breaker.enter(deadline)
        except CircuitOpen as exc:
            raise self._unavailable(exc.reason, exc.retry_in, exc.probing) from None
        latency = None
        try:
            if not self._slots.acquire(timeout=deadline.remaining()):
                raise self._fail(f"{self.name} is busy with {MAX_CONCURRENT} other requests from "
                                 f"this server and none finished within {deadline.seconds:g} s.",
                                 kind="busy")
            try:
                # the probe asks for one text first: a broken server costs one small request
                plan = [todo[:1], *batches(todo[1:], self.spec.batch_size)] if (
                    probe or not self._verified) else list(batches(todo, self.spec.batch_size))
                for batch in (b for b in plan if b):
                    rows, latency, answered = self._request(batch, deadline)
                    self._verified = True
                    self._inspect(batch, rows, answered, found if recheck else None)
                    for t, row in zip(batch, rows, strict=True):
                        self.cache.put(t, row)
                        found[t] = row
            finally:
                self._slots.release()
        except ProviderError as exc:
            if exc.kind in _NO_VERDICT:
                if exc.kind == "bad_request":
                    self.breaker.succeeded(latency)  # it answered: it is up
                elif probe:
                    self.breaker.release()
            else:
                if exc.kind == "auth":
                    self._verified = False
                self.breaker.failed(exc.reason, exc.retry_in)
            raise
        except BaseException:
            if probe:
                self.breaker.release()
            raise
        self.breaker.succeeded(latency)

    # -- one request, tried again only when that is worth it ------------------------------

    def _fail(self, message: str, kind: str, reason: str | None = None,
              retry_in: float | None = None) -> ProviderError:
        return ProviderError(self.name, _scrub(message, self._secret), kind=kind,
                             reason=_scrub(reason or message, self._secret), retry_in=retry_in)

    def _request(self, batch: list[str], deadline: Deadline):
        """``(unit rows, seconds, model name the server gave)`` for one batch, within
        ``deadline``: a 429 is tried again after its Retry-After when that fits, a refused
        connection after a short back-off; nothing else is tried twice."""
        import openai

        where = f"{self.name} ({self.endpoint})"
        extra = {"dimensions": self.spec.dimensions} if self.spec.dimensions else {}
        total = deadline.seconds
        tries = 0
        while True:
            left = deadline.remaining()
            if left <= 0.05:
                raise self._fail(
                    f"{where} did not answer within {total:g} s (one deadline for the whole "
                    f"action, {tries} tr{'y' if tries == 1 else 'ies'} made).",
                    kind="timeout", reason=f"it did not answer within {total:g} s.")
            tries += 1
            t0 = self._clock()
            try:
                resp = self._client.embeddings.create(model=self.model, input=batch,
                                                      timeout=left, **extra)
                latency = self._clock() - t0
                return self._rows(resp, len(batch)), latency, getattr(resp, "model", None)
            except openai.RateLimitError as exc:
                wait = retry_after_seconds(getattr(exc.response, "headers", None))
                wait = 0.5 * 2 ** (tries - 1) if wait is None else wait
                if tries > self.max_retries or wait >= deadline.remaining():
                    raise self._fail(
                        f"{where} is rate-limiting us (429) after {tries} "
                        f"tr{'y' if tries == 1 else 'ies'} and asks to wait {wait:.1f} s; "
                        f"the deadline is {total:g} s. Try again in a minute, or use SBERT.",
                        kind="rate_limit", retry_in=wait,
                        reason=f"it is rate-limiting us (429) and asked to wait {wait:.1f} s."
                    ) from None
                self._wake.wait(wait)
            except openai.APITimeoutError:  # never a second try at a server that did not answer
                raise self._fail(
                    f"{where} did not answer within {total:g} s (one deadline for the whole "
                    f"action, {tries} tr{'y' if tries == 1 else 'ies'} made).",
                    kind="timeout", reason=f"it did not answer within {total:g} s.") from None
            except openai.APIConnectionError as exc:
                backoff = 0.25 * 2 ** (tries - 1)
                if _refused(exc):
                    if tries <= self.max_retries and backoff < deadline.remaining():
                        self._wake.wait(backoff)
                        continue
                    raise self._fail(
                        f"Could not reach {where}: the connection was refused ({tries} "
                        f"tr{'y' if tries == 1 else 'ies'}). Is the server running? Check the "
                        "base URL.", kind="unreachable",
                        reason="the connection was refused (is the server running?).") from None
                raise self._fail(
                    f"Could not reach {where}, or the connection broke off before the answer "
                    "was complete. Check the network and the base URL.", kind="unreachable",
                    reason="the connection broke off.") from None
            except openai.AuthenticationError:
                env = self.spec.api_key_env or "no key is configured for it"
                raise self._fail(
                    f"{where} refused the API key (401). Check the key set on the server "
                    f"({env}); SBERT still works.", kind="auth",
                    reason="it refused the API key (401).") from None
            except openai.PermissionDeniedError:
                raise self._fail(f"{where} says this key may not use model '{self.model}' (403).",
                                 kind="auth", reason="it refused this key for the model (403)."
                                 ) from None
            except openai.NotFoundError:
                raise self._fail(f"{where} has no model '{self.model}' (404). Check the model "
                                 "name in the provider settings.", kind="model",
                                 reason=f"it has no model '{self.model}' (404).") from None
            except openai.BadRequestError as exc:
                raise self._fail(f"{where} rejected the request (400): {_api_message(exc)}",
                                 kind="bad_request") from None
            except openai.APIStatusError as exc:
                raise self._fail(f"{where} answered with an error ({exc.status_code}). Try again "
                                 "later, or use SBERT.", kind="server",
                                 reason=f"it answered with an error ({exc.status_code})."
                                 ) from None
            except (openai.APIResponseValidationError, ValueError, TypeError):
                raise self._fail(f"{where} sent an answer that is not a list of embeddings.",
                                 kind="bad_answer", reason="its answer was not embeddings."
                                 ) from None

    def _rows(self, resp, n: int) -> np.ndarray:
        where = f"{self.name} ({self.endpoint})"
        data = sorted(getattr(resp, "data", None) or [], key=lambda d: d.index)
        if [d.index for d in data] != list(range(n)):
            raise self._fail(f"{where} returned {len(data)} vectors for {n} texts.",
                             kind="bad_answer")
        try:
            rows = np.array([d.embedding for d in data], dtype=np.float32)
        except (TypeError, ValueError):  # ragged rows
            raise self._fail(f"{where} returned vectors of different lengths.",
                             kind="bad_answer") from None
        if rows.ndim != 2 or rows.shape[1] == 0:
            raise self._fail(f"{where} returned no numbers.", kind="bad_answer")
        if self._inspected and self._dim and rows.shape[1] != self._dim:
            self._notice(f"{self.name} changed its answers from {self._dim} to {rows.shape[1]} "
                         "numbers per vector: the server may now serve another model.")
            raise self._fail(f"{where} returned vectors of {rows.shape[1]} numbers; this model "
                             f"gave {self._dim} before. Check the model name and `dimensions`.",
                             kind="bad_answer",
                             reason=f"its vectors changed from {self._dim} to {rows.shape[1]} "
                                    "numbers.")
        if not np.all(np.isfinite(rows)):
            raise self._fail(f"{where} returned numbers that are not finite.", kind="bad_answer")
        unit, lengths = unit_rows(rows)
        if np.any(lengths == 0):
            raise self._fail(f"{where} returned an all-zero vector.", kind="bad_answer")
        return unit

    # -- is it what it says it is? --------------------------------------------------------

    def _notice(self, text: str) -> None:
        with self._lock:
            if text in self.notices:
                return
            self.notices.append(text)
        log.warning("provider %s: %s", self.name, text)

    def _inspect(self, batch: list[str], rows: np.ndarray, answered: str | None,
                 cached: dict[str, np.ndarray] | None) -> None:
        """Compare an answer with what the model claims; each mismatch is noticed once."""
        text, row = batch[0], rows[0]
        if cached is not None and text in cached and cached[text].shape == row.shape \
                and float(cached[text] @ row) < 0.999:
            self._notice(f"{self.name}'s answers differ from the vectors cached for "
                         f"'{self.model}' earlier: the server now serves another model under "
                         "that name. The cached vectors were dropped.")
            self.cache.clear()
            cached.clear()
        if not self._inspected:
            self._inspected = True
            if self._declared and rows.shape[1] != self._declared:
                self._notice(f"{self.name} was declared with {self._declared} numbers per vector "
                             f"but answers with {rows.shape[1]}: labels show {rows.shape[1]}.")
            self._dim = rows.shape[1]
            if answered and not _same_model_name(answered, self.model):
                self._notice(f"{self.name} was asked for model '{self.model}' but says it "
                             f"answered with '{answered}'.")
            if self.reference is not None and not _same_model_name(self.reference_name,
                                                                   self.model):
                try:
                    ref = self.reference([text])[0]
                except Exception:  # the built-in model is not there: nothing to compare
                    ref = None
                if ref is not None and ref.shape == row.shape and float(ref @ row) > SAME_VECTORS:
                    self._notice(
                        f"{self.name} answers with exactly the built-in SBERT's vectors "
                        f"({self.reference_name}, cosine {float(ref @ row):.6f} on the same "
                        f"text), not those of '{self.model}': the server may ignore the model "
                        "name.")
        with _SEEN_LOCK:
            seen = _SEEN.setdefault(text_hash(text), {})
            _SEEN.move_to_end(text_hash(text))
            label = f"{self.name} ({self.model})"
            for other, vec in seen.items():
                if other != label and vec.shape == row.shape and float(vec @ row) > SAME_VECTORS \
                        and not other.endswith(f"({self.model})"):
                    self._notice(f"{self.name} answers with the same vectors as {other}: one of "
                                 "them is not the model it says it is.")
            seen[label] = row
            while len(_SEEN) > _SEEN_MAX:
                _SEEN.popitem(last=False)

    # -- the instructor's check -----------------------------------------------------------

    def check(self) -> CheckReport:
        """Send :data:`CHECK_TEXT` now (no cache, one deadline) and report reachability,
        latency, dimension, whether the key is accepted, and any mismatch noticed. Counts as
        the breaker's probe: a success closes it, a failure opens it. Concurrent checks share
        one request."""
        return self._flights.submit(("__check__",), self._check).result()

    def _check(self) -> CheckReport:
        deadline = Deadline(self.deadline, clock=self._clock)
        reachable = key_ok = dim = latency = answered = None
        try:
            rows, latency, answered = self._request([CHECK_TEXT], deadline)
        except ProviderError as exc:
            message = str(exc)
            if exc.kind == "auth":
                reachable, key_ok = True, False
            elif exc.kind in ("model", "bad_request", "server", "rate_limit", "bad_answer"):
                reachable = True
            elif exc.kind == "unreachable":
                reachable = False
            if exc.kind == "auth":
                self._verified = False
            if exc.kind not in _NO_VERDICT:
                self.breaker.failed(exc.reason, exc.retry_in)
        else:
            reachable, key_ok, dim = True, True, rows.shape[1]
            self._verified = True
            self._inspect([CHECK_TEXT], rows, answered, None)
            self.breaker.succeeded(latency)
            message = (f"{self.name} answered in {latency * 1000:.0f} ms with {dim} numbers per "
                       "vector; the key was accepted." if self._secret else
                       f"{self.name} answered in {latency * 1000:.0f} ms with {dim} numbers per "
                       "vector (no key is sent to it).")
        return CheckReport(name=self.name, endpoint=self.endpoint, model=self.model,
                           reachable=reachable, latency=latency, dim=dim, key_accepted=key_ok,
                           answered_model=answered, message=message,
                           notices=tuple(self.notices), key_sent=bool(self._secret))


def _refused(exc: BaseException) -> bool:
    """Whether a connection error is a refused connection (nothing listens: safe to retry)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ConnectionRefusedError) or "refused" in str(cur).lower():
            return True
        cur = cur.__cause__ or cur.__context__
    return False


def _api_message(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        msg = body.get("message") or (body.get("error") or {}).get("message")
        if msg:
            return str(msg)
    return "no reason given"
