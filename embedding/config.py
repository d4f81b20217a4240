"""Every environment variable the app honours, in one place: name, default, one-line meaning.

Values are read when asked for (never cached, never written): a test can ``monkeypatch.setenv``
and the next call sees it. Nothing here, nor anywhere in ``embedding/`` or ``ui/``, sets an
environment variable. The variables read by libraries (Hugging Face, numba) are set by whoever
starts the process: ``make run``/``make test`` export them, the Docker image has them as ``ENV``,
and :func:`library_defaults` lists their values for anyone starting a server by hand.

    >>> SETTINGS["EMBEDDING_EXPLORER_WARMUP"].default
    '1'
    >>> sorted(library_defaults())
    ['HF_HUB_OFFLINE', 'NUMBA_CACHE_DIR', 'TOKENIZERS_PARALLELISM', 'TRANSFORMERS_OFFLINE']

``python -m embedding.config`` prints the configuration table of ``docs/configuration.md``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the project folder


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default (``None``: unset), meaning, and who reads it."""

    name: str
    default: str | None
    description: str
    shown_default: str  # the default as docs/configuration.md shows it
    library: bool = False  # read by a library, not by our code: set before the process starts

    def raw(self) -> str | None:
        """The value in the environment now, ``None`` when unset or empty."""
        return os.environ.get(self.name) or None

    def value(self) -> str | None:
        """The value in the environment, else the default."""
        return self.raw() or self.default


_NUMBA_CACHE = ROOT / ".cache" / "numba"

#: Every variable, in the order docs/configuration.md lists them.
SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("GLOVE_PATH", None,
                "a GloVe or word2vec **text** file (`.txt`, `.txt.gz`) to use instead of GloVe 6B 50d",
                "the packaged GloVe 6B 50d"),
        Setting("SBERT_MODEL", None, "a local sentence-transformers folder",
                "the packaged all-MiniLM-L6-v2"),
        Setting("EMBEDDING_EXPLORER_DATA", None,
                "where search indexes and other written files go", "`var/` in the project"),
        Setting("EMBEDDING_EXPLORER_WARMUP", "1",
                "`0` turns off loading the models at server start", "`1`"),
        Setting("EMBEDDING_EXPLORER_TORCH_THREADS", "1",
                "torch threads per SBERT encode in the server", "`1`"),
        Setting("DATABASE_URL", None,
                "`postgresql://…` (with the pgvector extension) for live classes, student "
                "identities and search indexes, shared by every replica",
                "an SQLite file for classes and one file per index, in the data folder"),
        Setting("EMBEDDING_EXPLORER_PUBLIC_URL", None,
                "the address students open, e.g. `https://class.example.org` behind a proxy "
                "(live class join links and QR codes use it)",
                "the machine's network address when opened as localhost"),
        Setting("EMBEDDING_EXPLORER_KEEP_DAYS", "7",
                "days an ended or expired class is kept (with its students, answers and the "
                "search indexes built in it) before the hourly purge deletes it; `0` keeps "
                "everything", "`7`"),
        Setting("EMBEDDING_EXPLORER_INSTRUCTOR_KEY", None,
                "a secret that lets the instructor start the server's long jobs (the 400,000-"
                "vector HNSW graphs of *Exact vs approximate*) from any browser; without it, "
                "only a browser on the server machine itself may start them",
                "none"),
        Setting("EMBEDDING_EXPLORER_OPENAI_MODEL", None,
                "an OpenAI-compatible embedding model to offer beside SBERT, e.g. "
                "`text-embedding-3-small` (texts are then sent to `OPENAI_BASE_URL` when chosen)",
                "none: the app never calls out"),
        Setting("OPENAI_BASE_URL", "https://api.openai.com/v1",
                "the endpoint of that model (Ollama, vLLM, Infinity and TEI speak the same API)",
                "OpenAI"),
        Setting("OPENAI_API_KEY", None,
                "its key: sent only to `OPENAI_BASE_URL` (or to a settings-file provider at OpenAI's own "
                "host), never shown, logged or exported", "none"),
        Setting("EMBEDDING_EXPLORER_PROVIDERS", None,
                "a TOML file listing several providers (`[[provider]]` with name, and model + "
                "base_url + api_key_env, the variable holding that server's own key (left out: "
                "no key is sent), or path to a local sentence-transformers folder)",
                "none"),
        Setting("EMBEDDING_EXPLORER_PROVIDER_DEADLINE", "10",
                "seconds a page action waits for a remote provider, **every try included** (a "
                "server that did not answer in time is not asked again); per batch of texts "
                "when a whole corpus is embedded", "`10`"),
        Setting("EMBEDDING_EXPLORER_PROVIDER_RETRIES", "2",
                "extra tries after a rate limit (429, waiting what its `Retry-After` asks) or a "
                "refused connection, only while the deadline allows", "`2`"),
        Setting("EMBEDDING_EXPLORER_PROVIDER_COOLDOWN", "30",
                "seconds a failed provider is skipped by every session before one request checks "
                "whether it is back (doubles while it stays down, up to 5 minutes)", "`30`"),
        Setting("EMBEDDING_EXPLORER_PROVIDER_TIMEOUT", None,
                "retired (it was seconds per try, so 30 s with 3 tries meant 93 s): read as "
                "`EMBEDDING_EXPLORER_PROVIDER_DEADLINE` when that is unset", "none"),
        Setting("NUMBA_CACHE_DIR", str(_NUMBA_CACHE),
                "where numba keeps UMAP's compiled code between runs (read by numba at import)",
                "`.cache/numba` in the project", library=True),
        Setting("HF_HUB_OFFLINE", "1",
                "Hugging Face libraries never touch the network (models are local packages)",
                "`1`", library=True),
        Setting("TRANSFORMERS_OFFLINE", "1", "the same for older `transformers` releases",
                "`1`", library=True),
        Setting("TOKENIZERS_PARALLELISM", "false",
                "no tokenizer thread pool (the server encodes a few short texts at a time)",
                "`false`", library=True),
    )
}


