"""Where the app keeps files it writes (search indexes, caches) and files it ships (data/).

``EMBEDDING_EXPLORER_DATA`` moves the writable folder (default: ``var/`` in the project).

    >>> writable_dir("indexes").is_dir()   # created if missing
    True
"""

from __future__ import annotations

from pathlib import Path

from embedding.config import ROOT, data_dir

DATA = ROOT / "data"  # small files we wrote, shipped in the repo (read-only)


def writable_dir(*parts: str) -> Path:
    """A folder the app may write to, created on first use.

    Usage: ``writable_dir("indexes", "movies")`` → ``<project>/var/indexes/movies``
    """
    path = data_dir().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
