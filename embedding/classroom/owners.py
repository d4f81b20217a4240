"""Who built which exercise set, so that only they reveal its answer key.

A set shared by link travels whole in the link, so anyone can open it; its **answer key** belongs
to the person who built it (their durable identity, :mod:`embedding.classroom.identity`). The
builder records a set's fingerprint for its person when they compose it; a set opened from a
link is recorded for nobody. The builder's own **answer-key link** (the set's link plus a
``key`` signed with a server secret shared by every replica) makes another device an owner too.

    >>> from embedding.classroom.db import ClassDB
    >>> owners = SetOwners(ClassDB("sqlite:///:memory:"))
    >>> owners.record("ada", "0f1e2d3c")
    >>> owners.owns("ada", "0f1e2d3c"), owners.owns("bob", "0f1e2d3c")
    (True, False)
    >>> owners.key_matches("0f1e2d3c", owners.key_for("0f1e2d3c"))
    True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from embedding.classroom.db import ClassDB

SECRET_NAME = "answer-key-links"
KEY_CHARS = 24  # 96 bits of HMAC-SHA256, hex
#: Ownership records are kept this long (a set built again later is recorded again).
KEEP_DAYS = 180


class SetOwners:
    """Ownership of exercise sets by person id, in the class database.

    Usage: ``SetOwners(db).owns(person_id, fingerprint(ex))``
    """

    def __init__(self, db: ClassDB, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self._secret: bytes | None = None

    def record(self, person: str, fingerprint: str) -> None:
        """``person`` built the set with ``fingerprint``."""
        self.db.execute("INSERT INTO set_owners (person, fingerprint, created) VALUES (?, ?, ?) "
                        "ON CONFLICT (person, fingerprint) DO NOTHING",
                        (person, fingerprint, self.clock()))

    def owns(self, person: str, fingerprint: str) -> bool:
        """True when ``person`` built (or opened the answer-key link of) this set."""
        return bool(self.db.query("SELECT 1 FROM set_owners WHERE person = ? AND "
                                  "fingerprint = ?", (person, fingerprint)))

    def _server_secret(self) -> bytes:
        """A random secret made once per database (every replica reads the same one)."""
        if self._secret is None:
            fresh = secrets.token_hex(32)
            self.db.execute("INSERT INTO app_secrets (name, value) VALUES (?, ?) "
                            "ON CONFLICT (name) DO NOTHING", (SECRET_NAME, fresh))
            value = self.db.query("SELECT value FROM app_secrets WHERE name = ?",
                                  (SECRET_NAME,))[0][0]
            self._secret = value.encode()
        return self._secret

    def key_for(self, fingerprint: str) -> str:
        """The answer-key link's ``key`` for a set (only its owner is shown it)."""
        digest = hmac.new(self._server_secret(), fingerprint.encode(), hashlib.sha256)
        return digest.hexdigest()[:KEY_CHARS]

    def key_matches(self, fingerprint: str, key: str | None) -> bool:
        """True for the set's own answer-key ``key`` (compared in constant time)."""
        return bool(key) and hmac.compare_digest(self.key_for(fingerprint), str(key)[:64])

    def purge(self, days: float = KEEP_DAYS) -> int:
        """Forget ownership records older than ``days``; how many went."""
        return max(self.db.execute("DELETE FROM set_owners WHERE created < ?",
                                   (self.clock() - days * 86_400,)), 0)
