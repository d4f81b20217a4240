"""Embedding providers: texts in, unit vectors out, whoever computes them.

Every sentence vector in the app comes through an :class:`EmbeddingProvider`: the built-in
SBERT (the default, on this server), another local sentence-transformers folder, or an
OpenAI-compatible ``/v1/embeddings`` endpoint (:mod:`embedding.models.remote`). Each has a
stable ``key``, a short ``name``, a one-line ``description`` and ``embed(texts)``, which
returns one L2-normalised float32 row per text.

    >>> provider = SbertProvider(load_sbert())
    >>> provider.embed(["milk chocolate", "chocolate milk"]).shape
    (2, 384)
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np

from embedding.models.sbert import describe_sbert, encode, load_sbert

if TYPE_CHECKING:  # pragma: no cover
    from sentence_transformers import SentenceTransformer

#: Key of the built-in sentence model: the default everywhere, never calls out.
SBERT_KEY = "sbert"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"


class ProviderError(RuntimeError):
    """A provider could not embed the texts; ``str(exc)`` is a message a student can read
    (what went wrong and what to do), never a traceback and never a key.

    ``kind`` says what happened (``timeout``, ``unreachable``, ``rate_limit``, ``auth``,
    ``model``, ``bad_request``, ``bad_answer``, ``server``, ``busy``, ``empty``,
    ``unavailable``), ``reason`` is a short clause for a status line, and ``retry_in`` the
    seconds until it is worth asking again, when known.
    """

    def __init__(self, provider: str, message: str, *, kind: str = "error",
                 reason: str | None = None, retry_in: float | None = None):
        super().__init__(message)
        self.provider, self.kind = provider, kind
        self.reason, self.retry_in = reason or message, retry_in


class ProviderUnavailable(ProviderError):
    """The provider failed a moment ago and is skipped until its next check (the circuit
    breaker is open): raised at once, without contacting it."""

    def __init__(self, provider: str, message: str, *, retry_in: float = 0.0):
        super().__init__(provider, message, kind="unavailable", retry_in=retry_in)


class EmbeddingProvider(ABC):
    """Something that turns texts into unit vectors.

    Subclasses set ``key`` (stable id for caches and pickers), ``name`` (a short label),
    ``description`` (one line for a caption) and ``remote`` (True when ``embed`` sends the texts
    to another machine), and implement :meth:`embed` and :attr:`dim`.
    """

    key: str
    name: str
    description: str
    remote: bool = False

    @property
    @abstractmethod
    def dim(self) -> int:
        """Numbers per vector (a remote model may only know it after its first answer: 0)."""

    @property
    def fingerprint(self) -> str:
        """What the vectors depend on (a stale cached index has another fingerprint)."""
        return f"{self.key}-{self.dim}"

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text; ``(0, dim)`` for no texts.

        Raises :class:`ProviderError` with a readable message when the texts cannot be embedded.
        """

    def embed_query(self, text: str) -> np.ndarray:
        """The unit vector of one text.

        Usage: ``provider.embed_query("space travel").shape`` → ``(384,)``
        """
        return self.embed([text])[0]


class SbertProvider(EmbeddingProvider):
    """A sentence-transformers model on this server, through the locked
    :func:`embedding.models.sbert.encode` (the built-in MiniLM, or any local folder).

    Usage: ``SbertProvider(load_sbert()).embed(["a cat"]).shape`` → ``(1, 384)``
    """

    def __init__(self, model: SentenceTransformer, *, key: str = SBERT_KEY,
                 name: str = "SBERT", label: str | None = None, batch_size: int = 64):
        self.model = model
        self.key, self.name = key, name
        self.label = label or describe_sbert()
        self.batch_size = batch_size
        self._dim = int(model.get_embedding_dimension() or 0)
        self.description = f"{self.label}, {self._dim} numbers, runs on this server"

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def fingerprint(self) -> str:
        # the built-in key keeps the fingerprint of the indexes cached before providers existed
        return f"{self.key}-{self.label}-{self._dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return encode(self.model, texts, batch_size=self.batch_size)


# ---------------------------------------------------------------------------------------------
# Configuration: which providers exist besides the built-in SBERT


class ProviderConfigError(ValueError):
    """The provider settings cannot be used; the message says which line to fix."""


