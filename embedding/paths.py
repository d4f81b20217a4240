"""Where the app keeps files it writes (search indexes, caches) and files it ships (data/).

``EMBEDDING_EXPLORER_DATA`` moves the writable folder (default: ``var/`` in the project).

    >>> writable_dir("indexes")   # created if missing
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"  # small files we wrote, shipped in the repo (read-only)
DATA_ENV = "EMBEDDING_EXPLORER_DATA"


def writable_dir(*parts: str) -> Path:
    """A folder the app may write to, created on first use.

    Usage: ``writable_dir("indexes", "movies")`` → ``<project>/var/indexes/movies``
    """
    base = Path(os.environ.get(DATA_ENV) or ROOT / "var")
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
