"""An OpenAI-compatible ``/v1/embeddings`` endpoint as an embedding provider, cached on disk.

OpenAI itself, or a server that speaks the same API (Ollama, vLLM, Infinity, Hugging Face TEI),
through the official ``openai`` client: its own retries with back-off and its timeout. Texts
leave this server only here, and only for a provider an instructor configured.

- Every vector is cached on disk by (provider, model, text hash): a class of 50 typing the same
  sentence costs one call, and concurrent misses wait for one call instead of making fifty.
- Batches stay within the API's limits (inputs per request, characters as a token bound).
- Each failure becomes a :class:`~embedding.models.providers.ProviderError` whose message says
  what to do; nothing from a failed call is cached; the API key is in no message or log line.

    p = OpenAIProvider(ProviderSpec("small", model="text-embedding-3-small"), api_key=key,
                       cache_dir=writable_dir("cache", "embeddings"))
    p.embed(["milk chocolate"]).shape        # (1, 1536): one call, then from the disk cache
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from embedding.models.providers import EmbeddingProvider, ProviderError, ProviderSpec
from embedding.similarity import unit_rows

#: OpenAI's limits per request: 2,048 inputs and 300,000 tokens (a token is ≥ 1 character, so
#: a character budget is a safe bound without a tokenizer).
MAX_INPUTS = 2048
MAX_CHARS = 300_000

#: Dimensions of OpenAI's own models, for a caption before the first call.
KNOWN_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072,
              "text-embedding-ada-002": 1536}


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

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        out = {}
        for t in texts:
            path = self._path(t)
            if t not in out and path.exists():
                try:
                    out[t] = np.load(path, allow_pickle=False)
                except (OSError, ValueError):  # a damaged file: embed again
                    continue
        return out

    def put(self, text: str, row: np.ndarray) -> None:
        path = self._path(text)
        path.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            np.save(f, np.asarray(row, dtype=np.float32), allow_pickle=False)
        os.replace(tmp, path)

    def count(self) -> int:
        return sum(1 for _ in self.folder.glob("*/*.npy"))


def _scrub(text: str, secret: str | None) -> str:
    """``text`` without the key (a server may echo part of it) and cut to a readable length."""
    if secret:
        text = text.replace(secret, "***")
    text = re.sub(r"\b(sk|key)-[A-Za-z0-9_*\-]{6,}", "***", text)  # masked echoes of keys
    return text[:300]


class OpenAIProvider(EmbeddingProvider):
    """An OpenAI-compatible embeddings endpoint (see the module docstring).

    ``spec`` says which (name, model, base URL, batch size, optional ``dimensions``);
    ``api_key`` is kept inside the client only; ``timeout`` (seconds) and ``max_retries`` go to
    the ``openai`` client, which retries rate limits, server errors and dropped connections with
    exponential back-off.
    """

    remote = True

    def __init__(self, spec: ProviderSpec, *, api_key: str | None, cache_dir: Path,
                 timeout: float = 30.0, max_retries: int = 2):
        from openai import OpenAI

        self.spec = spec
        self.key, self.name, self.model = spec.key, spec.name, spec.model
        self.endpoint = spec.base_url
        self.timeout, self.max_retries = timeout, max_retries
        self._secret = api_key
        # a local server often needs no key; the client insists on one, so send a placeholder
        self._client = OpenAI(api_key=api_key or "no-key", base_url=spec.base_url,
                              timeout=timeout, max_retries=max_retries)
        self._dim = spec.dimensions or KNOWN_DIMS.get(spec.model, 0)
        self.description = (f"{spec.model} at {spec.base_url}"
                            + (f", {self._dim} numbers" if self._dim else "")
                            + ": the texts are sent to that server")
        self.cache = EmbeddingCache(Path(cache_dir) / spec.cache_folder)
        self._lock = threading.Lock()  # one call at a time: concurrent misses wait, then hit

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def fingerprint(self) -> str:
        return f"{self.spec.cache_folder}-{self._dim}"

    def __repr__(self) -> str:  # never the key
        return f"OpenAIProvider({self.name!r}, model={self.model!r}, base_url={self.endpoint!r})"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        empty = [t for t in texts if not t.strip()]
        if empty:
            raise ProviderError(self.name, f"{self.name} cannot embed an empty text.")
        found = self.cache.get(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            with self._lock:
                found.update(self.cache.get(missing))  # another session may have fetched them
                todo = [t for t in missing if t not in found]
                for batch in batches(todo, self.spec.batch_size):
                    rows = self._call(batch)
                    for t, row in zip(batch, rows, strict=True):
                        self.cache.put(t, row)
                        found[t] = row
        out = np.stack([found[t] for t in texts]).astype(np.float32, copy=False)
        self._dim = self._dim or out.shape[1]
        return out

    # -- one request ----------------------------------------------------------------------

    def _fail(self, message: str) -> ProviderError:
        return ProviderError(self.name, _scrub(message, self._secret))

    def _call(self, batch: list[str]) -> np.ndarray:
        import openai

        where = f"{self.name} ({self.endpoint})"
        extra = {"dimensions": self.spec.dimensions} if self.spec.dimensions else {}
        tries = f"{self.max_retries + 1} tries"
        try:
            resp = self._client.embeddings.create(model=self.model, input=batch, **extra)
        except openai.AuthenticationError:
            raise self._fail(
                f"{where} refused the API key (401). Check the key set on the server "
                f"({self.spec.api_key_env}); SBERT still works.") from None
        except openai.PermissionDeniedError:
            raise self._fail(f"{where} says this key may not use model '{self.model}' (403)."
                             ) from None
        except openai.NotFoundError:
            raise self._fail(f"{where} has no model '{self.model}' (404). Check the model name "
                             "in the provider settings.") from None
        except openai.RateLimitError:
            raise self._fail(f"{where} is rate-limiting us (429) after {tries}. Wait a minute "
                             "and try again, or use SBERT meanwhile.") from None
        except openai.APITimeoutError:
            raise self._fail(f"{where} did not answer within {self.timeout:g} s ({tries}). "
                             "Try again later, or use SBERT.") from None
        except openai.APIConnectionError:
            raise self._fail(f"Could not reach {where}, or the connection broke off ({tries}). "
                             "Check the network and the base URL.") from None
        except openai.BadRequestError as exc:
            raise self._fail(f"{where} rejected the request (400): {_api_message(exc)}") from None
        except openai.APIStatusError as exc:
            raise self._fail(f"{where} answered with an error ({exc.status_code}) after "
                             f"{tries}. Try again later, or use SBERT.") from None
        except (openai.APIResponseValidationError, ValueError, TypeError):
            raise self._fail(f"{where} sent an answer that is not a list of embeddings.") from None
        return self._rows(resp, len(batch))

    def _rows(self, resp, n: int) -> np.ndarray:
        where = f"{self.name} ({self.endpoint})"
        data = sorted(getattr(resp, "data", None) or [], key=lambda d: d.index)
        if [d.index for d in data] != list(range(n)):
            raise self._fail(f"{where} returned {len(data)} vectors for {n} texts.")
        try:
            rows = np.array([d.embedding for d in data], dtype=np.float32)
        except (TypeError, ValueError):  # ragged rows
            raise self._fail(f"{where} returned vectors of different lengths.") from None
        if rows.ndim != 2 or rows.shape[1] == 0:
            raise self._fail(f"{where} returned no numbers.")
        expected = self._dim or rows.shape[1]
        if rows.shape[1] != expected:
            raise self._fail(f"{where} returned vectors of {rows.shape[1]} numbers; this model "
                             f"gave {expected} before. Check the model name and `dimensions`.")
        if not np.all(np.isfinite(rows)):
            raise self._fail(f"{where} returned numbers that are not finite.")
        unit, lengths = unit_rows(rows)
        if np.any(lengths == 0):
            raise self._fail(f"{where} returned an all-zero vector.")
        self._dim = expected
        return unit


def _api_message(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        msg = body.get("message") or (body.get("error") or {}).get("message")
        if msg:
            return str(msg)
    return "no reason given"