def is_openai_host(url: str) -> bool:
    """Whether ``url`` is OpenAI's own API (https, host ``openai.com`` or a subdomain of it):
    the only endpoint besides the environment-configured one that may get ``OPENAI_API_KEY``.

    Usage: ``is_openai_host("https://api.openai.com/v1")`` → ``True``;
    ``is_openai_host("https://api.openai.com.evil.example/v1")`` → ``False``
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    return parts.scheme == "https" and (host == "openai.com" or host.endswith(".openai.com"))


@dataclass(frozen=True)
class ProviderSpec:
    """One configured provider: a remote ``model`` at ``base_url`` or a local folder ``path``.

    The API key is not part of the spec (specs are shown and hashed): ``api_key_env`` names the
    environment variable that holds it on the server, ``""`` when no key is sent. Left out, it
    is ``OPENAI_API_KEY`` for OpenAI's own endpoint and none for any other (a colleague's
    server or a proxy never receives the OpenAI key unless it is the one configured by the
    environment variables).

    Usage: ``ProviderSpec("OpenAI small", model="text-embedding-3-small").key`` →
    ``'api:openai-small'``
    """

    name: str
    model: str = ""
    base_url: str = DEFAULT_BASE_URL
    api_key_env: str | None = None
    path: str = ""
    dimensions: int | None = None
    batch_size: int = 256

    def __post_init__(self):
        if self.api_key_env is None:
            default = DEFAULT_KEY_ENV if self.remote and is_openai_host(self.base_url) else ""
            object.__setattr__(self, "api_key_env", default)

    @property
    def remote(self) -> bool:
        """True when using it sends texts to another machine."""
        return not self.path

    @property
    def key(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "model"
        return f"{'api' if self.remote else 'st'}:{slug}"

    @property
    def cache_folder(self) -> str:
        """Folder name of this provider's disk cache: the vectors depend on endpoint, model and
        dimensions (not on the display name or the key)."""
        ident = f"{self.base_url.rstrip('/')}\n{self.model}\n{self.dimensions or ''}"
        slug = re.sub(r"[^A-Za-z0-9.]+", "-", self.model or Path(self.path).name).strip("-")
        return f"{slug[:40]}-{hashlib.sha256(ident.encode()).hexdigest()[:12]}"

    @property
    def where(self) -> str:
        """Where the texts go, for the page note."""
        return f"{self.base_url} (model {self.model})" if self.remote else "nowhere (this server)"


_FIELDS = {"name": str, "model": str, "base_url": str, "api_key_env": str, "path": str,
           "dimensions": int, "batch_size": int}


def _spec(entry: dict[str, Any], where: str) -> ProviderSpec:
    unknown = sorted(set(entry) - set(_FIELDS))
    if "api_key" in entry:
        raise ProviderConfigError(f"{where}: do not write the key in the file; put it in an "
                                  "environment variable and name it with api_key_env.")
    if unknown:
        raise ProviderConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: "
                                  f"{', '.join(_FIELDS)}.")
    for field, kind in _FIELDS.items():
        if field in entry and not isinstance(entry[field], kind):
            raise ProviderConfigError(f"{where}: {field} must be a {kind.__name__}.")
    if not entry.get("name"):
        raise ProviderConfigError(f"{where}: every provider needs a name.")
    if bool(entry.get("model")) == bool(entry.get("path")):
        raise ProviderConfigError(f"{where}: give either model (an OpenAI-compatible endpoint) "
                                  "or path (a local sentence-transformers folder).")
    if not 1 <= entry.get("batch_size", 256) <= 2048:
        raise ProviderConfigError(f"{where}: batch_size must be between 1 and 2048.")
    base_url = entry.get("base_url", DEFAULT_BASE_URL)
    if entry.get("api_key_env") == DEFAULT_KEY_ENV and not is_openai_host(base_url):
        raise ProviderConfigError(
            f"{where}: api_key_env = \"{DEFAULT_KEY_ENV}\" would send your OpenAI key to "
            f"{base_url}, which is not OpenAI's. Put this server's own key in another "
            "variable and name that one (or leave api_key_env out: no key is sent).")
    return ProviderSpec(**entry)


def parse_settings(text: str, source: str = "settings") -> list[ProviderSpec]:
    """Provider specs from a TOML settings file's text (``[[provider]]`` tables).

    Usage: ``parse_settings('[[provider]]\\nname = "small"\\nmodel = "text-embedding-3-small"')``
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProviderConfigError(f"{source} is not valid TOML: {exc}") from None
    entries = doc.get("provider", [])
    if not isinstance(entries, list):
        raise ProviderConfigError(f"{source}: write each provider as a [[provider]] table.")
    return [_spec(e, f"{source}, provider {n}") for n, e in enumerate(entries, 1)]


def configured_specs(settings_file: str | None, env_model: str | None,
                     env_base_url: str | None) -> list[ProviderSpec]:
    """Every configured provider besides the built-in SBERT: the one named by environment
    variables (``env_model`` at ``env_base_url``) first, then those of the settings file.

    Usage: ``configured_specs(None, None, None)`` → ``[]`` (nothing configured: no calls out)
    """
    specs = []
    if env_model:
        # the one provider OPENAI_API_KEY is meant for, wherever OPENAI_BASE_URL points
        specs.append(ProviderSpec(name=env_model, model=env_model,
                                  base_url=env_base_url or DEFAULT_BASE_URL,
                                  api_key_env=DEFAULT_KEY_ENV))
    if settings_file:
        path = Path(settings_file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ProviderConfigError(f"Cannot read the provider settings {path}: "
                                      f"{exc.strerror}.") from None
        specs += parse_settings(text, str(path))
    keys = [s.key for s in specs]
    dup = sorted({k for k in keys if keys.count(k) > 1} | ({SBERT_KEY} & set(keys)))
    if dup:
        raise ProviderConfigError(f"Two providers have the same name ({', '.join(dup)}).")
    return specs


def make_provider(spec: ProviderSpec, *, api_key: str | None, cache_dir: Path,
                  **remote_options: Any) -> EmbeddingProvider:
    """The provider a spec describes (a local folder is loaded now, a remote one calls later).
    ``remote_options`` go to :class:`~embedding.models.remote.OpenAIProvider` (``deadline``,
    ``max_retries``, ``cooldown``, ``reference``, ``reference_name``).

    Usage: ``make_provider(spec, api_key=key, cache_dir=writable_dir("cache", "embeddings"))``
    """
    if not spec.remote:
        return SbertProvider(load_sbert(spec.path), key=spec.key, name=spec.name,
                             label=Path(spec.path).name, batch_size=min(spec.batch_size, 64))
    from embedding.models.remote import OpenAIProvider

    return OpenAIProvider(spec, api_key=api_key, cache_dir=cache_dir, **remote_options)


if __name__ == "__main__":  # pragma: no cover - `python -m embedding.models.providers check`
    import sys

    from embedding.models.check import main

    sys.exit(main(sys.argv[1:]))
