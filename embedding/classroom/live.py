"""Live class sessions: a class code for students, a secret token for the instructor, stored answers.

The instructor starts a session from an exercise set and gets a 6-letter **class code** (letters
that cannot be misread aloud or on a projector) and a **token** (192 random bits). Students join
with the code and an optional nickname; each answer is stored once per student and question and
may change until the instructor closes the question. Only the token (checked in constant time
against its stored hash) lets someone see results, close questions, export or delete.

    >>> from embedding.classroom.db import ClassDB
    >>> from embedding.classroom.sets import EXAMPLE_SET
    >>> live = Classroom(ClassDB("sqlite:///:memory:"))
    >>> code, token = live.start(EXAMPLE_SET)
    >>> live.join(code, "s1", "Ada").nickname
    'Ada'
    >>> live.submit(code, "s1", 0, "Ironman")
    >>> [a.answer for a in live.answers(code, token, 0)]
    ['Ironman']
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from embedding.classroom.db import ClassDB
from embedding.classroom.sets import ExerciseSet, from_dict, to_dict
from embedding.classroom.validation import MAX_PHRASE

#: No I/1, L, O/0, S/5, Z/2, B/8: every letter reads the same aloud and on a projector.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 6
TOKEN_BYTES = 24  # 192 bits
SESSION_HOURS = 12.0
MAX_NICKNAME = 30
MAX_ANSWER = MAX_PHRASE
#: At most this many submissions per student within :data:`RATE_WINDOW` seconds.
RATE_LIMIT = 10
RATE_WINDOW = 10.0


class ClassError(ValueError):
    """Something a person can fix (wrong code, ended class, closed question); the message says how."""


class RateLimited(ClassError):
    """Too many submissions from one student in a short time."""


@dataclass(frozen=True)
class ClassInfo:
    """A class session as a student may see it (no token, no answers)."""

    code: str
    exercise: ExerciseSet
    created: float
    expires: float
    ended: bool
    closed: frozenset[int]


@dataclass(frozen=True)
class Joined:
    """A student in a class; ``note`` says when the nickname was cut or cleaned."""

    nickname: str
    note: str = ""


@dataclass(frozen=True)
class Answer:
    """One stored answer."""

    student: str
    nickname: str
    question: int
    answer: str
    updated: float


def normalise_code(code: str) -> str:
    """The code as stored: upper-case, spaces and dashes dropped.

    Usage: ``normalise_code(" acd-efg ")`` → ``"ACDEFG"``
    """
    return "".join(ch for ch in (code or "")[:40].upper() if ch.isalnum())


def new_code() -> str:
    """A random class code. Usage: ``len(new_code())`` → 6"""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def clean_nickname(raw: str | None) -> Joined:
    """A nickname safe to store and show: one line, at most :data:`MAX_NICKNAME` characters.

    Usage: ``clean_nickname("x" * 1_000_000).note`` → ``"Your nickname was cut to 30 characters."``
    """
    text = (raw or "")[: MAX_NICKNAME * 4]
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    note = ""
    if raw and len(raw) > MAX_NICKNAME:
        note = f"Your nickname was cut to {MAX_NICKNAME} characters."
    text = text[:MAX_NICKNAME].strip()
    return Joined(text or "Anonymous", note)


def clean_answer(raw: str | None) -> str:
    """An answer safe to store: one line, stripped; :class:`ClassError` if empty or too long."""
    text = " ".join((raw or "").split())
    if not text:
        raise ClassError("Type or choose an answer first.")
    if len(text) > MAX_ANSWER:
        raise ClassError(f"Your answer is {len(text):,} characters long; at most {MAX_ANSWER} "
                         "are allowed.")
    return text


class RateLimiter:
    """At most ``limit`` events per key within ``window`` seconds (thread-safe, in memory).

    Usage: ``RateLimiter(10, 10.0).allow("student-1")`` → ``True``
    """

    def __init__(self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 10_000:  # forget idle students
                for k in [k for k, v in self._events.items() if not v][:5_000]:
                    del self._events[k]
            return True


class Classroom:
    """Class sessions on a :class:`ClassDB` (share one per process).

    Usage: ``code, token = Classroom(db).start(exercise_set)``
    """

    def __init__(self, db: ClassDB, limiter: RateLimiter | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.limiter = limiter or RateLimiter()
        self.clock = clock

    # ------------------------------------------------------------ the instructor

    def start(self, exercise: ExerciseSet, hours: float = SESSION_HOURS) -> tuple[str, str]:
        """A new class session for ``exercise``: its (code, instructor token)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock()
        set_json = json.dumps(to_dict(exercise), ensure_ascii=False, separators=(",", ":"))
        for _ in range(20):
            code = new_code()
            try:
                with self.db.transaction() as cur:
                    cur.execute("SELECT 1 FROM class_sessions WHERE code = ?", (code,))
                    if cur.fetchone():
                        continue
                    cur.execute(
                        "INSERT INTO class_sessions (code, token_hash, title, set_json, created, "
                        "expires, ended) VALUES (?, ?, ?, ?, ?, ?, 0)",
                        (code, _hash(token), exercise.title, set_json, now, now + hours * 3600))
                return code, token
            except Exception as exc:  # noqa: BLE001 - a rare race on the same new code
                if "unique" not in str(exc).lower() and "duplicate" not in str(exc).lower():
                    raise
        raise ClassError("Could not find a free class code; try again.")

    def is_instructor(self, code: str, token: str | None) -> bool:
        """True only for the session's own token (compared in constant time)."""
        code = normalise_code(code)
        rows = self.db.query("SELECT token_hash FROM class_sessions WHERE code = ?", (code,))
        given = _hash(token or "")
        stored = rows[0][0] if rows else _hash(secrets.token_hex(16))
        return bool(token) and hmac.compare_digest(given, stored) and bool(rows)

    def _require(self, code: str, token: str | None) -> str:
        code = normalise_code(code)
        if not self.is_instructor(code, token):
            raise ClassError("This instructor link is not valid (the key was changed or cut "
                             "short). Open the link you got when you started the class.")
        return code

    def close_question(self, code: str, token: str, question: int, closed: bool = True) -> None:
        """Stop (or, with ``closed=False``, allow again) answers to one question."""
        code = self._require(code, token)
        if closed:
            self.db.execute("INSERT INTO class_closed (code, question) VALUES (?, ?) "
                            "ON CONFLICT (code, question) DO NOTHING", (code, question))
        else:
            self.db.execute("DELETE FROM class_closed WHERE code = ? AND question = ?",
                            (code, question))

    def end(self, code: str, token: str) -> None:
        """End the class: students can no longer answer; results stay until deleted."""
        code = self._require(code, token)
        self.db.execute("UPDATE class_sessions SET ended = 1 WHERE code = ?", (code,))

    def delete(self, code: str, token: str) -> int:
        """Delete the session and everything it stored; the number of rows removed."""
        code = self._require(code, token)
        removed = 0
        with self.db.transaction() as cur:
            for table in ("class_answers", "class_students", "class_closed", "class_sessions"):
                removed += max(cur.execute(f"DELETE FROM {table} WHERE code = ?", (code,)), 0)
        return removed

    def answers(self, code: str, token: str, question: int | None = None) -> list[Answer]:
        """Every stored answer (of one question, or all), oldest first. Instructor only."""
        code = self._require(code, token)
        sql = ("SELECT a.student, s.nickname, a.question, a.answer, a.updated FROM class_answers a "
               "JOIN class_students s ON s.code = a.code AND s.student = a.student "
               "WHERE a.code = ?")
        params: list = [code]
        if question is not None:
            sql += " AND a.question = ?"
            params.append(question)
        rows = self.db.query(sql + " ORDER BY a.updated, a.student", params)
        return [Answer(*r) for r in rows]

    def student_count(self, code: str) -> int:
        """How many students joined."""
        rows = self.db.query("SELECT COUNT(*) FROM class_students WHERE code = ?",
                             (normalise_code(code),))
        return int(rows[0][0])

    def csv(self, code: str, token: str) -> str:
        """Every answer as CSV: nickname, question number, answer, time (UTC ISO)."""
        answers = self.answers(code, token)
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["nickname", "student", "question", "answer", "updated_utc"])
        for a in answers:
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(a.updated))
            w.writerow([_csv_safe(a.nickname), a.student[:8], a.question + 1,
                        _csv_safe(a.answer), when])
        return out.getvalue()

    # ------------------------------------------------------------ everyone

    def info(self, code: str) -> ClassInfo:
        """The session behind ``code``, or :class:`ClassError` (wrong or expired code)."""
        code = normalise_code(code)
        if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
            raise ClassError(f"A class code is {CODE_LENGTH} letters (no I, O, S, Z, B or L); "
                             "check the code on the projector.")
        rows = self.db.query("SELECT set_json, created, expires, ended FROM class_sessions "
                             "WHERE code = ?", (code,))
        if not rows:
            raise ClassError(f"There is no class with the code {code}. Check the code on the "
                             "projector.")
        set_json, created, expires, ended = rows[0]
        if self.clock() > expires:
            raise ClassError(f"The class {code} has expired. Ask your instructor for a new code.")
        closed = frozenset(r[0] for r in self.db.query(
            "SELECT question FROM class_closed WHERE code = ?", (code,)))
        return ClassInfo(code, from_dict(json.loads(set_json)), created, expires, bool(ended),
                         closed)

    def join(self, code: str, student: str, nickname: str | None = None) -> Joined:
        """Add (or rename) a student; returns the cleaned nickname and a note if it was cut."""
        info = self.info(code)
        joined = clean_nickname(nickname)
        self.db.execute(
            "INSERT INTO class_students (code, student, nickname, joined) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (code, student) DO UPDATE SET nickname = excluded.nickname",
            (info.code, student, joined.nickname, self.clock()))
        return joined

    def submit(self, code: str, student: str, question: int, answer: str) -> None:
        """Store (or replace) a student's answer to question ``question`` (0-based).

        Raises :class:`ClassError` (ended class, closed or unknown question, empty or too long
        answer, not joined) or :class:`RateLimited`. Returns only once the answer is committed.
        """
        info = self.info(code)
        text = clean_answer(answer)
        if info.ended:
            raise ClassError("This class has ended: answers are no longer taken.")
        if not 0 <= question < len(info.exercise.questions):
            raise ClassError("This question is not part of the class.")
        if question in info.closed:
            raise ClassError("The instructor has closed this question: your last answer counts.")
        if not self.limiter.allow(f"{info.code}/{student}"):
            raise RateLimited(f"Too many answers in a short time: wait {RATE_WINDOW:.0f} seconds "
                              "and send it again.")
        with self.db.transaction() as cur:
            cur.execute("SELECT 1 FROM class_students WHERE code = ? AND student = ?",
                        (info.code, student))
            if cur.fetchone() is None:
                raise ClassError("Join the class first (press Join).")
            cur.execute(
                "INSERT INTO class_answers (code, student, question, answer, updated) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (code, student, question) DO UPDATE SET "
                "answer = excluded.answer, updated = excluded.updated",
                (info.code, student, question, text, self.clock()))

    def my_answers(self, code: str, student: str) -> dict[int, str]:
        """A student's own stored answers by question (never anyone else's)."""
        rows = self.db.query("SELECT question, answer FROM class_answers WHERE code = ? AND "
                             "student = ?", (normalise_code(code), student))
        return {int(q): a for q, a in rows}


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas (``=cmd()``) in what students typed."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---------------------------------------------------------------- what the projector shows