def glove_path() -> str | None:
    """``GLOVE_PATH``, or ``None`` for the packaged GloVe 6B 50d."""
    return SETTINGS["GLOVE_PATH"].raw()


def sbert_model() -> str | None:
    """``SBERT_MODEL``, or ``None`` for the packaged all-MiniLM-L6-v2."""
    return SETTINGS["SBERT_MODEL"].raw()


def data_dir() -> Path:
    """``EMBEDDING_EXPLORER_DATA``, else ``var/`` in the project: where the app writes files."""
    raw = SETTINGS["EMBEDDING_EXPLORER_DATA"].raw()
    return Path(raw) if raw else ROOT / "var"


def warm_up_enabled() -> bool:
    """``False`` only when ``EMBEDDING_EXPLORER_WARMUP`` is ``0``."""
    return SETTINGS["EMBEDDING_EXPLORER_WARMUP"].value() != "0"


def torch_threads() -> int:
    """``EMBEDDING_EXPLORER_TORCH_THREADS`` (at least 1; default 1)."""
    return max(1, int(SETTINGS["EMBEDDING_EXPLORER_TORCH_THREADS"].value() or "1"))


def database_url() -> str | None:
    """``DATABASE_URL`` (stripped), or ``None`` for the SQLite file in the data folder."""
    raw = SETTINGS["DATABASE_URL"].raw()
    return (raw.strip() or None) if raw else None


def public_url() -> str | None:
    """``EMBEDDING_EXPLORER_PUBLIC_URL`` (stripped, no trailing ``/``), or ``None``."""
    raw = SETTINGS["EMBEDDING_EXPLORER_PUBLIC_URL"].raw()
    return (raw.strip().rstrip("/") or None) if raw else None


