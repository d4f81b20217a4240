"""Shared fixtures: the real models, loaded once for the whole test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from embedding.config import library_defaults

ROOT = Path(__file__).resolve().parents[1]
# What `make test` exports, for a bare `pytest` too (offline models, numba's cache folder).
for _name, _value in library_defaults().items():
    os.environ.setdefault(_name, _value)
# AppTest runs app.py in this process: no background warm-up thread racing the tests.
os.environ.setdefault("EMBEDDING_EXPLORER_WARMUP", "0")
# Tests write indexes and uploads under a throw-away folder, never the user's data.
os.environ.setdefault("EMBEDDING_EXPLORER_DATA", str(ROOT / ".cache" / "test-data"))


@pytest.fixture(scope="session")
def kv():
    """Real GloVe 6B 50d (400,000 words), shared by every test."""
    from ui import resources

    return resources.glove()


@pytest.fixture(scope="session")
def model():
    """Real all-MiniLM-L6-v2, shared by every test."""
    from ui import resources

    return resources.sbert()


from tests.browser import browser, server_url  # noqa: E402,F401  (fixtures)
from tests.pg import postgres_server  # noqa: E402,F401  (fixture)