@dataclass(frozen=True)
class Results:
    """The class's answers to one question, summarised for the projector."""

    total: int
    counts: tuple[tuple[str, int], ...]  # answer, how many; most common first
    correct: int | None  # None for open questions (class map)
    top_wrong: str | None
    top_wrong_count: int

    @property
    def share_correct(self) -> float | None:
        return None if self.correct is None or not self.total else self.correct / self.total


def summarise(answers: Sequence[str], is_right: Callable[[str], bool] | None = None) -> Results:
    """Counts of each answer (case-folded words merged), how many are right, the top wrong one.

    Usage: ``summarise(["a", "b", "a"], lambda x: x == "b").top_wrong`` → ``"a"``
    """
    shown: dict[str, str] = {}
    counter: Counter[str] = Counter()
    for a in answers:
        key = " ".join(a.split()).casefold()
        shown.setdefault(key, " ".join(a.split()))
        counter[key] += 1
    counts = tuple((shown[k], n) for k, n in sorted(counter.items(), key=lambda t: (-t[1], t[0])))
    if is_right is None:
        return Results(len(answers), counts, None, None, 0)
    right = {a for a, _ in counts if is_right(a)}
    wrong = [(a, n) for a, n in counts if a not in right]
    return Results(len(answers), counts, sum(n for a, n in counts if a in right),
                   wrong[0][0] if wrong else None, wrong[0][1] if wrong else 0)