def keep_days() -> float:
    """``EMBEDDING_EXPLORER_KEEP_DAYS``: days an ended or expired class is kept (0: forever)."""
    try:
        return max(0.0, float(SETTINGS["EMBEDDING_EXPLORER_KEEP_DAYS"].value() or "7"))
    except ValueError:
        return 7.0


def instructor_key() -> str | None:
    """``EMBEDDING_EXPLORER_INSTRUCTOR_KEY``, or ``None`` (then only the server machine's own
    browser may start the server's long jobs). Never show or log it."""
    return SETTINGS["EMBEDDING_EXPLORER_INSTRUCTOR_KEY"].raw()


def openai_model() -> str | None:
    """``EMBEDDING_EXPLORER_OPENAI_MODEL``: the model of the provider configured by environment
    variables, or ``None`` (then no provider is configured this way and nothing calls out)."""
    raw = SETTINGS["EMBEDDING_EXPLORER_OPENAI_MODEL"].raw()
    return (raw.strip() or None) if raw else None


def openai_base_url() -> str:
    """``OPENAI_BASE_URL``, else OpenAI's own endpoint."""
    return (SETTINGS["OPENAI_BASE_URL"].value() or "").strip()


def provider_settings_file() -> str | None:
    """``EMBEDDING_EXPLORER_PROVIDERS``: a TOML file of providers, or ``None``."""
    return SETTINGS["EMBEDDING_EXPLORER_PROVIDERS"].raw()


def _number(name: str, lo: float) -> float:
    """The setting ``name`` as a number of at least ``lo``; its default when not a number."""
    setting = SETTINGS[name]
    try:
        return max(lo, float(setting.value() or setting.default or lo))
    except ValueError:
        return max(lo, float(setting.default or lo))


def provider_deadline() -> float:
    """``EMBEDDING_EXPLORER_PROVIDER_DEADLINE`` in seconds (default 10, at least 0.1): one
    page action's wait for a remote provider, every try included. The retired
    ``EMBEDDING_EXPLORER_PROVIDER_TIMEOUT`` counts as the deadline when this is unset."""
    if SETTINGS["EMBEDDING_EXPLORER_PROVIDER_DEADLINE"].raw() is None and \
            SETTINGS["EMBEDDING_EXPLORER_PROVIDER_TIMEOUT"].raw() is not None:
        return _number("EMBEDDING_EXPLORER_PROVIDER_TIMEOUT", 0.1)
    return _number("EMBEDDING_EXPLORER_PROVIDER_DEADLINE", 0.1)


def provider_retries() -> int:
    """``EMBEDDING_EXPLORER_PROVIDER_RETRIES`` (default 2, at least 0): extra tries after a 429
    or a refused connection, within the deadline."""
    return int(_number("EMBEDDING_EXPLORER_PROVIDER_RETRIES", 0))


def provider_cooldown() -> float:
    """``EMBEDDING_EXPLORER_PROVIDER_COOLDOWN`` in seconds (default 30, at least 1): how long a
    failed provider is skipped before one request checks it again."""
    return _number("EMBEDDING_EXPLORER_PROVIDER_COOLDOWN", 1.0)


def api_key(variable: str = "OPENAI_API_KEY") -> str | None:
    """The API key in the environment variable ``variable`` (a provider's ``api_key_env``).

    Only the provider's client gets it: never print, log or show the value.
    """
    return os.environ.get(variable) or None


def library_defaults() -> dict[str, str]:
    """The library variables and their values, to put in a server's environment before it starts.

    Usage: ``subprocess.Popen(cmd, env={**library_defaults(), **os.environ})``
    """
    return {s.name: s.default for s in SETTINGS.values() if s.library and s.default is not None}


def markdown_table() -> str:
    """The configuration table of ``docs/configuration.md``, generated from :data:`SETTINGS`."""
    rows = ["| variable | meaning | default |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {s.description} | {s.shown_default} |" for s in SETTINGS.values()]
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    print(markdown_table())
