"""Live class sessions: a class code for students, instructor sessions, what is on screen, answers.

The instructor starts a session from an exercise set and gets a 6-letter **class code** (letters
that cannot be misread aloud or on a projector) and an **instructor key** (192 random bits,
stored only as a hash). The browser that starts the class is its instructor from then on: the
key is exchanged for an **instructor session** bound to that browser's person id
(:mod:`embedding.classroom.identity`), and opens the class on another device (:meth:`claim`).

Students join with the code and an optional nickname; a person has one seat per class however
often they reload. The class's **state** (the question on screen, its answer shown, the pace,
the projector's join box) lives in the database with a **version** that grows on every change
students must follow; their screens poll :meth:`Classroom.pulse` (one small query, shared by
every session of a process for a fraction of a second) and redraw only when it changed.

    >>> from embedding.classroom.db import ClassDB
    >>> from embedding.classroom.sets import EXAMPLE_SET
    >>> live = Classroom(ClassDB("sqlite:///:memory:"))
    >>> code, key = live.start(EXAMPLE_SET, instructor="teacher")
    >>> live.join(code, "s1", "Ada").nickname
    'Ada'
    >>> live.go_to(code, "teacher", 0)
    >>> live.submit(code, "s1", 0, "Ironman")
    >>> [a.answer for a in live.answers(code, "teacher", 0)]
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
from typing import Any

from embedding.classroom.db import ClassDB, DatabaseUnavailable
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
INSTRUCTOR_PACED, STUDENT_PACED = "instructor", "student"
PACES = (INSTRUCTOR_PACED, STUDENT_PACED)
#: Seconds a :meth:`Classroom.pulse` answer is shared by the sessions of one process.
PULSE_TTL = 0.25
#: Every table holding one class's rows (deleting a class empties all of them).
CLASS_TABLES = ("class_answers", "class_students", "class_closed", "class_instructors",
                "class_state", "class_removed", "class_sessions")


class ClassError(ValueError):
    """Something a person can act on (wrong code, ended class, closed question); the message
    says how. ``reason`` names the case for the page: ``invalid``, ``missing`` (no such class,
    or deleted), ``expired``, ``ended``, ``closed``, ``moved``, ``removed``, ``not-joined``."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class RateLimited(ClassError):
    """Too many submissions from one student in a short time."""


@dataclass(frozen=True)
class ClassState:
    """What is on screen: ``question`` (-1 = the lobby, before the first question), whether
    its answer is shown, the pace, and the projector's join box; ``version`` grows with
    every change."""

    version: int = 0
    question: int = -1
    revealed: bool = False
    pace: str = INSTRUCTOR_PACED
    join_box: bool = False


@dataclass(frozen=True)
class ClassInfo:
    """A class session as a student may see it (no key, no answers)."""

    code: str
    exercise: ExerciseSet
    created: float
    expires: float
    ended: bool
    closed: frozenset[int]
    state: ClassState = ClassState()


@dataclass(frozen=True)
class Pulse:
    """A class's status (``live``, ``ended``, ``expired``, ``missing``) and state version."""

    status: str
    version: int


@dataclass(frozen=True)
class Joined:
    """A student in a class; ``note`` says when the nickname was cut or cleaned; ``locked``
    when the instructor reset it."""

    nickname: str
    note: str = ""
    locked: bool = False


