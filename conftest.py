"""Test set-up for the whole project: the environment a bare ``pytest`` needs, the real models as
session fixtures, and the names the docstring examples in ``embedding/`` use (``kv``, ``model``,
``np``), so ``--doctest-modules`` runs them against the real vectors, loaded once."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from embedding.config import library_defaults

ROOT = Path(__file__).resolve().parent
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


@pytest.fixture(autouse=True)
def _doctest_names(request):
    """Docstring examples get ``np`` and, when they use them, the shared ``kv`` and ``model``."""
    if type(request.node).__name__ != "DoctestItem":  # pytest's doctest item (not exported)
        return
    names = request.getfixturevalue("doctest_namespace")
    names["np"] = np
    source = request.node.dtest.docstring or ""
    for fixture in ("kv", "model"):
        if fixture in source:
            names[fixture] = request.getfixturevalue(fixture)
