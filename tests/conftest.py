"""Fixtures of the test folder (the models and the environment: ../conftest.py)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from tests.browser import browser, server_url  # noqa: E402,F401  (fixtures)
from tests.pg import postgres_server  # noqa: E402,F401  (fixture)