@dataclass(frozen=True)
class Seat:
    """One person in a class, for the instructor's list."""

    student: str
    nickname: str
    joined: float
    locked: bool
    answered: int


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

    Instructor-only methods take ``who``, the person id of the browser asking; only people
    bound to the class (:meth:`start`, :meth:`claim`) pass. Usage:
    ``code, key = Classroom(db).start(exercise_set, instructor=person_id)``
    """

    def __init__(self, db: ClassDB, limiter: RateLimiter | None = None,
                 clock: Callable[[], float] = time.time,
                 pulse_ttl: float = PULSE_TTL) -> None:
        self.db = db
        self.limiter = limiter or RateLimiter()
        self.clock = clock
        self.pulse_ttl = pulse_ttl
        self._pulses: dict[str, tuple[float, Pulse]] = {}
        self._pulse_lock = threading.Lock()

    # ------------------------------------------------------------ the instructor

    def start(self, exercise: ExerciseSet, instructor: str | None = None,
              hours: float = SESSION_HOURS, pace: str = INSTRUCTOR_PACED) -> tuple[str, str]:
        """A new class session for ``exercise``: its (code, instructor key). ``instructor``
        (a person id) runs it from now on; the key opens it on another device."""
        if pace not in PACES:
            raise ValueError(f"pace must be one of {PACES}")
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
                    cur.execute("INSERT INTO class_state (code, version, question, revealed, "
                                "pace, join_box, updated) VALUES (?, 1, -1, 0, ?, 0, ?)",
                                (code, pace, now))
                    if instructor:
                        cur.execute("INSERT INTO class_instructors (code, person, created) "
                                    "VALUES (?, ?, ?)", (code, instructor, now))
                return code, token
            except DatabaseUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - a rare race on the same new code
                if "unique" not in str(exc).lower() and "duplicate" not in str(exc).lower():
                    raise
        raise ClassError("Could not find a free class code; try again.")

    def key_matches(self, code: str, token: str | None) -> bool:
        """True only for the session's own instructor key (compared in constant time)."""
        code = normalise_code(code)
        rows = self.db.query("SELECT token_hash FROM class_sessions WHERE code = ?", (code,))
        given = _hash(token or "")
        stored = rows[0][0] if rows else _hash(secrets.token_hex(16))
        return bool(token) and hmac.compare_digest(given, stored) and bool(rows)

    def claim(self, code: str, token: str | None, who: str) -> bool:
        """Exchange the instructor key for an instructor session of person ``who`` (another
        device of the instructor). False, and nothing stored, when the key is wrong."""
        code = normalise_code(code)
        if not who or not self.key_matches(code, token):
            return False
        self.db.execute("INSERT INTO class_instructors (code, person, created) VALUES (?, ?, ?) "
                        "ON CONFLICT (code, person) DO NOTHING", (code, who, self.clock()))
        return True

    def new_key(self, code: str, who: str) -> str:
        """A new instructor key for the class (the old one stops working; browsers that
        already exchanged it stay instructors). For the "open on another device" link."""
        code = self._require(code, who)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.db.execute("UPDATE class_sessions SET token_hash = ? WHERE code = ?",
                        (_hash(token), code))
        return token

    def is_instructor(self, code: str, who: str | None) -> bool:
        """True when person ``who`` runs this class (started it or claimed it with the key)."""
        if not who:
            return False
        rows = self.db.query("SELECT 1 FROM class_instructors WHERE code = ? AND person = ?",
                             (normalise_code(code), who))
        return bool(rows)

    def _require(self, code: str, who: str | None) -> str:
        code = normalise_code(code)
        if not self.is_instructor(code, who):
            raise ClassError("Only the instructor of this class can do that. On another device, "
                             "open the instructor link you got when you started the class.")
        return code

    def _change(self, cur: Any, code: str, **values: Any) -> None:
        """Update the class's state in transaction ``cur`` and bump its version."""
        cur.execute("INSERT INTO class_state (code, version, question, revealed, pace, "
                    "join_box, updated) VALUES (?, 0, -1, 0, ?, 0, ?) "
                    "ON CONFLICT (code) DO NOTHING", (code, INSTRUCTOR_PACED, self.clock()))
        sets = "".join(f", {k} = ?" for k in values)
        cur.execute(f"UPDATE class_state SET version = version + 1, updated = ?{sets} "
                    "WHERE code = ?", (self.clock(), *values.values(), code))
        self._forget_pulse(code)

    def go_to(self, code: str, who: str, question: int) -> None:
        """Put question ``question`` (0-based; -1: the lobby) on screen, its answer hidden."""
        code = self._require(code, who)
        n = len(self.info(code).exercise.questions)
        if not -1 <= question < n:
            raise ClassError("This question is not part of the class.")
        with self.db.transaction() as cur:
            self._change(cur, code, question=question, revealed=0)

    def reveal(self, code: str, who: str, shown: bool = True) -> None:
        """Show (or hide) the answer of the question on screen, on every screen. While it
        shows, that question takes no answers."""
        code = self._require(code, who)
        with self.db.transaction() as cur:
            self._change(cur, code, revealed=int(shown))

    def set_pace(self, code: str, who: str, pace: str) -> None:
        """:data:`INSTRUCTOR_PACED` (students see the question on screen) or
        :data:`STUDENT_PACED` (students see every question and answer in any order)."""
        if pace not in PACES:
            raise ClassError("Unknown pace.")
        code = self._require(code, who)
        with self.db.transaction() as cur:
            self._change(cur, code, pace=pace)

    def show_join_box(self, code: str, who: str, shown: bool) -> None:
        """Show the big join box (code, link, QR) on the projector, or fold it to a strip."""
        code = self._require(code, who)
        with self.db.transaction() as cur:
            self._change(cur, code, join_box=int(shown))

    def close_question(self, code: str, who: str, question: int, closed: bool = True) -> None:
        """Stop (or, with ``closed=False``, allow again) answers to one question."""
        code = self._require(code, who)
        with self.db.transaction() as cur:
            if closed:
                cur.execute("INSERT INTO class_closed (code, question) VALUES (?, ?) "
                            "ON CONFLICT (code, question) DO NOTHING", (code, question))
            else:
                cur.execute("DELETE FROM class_closed WHERE code = ? AND question = ?",
                            (code, question))
            self._change(cur, code)

    def end(self, code: str, who: str) -> None:
        """End the class: students can no longer answer; results stay until deleted."""
        code = self._require(code, who)
        with self.db.transaction() as cur:
            cur.execute("UPDATE class_sessions SET ended = 1 WHERE code = ?", (code,))
            self._change(cur, code)

    def delete(self, code: str, who: str) -> int:
        """Delete the session and everything it stored; the number of rows removed."""
        code = self._require(code, who)
        removed = 0
        with self.db.transaction() as cur:
            for table in CLASS_TABLES:
                removed += max(cur.execute(f"DELETE FROM {table} WHERE code = ?", (code,)), 0)
        self._forget_pulse(code)
        return removed

    def roster(self, code: str, who: str) -> list[Seat]:
        """Everyone who joined, first joined first, with how many answers each sent."""
        code = self._require(code, who)
        rows = self.db.query(
            "SELECT s.student, s.nickname, s.joined, s.locked, "
            "(SELECT COUNT(*) FROM class_answers a WHERE a.code = s.code "
            "AND a.student = s.student) FROM class_students s WHERE s.code = ? "
            "ORDER BY s.joined, s.student", (code,))
        return [Seat(r[0], r[1], float(r[2]), bool(r[3]), int(r[4])) for r in rows]

    def remove_student(self, code: str, who: str, student: str) -> None:
        """Take a seat away (a duplicate, a rude nickname): its answers go, and that person
        cannot join this class again."""
        code = self._require(code, who)
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM class_answers WHERE code = ? AND student = ?",
                        (code, student))
            cur.execute("DELETE FROM class_students WHERE code = ? AND student = ?",
                        (code, student))
            cur.execute("INSERT INTO class_removed (code, student, removed) VALUES (?, ?, ?) "
                        "ON CONFLICT (code, student) DO NOTHING", (code, student, self.clock()))
            self._change(cur, code)

    def reset_nickname(self, code: str, who: str, student: str) -> None:
        """Replace a student's nickname by "Anonymous" for good (their answers stay)."""
        code = self._require(code, who)
        with self.db.transaction() as cur:
            cur.execute("UPDATE class_students SET nickname = ?, locked = 1 WHERE code = ? "
                        "AND student = ?", ("Anonymous", code, student))
            self._change(cur, code)

    def answers(self, code: str, who: str, question: int | None = None) -> list[Answer]:
        """Every stored answer (of one question, or all), oldest first. Instructor only."""
        code = self._require(code, who)
        return self._answers(code, question)

    def _answers(self, code: str, question: int | None = None) -> list[Answer]:
        sql = ("SELECT a.student, s.nickname, a.question, a.answer, a.updated FROM class_answers a "
               "JOIN class_students s ON s.code = a.code AND s.student = a.student "
               "WHERE a.code = ?")
        params: list = [code]
        if question is not None:
            sql += " AND a.question = ?"
            params.append(question)
        rows = self.db.query(sql + " ORDER BY a.updated, a.student", params)
        return [Answer(*r) for r in rows]

    def shown_answers(self, code: str, question: int) -> list[str]:
        """The answers to ``question`` once the instructor has put it on screen with its
        answer shown (what the projector then shows the room); ``[]`` otherwise."""
        info = self.info(code)
        if info.state.question != question or not info.state.revealed:
            return []
        return [a.answer for a in self._answers(info.code, question)]

    def student_count(self, code: str) -> int:
        """How many people joined (one seat each, however often they reloaded)."""
        rows = self.db.query("SELECT COUNT(*) FROM class_students WHERE code = ?",
                             (normalise_code(code),))
        return int(rows[0][0])

    def csv(self, code: str, who: str) -> str:
        """Every answer as CSV: nickname, student, question number, answer, time (UTC ISO)."""
        answers = self.answers(code, who)
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
        """The session behind ``code``, or :class:`ClassError` (wrong, deleted or expired
        code: :attr:`ClassError.reason` says which)."""
        code = normalise_code(code)
        if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
            raise ClassError(f"A class code is {CODE_LENGTH} letters (no I, O, S, Z, B or L); "
                             "check the code on the projector.", "invalid")
        rows = self.db.query(
            "SELECT s.set_json, s.created, s.expires, s.ended, t.version, t.question, "
            "t.revealed, t.pace, t.join_box FROM class_sessions s LEFT JOIN class_state t "
            "ON t.code = s.code WHERE s.code = ?", (code,))
        if not rows:
            raise ClassError(f"There is no class with the code {code}. Check the code on the "
                             "projector.", "missing")
        set_json, created, expires, ended, version, question, revealed, pace, join_box = rows[0]
        if self.clock() > expires:
            raise ClassError(f"The class {code} has expired. Ask your instructor for a new code.",
                             "expired")
        closed = frozenset(r[0] for r in self.db.query(
            "SELECT question FROM class_closed WHERE code = ?", (code,)))
        state = ClassState(int(version or 0), -1 if question is None else int(question),
                           bool(revealed), pace or INSTRUCTOR_PACED, bool(join_box))
        return ClassInfo(code, from_dict(json.loads(set_json)), created, expires, bool(ended),
                         closed, state)

    def pulse(self, code: str) -> Pulse:
        """What a student's screen polls every second or two: the class's status and state
        version, in one small query shared by every session of this process for
        ``pulse_ttl`` seconds. Raises ``DatabaseUnavailable`` when the database is down."""
        code = normalise_code(code)
        now = time.monotonic()
        with self._pulse_lock:
            hit = self._pulses.get(code)
        if hit is not None and now - hit[0] < self.pulse_ttl:
            return hit[1]
        rows = self.db.query("SELECT s.expires, s.ended, t.version FROM class_sessions s "
                             "LEFT JOIN class_state t ON t.code = s.code WHERE s.code = ?",
                             (code,))
        if not rows:
            result = Pulse("missing", -1)
        else:
            expires, ended, version = rows[0]
            status = "expired" if self.clock() > expires else "ended" if ended else "live"
            result = Pulse(status, int(version or 0))
        with self._pulse_lock:
            if len(self._pulses) > 1_000:
                self._pulses.clear()
            self._pulses[code] = (now, result)
        return result

    def _forget_pulse(self, code: str) -> None:
        with self._pulse_lock:
            self._pulses.pop(code, None)

    def seat(self, code: str, student: str) -> Joined | None:
        """This person's seat in the class (their nickname), or ``None`` before they join.
        :class:`ClassError` when the instructor removed them."""
        code = normalise_code(code)
        rows = self.db.query("SELECT nickname, locked FROM class_students WHERE code = ? AND "
                             "student = ?", (code, student))
        if rows:
            return Joined(rows[0][0], locked=bool(rows[0][1]))
        if self.db.query("SELECT 1 FROM class_removed WHERE code = ? AND student = ?",
                         (code, student)):
            raise ClassError("The instructor removed you from this class.", "removed")
        return None

    def join(self, code: str, student: str, nickname: str | None = None) -> Joined:
        """Add (or rename) a student; returns the cleaned nickname and a note if it was cut.
        A person joins once: joining again (after a reload) renames the same seat."""
        info = self.info(code)
        joined = clean_nickname(nickname)
        seat = self.seat(info.code, student)  # raises for a removed person
        if seat is not None and seat.locked:
            return Joined(seat.nickname, "The instructor reset your nickname; it stays "
                                         "Anonymous.", locked=True)
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO class_students (code, student, nickname, joined) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (code, student) DO UPDATE SET nickname = excluded.nickname",
                (info.code, student, joined.nickname, self.clock()))
        return joined

    def submit(self, code: str, student: str, question: int, answer: str) -> None:
        """Store (or replace) a student's answer to question ``question`` (0-based).

        Raises :class:`ClassError` (ended class, closed, revealed or unknown question, a
        question not on screen in an instructor-paced class, empty or too long answer, not
        joined) or :class:`RateLimited`. Returns only once the answer is committed.
        """
        info = self.info(code)
        text = clean_answer(answer)
        state = info.state
        if info.ended:
            raise ClassError("This class has ended: answers are no longer taken.", "ended")
        if not 0 <= question < len(info.exercise.questions):
            raise ClassError("This question is not part of the class.")
        if info.exercise.questions[question].kind == "explore":
            raise ClassError("This step has nothing to answer: open the page it shows.")
        if question in info.closed:
            raise ClassError("The instructor has closed this question: your last answer counts.",
                             "closed")
        if state.pace == INSTRUCTOR_PACED and question != state.question:
            where = ("has not started yet" if state.question < 0 else
                     f"has moved on to question {state.question + 1}")
            raise ClassError(f"The class {where}: this answer was not saved.", "moved")
        if state.revealed and question == state.question:
            raise ClassError("The answer is on the projector now: your last answer counts.",
                             "closed")
        if not self.limiter.allow(f"{info.code}/{student}"):
            raise RateLimited(f"Too many answers in a short time: wait {RATE_WINDOW:.0f} seconds "
                              "and send it again.")
        with self.db.transaction() as cur:
            cur.execute("SELECT 1 FROM class_students WHERE code = ? AND student = ?",
                        (info.code, student))
            if cur.fetchone() is None:
                raise ClassError("Join the class first (press Join).", "not-joined")
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
