"""Live class: students answer on their phones, the projector shows the class live.

Three views of one class, picked on the server every run: the **student** view (phone first:
the question on screen, the answer box, what is saved), the instructor's **control** view
(what is on screen, close and reveal, the people, the links) and the **projector** view (no
controls, no key: the join strip, the question and the class's answers, big).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from embedding.classroom import exercises as exs
from embedding.classroom.db import DatabaseUnavailable
from embedding.classroom.live import (
    CODE_LENGTH,
    INSTRUCTOR_PACED,
    MAX_NICKNAME,
    STUDENT_PACED,
    ClassError,
    ClassInfo,
    Classroom,
    Joined,
    normalise_code,
)
from embedding.models.providers import SBERT_KEY, ProviderError
from embedding.text import escape_markdown
from ui import cached, identity
from ui import classroom as ui
from ui import lessons as lessons_ui
from ui.widgets import explain, provider_picker, show_chart

PACE_LABELS = {INSTRUCTOR_PACED: "Instructor-paced: students see the question on screen",
               STUDENT_PACED: "Student-paced: students see every question"}


def go_to_class(code: str, view: str | None = None) -> None:
    st.query_params.clear()
    st.query_params[ui.CODE_PARAM] = code
    if view:
        st.query_params[ui.VIEW_PARAM] = view
    st.rerun()


def step_title(info: ClassInfo, qi: int) -> str:
    n = len(info.exercise.questions)
    if qi < 0:
        return "Waiting to start"
    q = info.exercise.questions[qi]
    return (f"Step {qi + 1} of {n}: explore" if q.kind == "explore" else
            f"Question {qi + 1} of {n}")


# ------------------------------------------------------------------ no class yet


def start_class(live: Classroom, ex: exs.ExerciseSet) -> None:
    """Start a class of ``ex`` with this browser as its instructor, and open it."""
    code, key = live.start(ex, instructor=identity.person_id())
    ui.remember_key(code, key)
    go_to_class(code)


def landing(live: Classroom) -> None:
    left, right = st.columns(2, gap="large")
    with left, st.container(border=True):
        st.subheader("Join a class")
        st.caption(f"Type the {CODE_LENGTH}-letter code shown on the projector.")
        with st.form("class_join"):
            code = st.text_input("Class code", max_chars=12, key="class_join_code",
                                 placeholder="e.g. KAXFEP")
            if st.form_submit_button("Join", type="primary", icon=":material/login:"):
                try:
                    live.info(code)
                except ClassError as exc:
                    st.warning(escape_markdown(str(exc)), icon=":material/key_off:")
                else:
                    go_to_class(normalise_code(code))
    with right, st.container(border=True):
        st.subheader("Start a class (instructor)")
        built = st.session_state.get("ex_set")
        choices = {"example": f"The live-class example ({len(exs.LIVE_EXAMPLE_SET.questions)} "
                              "steps)",
                   "map": "A class map only (everyone adds a word for “ocean”)"}
        if built is not None and built.questions:
            choices = {"builder": f"The set from the exercise builder: “{built.title}” "
                                  f"({len(built.questions)} questions)", **choices}
        pick = st.radio("Questions", list(choices), format_func=choices.get, key="class_pick")
        st.caption("Students join with a code and an optional nickname: no e-mail, no account. "
                   "Answers stay on this server until you delete the class (at most "
                   "12 hours of class time, then it expires).")
        if st.button("Start the class", type="primary", key="class_start",
                     icon=":material/co_present:"):
            chosen = {"builder": built, "example": exs.LIVE_EXAMPLE_SET,
                      "map": exs.ExerciseSet("Class map", (exs.ClassMapQuestion("ocean"),))}[pick]
            start_class(live, chosen)
    st.subheader("Ready lessons")
    st.caption("The lecture and shorter lessons, with your script for every step (only your "
               "screen shows it). One click starts the class; students follow the projector.")
    lessons_ui.ready_lessons_panel(lambda ex: start_class(live, ex), key="class_lessons")
    explain(
        "**Two roles.** The browser that starts a class is its instructor: it sees the "
        "answers, shows them on the projector and can close questions, export or delete. "
        "Students join with the short class code. To run the class from another device, open "
        "the private instructor link shown in your class (under *Open this class on another "
        "device*). Prefer to keep no data at all? Share a link from the *Exercise builder* "
        "instead: the whole set travels in the link and nothing is stored.",
        title="How does a live class work?")


# ------------------------------------------------------------------ calm states


@st.fragment(run_every=2.0)
def recover(live: Classroom, code: str | None) -> None:
    """While the database is down (the page could not be drawn at all): try again (back-off
    inside ClassDB keeps it cheap) and draw the page again as soon as it answers."""
    try:
        if code:
            live.pulse(code)
        else:
            live.db.query("SELECT 1")
    except DatabaseUnavailable:
        return
    st.rerun()


def down_note() -> None:
    st.info("The class database cannot be reached right now. This screen carries on by itself "
            "as soon as it is back (no need to reload); answers already saved are safe.",
            icon=":material/cloud_sync:")


def database_down(live: Classroom, code: str | None) -> None:
    down_note()
    recover(live, code)


def gone(exc: ClassError, code: str) -> None:
    """A class that is no longer there: deleted (when this browser saw it before), expired or
    never existed. A calm message, and the way back to the join box."""
    seen = code in st.session_state.get("class_seen_codes", ())
    if exc.reason == "missing" and seen:
        st.info(f"The class {code} was deleted by its instructor, with every answer and "
                "nickname it stored. Thank you for taking part!", icon=":material/delete:")
    else:
        st.warning(escape_markdown(str(exc)), icon=":material/key_off:")
    if st.button("Join another class", key="class_leave", icon=":material/login:"):
        st.query_params.clear()
        st.rerun()


def open_class(live: Classroom, code: str) -> ClassInfo | None:
    """The class behind ``code``, remembered as seen by this browser (so its deletion can be
    told apart from a wrong code later); ``None`` after a calm message when it is not there."""
    try:
        info = live.info(code)
    except ClassError as exc:
        st.title("Live class")
        gone(exc, code)
        return None
    remember_seen(info.code)
    return info


def remember_seen(code: str) -> None:
    """Note that this browser saw class ``code`` (:func:`gone` then calls it deleted, not
    wrong)."""
    st.session_state.setdefault("class_seen_codes", set()).add(code)


# ------------------------------------------------------------------ the student


def answer_input(q: exs.Question, key: str, saved: str | None) -> str | None:
    """The answer box, showing ``saved`` (what this student sent) when it is drawn for the
    first time in this browser tab, e.g. after a reload; later runs keep what they picked."""
    if q.typed:
        long = isinstance(q, exs.ClassMapQuestion) and q.model == "sbert"
        return st.text_input("Your answer" + ("" if long else " (one word)"), value=saved or "",
                             key=key, max_chars=exs.MAX_PHRASE if long else exs.MAX_WORD)
    docs = cached.exercise_corpus(q.corpus) if isinstance(q, exs.SearchQuestion) else None
    opts = q.options(docs)
    if not opts:
        st.info("This question needs documents that are not installed on this server.")
        return None
    index = opts.index(saved) if saved in opts else None
    if len(opts) > 12:
        return st.selectbox("Your answer", opts, index=index, key=key)
    return st.radio("Your answer", opts, index=index, key=key, format_func=escape_markdown)


def explore_box(q: exs.ExploreStep, where: str = "student") -> None:
    page = ui.explore_page(q)
    if page is None:
        st.info(f"This step opens the page “{escape_markdown(q.page)}”, which this server "
                "does not have.", icon=":material/explore_off:")
        return
    st.markdown(f"**Explore: {escape_markdown(page.title)}**")
    if q.note:
        st.markdown(escape_markdown(q.note))
    if where == "student":
        st.link_button(f"Open {page.title}", ui.explore_link(q), type="primary",
                       icon=":material/open_in_new:")
        st.caption("It opens in a new tab; this tab follows the class.")


def question_box(live: Classroom, info: ClassInfo, me: str, i: int, mine: dict[int, str],
                 numbered: bool) -> None:
    """One question on a student's screen: its prompt, the answer box, what is saved, and,
    once the instructor shows the answer, whether it was right."""
    q = info.exercise.questions[i]
    state = info.state
    revealed = state.revealed and state.question == i
    closed = (i in info.closed or info.ended or revealed
              or (state.pace == INSTRUCTOR_PACED and state.question != i))
    with st.container(border=True):
        st.markdown(f"#### {step_title(info, i) if numbered else 'Question ' + str(i + 1)}")
        if q.kind == "explore":
            explore_box(q)
            return
        st.markdown(escape_markdown(q.prompt()))
        # a closed question draws no answer box: a greyed-out one is noise on a phone (and
        # its label fails WCAG contrast); the saved answer below says what counts
        value = None if closed else answer_input(q, f"class_ans_{info.code}_{i}", mine.get(i))
        if not closed and st.button("Send answer", key=f"class_send_{i}",
                                    disabled=value is None, icon=":material/send:",
                                    type="primary"):
            try:
                live.submit(info.code, me, i, value or "")
            except ClassError as exc:
                st.warning(escape_markdown(str(exc)), icon=":material/block:")
            else:
                mine[i] = " ".join((value or "").split())
        if i in mine:
            st.success(f"Saved: {escape_markdown(mine[i])}. "
                       + ("The question is closed." if closed else
                          "You can change it until the instructor closes the question."),
                       icon=":material/cloud_done:")
        elif closed:
            st.caption("This question is closed.")
        if revealed and not q.open_ended:
            verdict = ui.verdict(q, mine.get(i))
            if verdict:
                st.info(escape_markdown(verdict), icon=":material/school:")


def student(live: Classroom, code: str) -> None:
    """A student's page: the join box until they join, then :func:`student_screen`, which
    starts from what this run read."""
    me = ui.student_id()
    view = ui.student_view(live, code, me, fresh=True)
    if view.info is None:
        st.title("Live class")
        gone(view.error, code)
        return
    remember_seen(view.info.code)
    st.title(escape_markdown(view.info.exercise.title or "Class"))
    if view.seat is None and view.error is None:
        join_box(live, view.info, me)
        return
    student_screen(live, view.info.code, me)


@st.fragment(run_every=ui.FOLLOW_SECONDS)
def student_screen(live: Classroom, code: str, me: str) -> None:
    """Everything on a joined student's screen below the title, following the class by
    itself: every tick is one small query shared by this process's sessions
    (:func:`ui.student_view`) and a redraw of this fragment only, never a page run. The
    class, the seat and the answers are read again only when the class changed. The answer
    boxes keep what the student typed: they are drawn again with the same keys."""
    try:
        view = ui.student_view(live, code, me)
        if view.error is not None:
            if view.error.reason == "removed":
                st.warning(escape_markdown(str(view.error)) + " If this is a mistake, ask them.",
                           icon=":material/person_remove:")
            else:
                gone(view.error, code)
            return
        info, seat = view.info, view.seat
        if seat is None:  # (cannot happen after the page checked; drawn for safety)
            join_box(live, info, me)
            return
        step(live, info, me, seat, view.mine)
    except DatabaseUnavailable:
        down_note()  # the next tick tries again; the page comes back by itself


def step(live: Classroom, info: ClassInfo, me: str, seat: Joined, mine: dict[int, str]) -> None:
    strip = st.container(horizontal=True, vertical_alignment="center")
    strip.markdown(f"Class **{info.code}** · you are **{escape_markdown(seat.nickname)}**")
    strip.markdown(f"[Not you? Join as someone else]"
                   f"({identity.switch_link(f'/live_class?class={info.code}')})")
    join_message()
    if not identity.durable():
        st.caption("This browser did not get its identity cookie, so a reload makes you a new "
                   "student here (the server was started without serve.py).")
    with st.expander("Change your nickname", icon=":material/badge:"):
        join_form(live, info, me, seat.nickname)
    if info.ended:
        st.info("The instructor has ended this class: answers are no longer taken. Thank you!",
                icon=":material/event_busy:")
        if mine:
            st.markdown("**Your answers:** " + "; ".join(
                f"{i + 1}. {escape_markdown(a)}" for i, a in sorted(mine.items())))
        return
    state = info.state
    if state.pace == STUDENT_PACED:
        for i in range(len(info.exercise.questions)):
            question_box(live, info, me, i, mine, numbered=False)
        return
    if state.question < 0:
        st.info("You're in! The first question appears here as soon as the instructor "
                "starts: no need to reload.", icon=":material/hourglass_top:")
        return
    question_box(live, info, me, state.question, mine, numbered=True)


def join_now(live: Classroom, code: str, me: str) -> None:
    """The Join / Rename button's callback (it runs before the page is drawn again, so the
    page shows the new seat without a second run)."""
    try:
        result = live.join(code, me, st.session_state.get("class_nick"))
    except ClassError as exc:
        st.session_state["class_join_msg"] = ("warning", str(exc))
        return
    except DatabaseUnavailable:
        st.session_state["class_join_msg"] = ("warning", "The class database cannot be reached "
                                              "right now: press the button again in a moment.")
        return
    if result.note:
        st.session_state["class_join_msg"] = ("info", result.note)
    st.session_state["class_joined_as"] = result.nickname
    ui.forget_student_view(code)


def join_message() -> None:
    """What the last Join or Rename said (a nickname cut short, a refusal), once."""
    if msg := st.session_state.pop("class_join_msg", None):
        kind, text = msg
        if kind == "info":
            st.info(escape_markdown(text), icon=":material/content_cut:")
        else:
            st.warning(escape_markdown(text))


def join_form(live: Classroom, info: ClassInfo, me: str, current: str | None = None) -> None:
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    c1.text_input("Nickname", key="class_nick", label_visibility="collapsed",
                  placeholder="e.g. Blue Otter", max_chars=MAX_NICKNAME * 2)
    c2.button("Join" if current is None else "Rename", key="class_join_btn", type="primary",
              width="stretch", on_click=join_now, args=(live, info.code, me))


def join_box(live: Classroom, info: ClassInfo, me: str) -> None:
    st.caption(f"Class code **{info.code}**")
    with st.container(border=True):
        st.markdown("**Your nickname (optional).** No real name needed: pick anything, or leave "
                    "it empty to stay anonymous.")
        join_form(live, info, me)
    join_message()
    st.info("Press **Join** to answer (the nickname can stay empty).", icon=":material/login:")


# ------------------------------------------------------------------ what the class answered


def results(live: Classroom, info: ClassInfo, who: str, qi: int, joined: int) -> None:
    """The class's answers to step ``qi``: counts, bars or map, and once the answer is shown,
    the answer and why the most common wrong answer is wrong, with the class's numbers."""
    q = info.exercise.questions[qi]
    if q.kind == "explore":
        explore_box(q, where="projector")
        st.metric("Students joined", joined)
        return
    answers = [a.answer for a in live.answers(info.code, who, qi)]
    shown = info.state.revealed and info.state.question == qi
    view = ui.results_view(q, tuple(answers))
    if isinstance(q, exs.ClassMapQuestion):
        counts(joined, view.results, shown)
        if answers:
            class_map(q, answers, qi)
        return
    # the bars on the left, the counts and (once shown) the answer and the class's most common
    # wrong answer on the right: all of it on the first screen of a 1280×720 projector
    chart, side = st.columns([3, 2], gap="large")
    with side:
        counts(joined, view.results, shown)
        if shown and view.solution is not None and view.results.top_wrong:
            st.markdown(f"#### Most common wrong answer: "
                        f"{escape_markdown(view.results.top_wrong)} "
                        f"({view.results.top_wrong_count} of {view.results.total})")
            st.markdown(escape_markdown(ui.wrong_explanation(q, view.results.top_wrong)))
    with chart:
        if not answers:
            st.info("No answers yet: they appear here as students send them.",
                    icon=":material/hourglass_empty:")
            return
        # built once per distribution and shared: the projector and the instructor draw it
        # every second (building it and enlarging it for the projector took ~50 ms a tick)
        show_chart(cached.figure("classroom.answer_bars", view.results.counts,
                                 view.correct if shown else None), key=f"class_bars_{qi}")
        if shown and view.solution is not None:
            st.markdown(f"#### Answer: {escape_markdown(view.solution.correct)}")
            st.markdown(escape_markdown(view.solution.note))


def counts(joined: int, results, shown: bool) -> None:
    m = st.container(horizontal=True)
    m.metric("Students joined", joined)
    m.metric("Answers", results.total, help="One per student; the latest counts.")
    if shown and results.share_correct is not None:
        m.metric("Correct", f"{results.share_correct:.0%}")


def class_map(q: exs.ClassMapQuestion, answers: list[str], qi: int) -> None:
    method = st.session_state.get("class_map_method", "pca")
    provider = st.session_state.get("class_map_provider", SBERT_KEY)
    try:
        cmap = ui.class_map(tuple(answers), q.model, method, provider)
    except ProviderError as exc:  # a configured remote model failed: say so, SBERT works
        st.warning(f"{exc} Pick SBERT above to draw the map with the built-in model.",
                   icon=":material/cloud_off:")
        return
    if cmap.labels:
        show_chart(cached.figure("classroom.class_map_figure", cmap.labels, cmap.counts,
                                 cmap.coords, cmap.groups, cmap.method.upper()),
                   key=f"class_map_{qi}")
    dupes = [(a, n) for a, n in zip(cmap.labels, cmap.counts, strict=True) if n > 1]
    if dupes:
        st.markdown("**Typed by more than one student:** " + ", ".join(
            f"{escape_markdown(a)} ×{n}" for a, n in dupes[:10]))
    if cmap.skipped:
        st.caption("Not on the map (no word GloVe knows): "
                   + escape_markdown(", ".join(cmap.skipped[:20])))


@st.fragment(run_every=ui.REFRESH_SECONDS)
def live_panel(live: Classroom, code: str, who: str, version: int, projector: bool) -> None:
    """What changes while the class runs: who joined, the step on screen and its answers.
    Reruns on its own every second. The projector draws everything from this fragment (the
    step, its results, an ended, deleted or unreachable class): its screen never needs a
    page run. The instructor's controls sit outside it, so when the class's state changed
    elsewhere (another device of the instructor moved on, closed, revealed, ended or deleted
    it) their page is drawn again."""
    try:
        info = live.info(code)
        if info.state.version != version and not projector:
            st.rerun()
        panel(live, info, who, projector)
    except (ClassError, DatabaseUnavailable) as exc:
        if not projector:
            st.rerun()  # the page says so calmly
        if isinstance(exc, ClassError):
            st.title("Live class")
            gone(exc, code)
        else:
            down_note()  # the next tick tries again


def panel(live: Classroom, info: ClassInfo, who: str, projector: bool) -> None:
    joined = live.student_count(info.code)
    state = info.state
    if projector and info.ended:
        st.title(escape_markdown(info.exercise.title or "Class"))
        st.info(f"This class has ended: thank you! {joined} students took part.",
                icon=":material/event_busy:")
        return
    if projector:
        if state.question < 0:
            st.title(escape_markdown(info.exercise.title or "Class"))
        join_strip(info, joined, big=state.question < 0 or state.join_box)
    if state.question < 0:
        lobby(live, info, who, joined, projector)
        return
    if projector:
        q = info.exercise.questions[state.question]
        st.title(step_title(info, state.question))
        if q.kind != "explore":
            st.markdown(escape_markdown(q.prompt()))
    results(live, info, who, state.question, joined)


def lobby(live: Classroom, info: ClassInfo, who: str, joined: int, projector: bool) -> None:
    """Before the first question: who has joined (their nicknames, as the room sees them)."""
    names = [s.nickname for s in live.roster(info.code, who)]
    if not projector:
        st.info(f"**{joined}** joined. The projector shows the join screen; press **Next** to "
                "put the first question on every screen.", icon=":material/groups:")
    if names:
        st.markdown(" · ".join(escape_markdown(n) for n in names[-60:]))


# ------------------------------------------------------------------ the projector


def join_strip(info: ClassInfo, joined: int, big: bool) -> None:
    address = ui.join_address()
    link = f"{address.base}?{ui.CODE_PARAM}={info.code}"
    shown = address.base.split("://", 1)[-1]
    if not big:
        st.markdown(f"Join at **{escape_markdown(shown)}** · code **`{info.code}`** · "
                    f"**{joined}** joined")
        return
    c1, c2 = st.columns([3, 2], vertical_alignment="center")
    with c1:
        st.markdown(f"### Join at **{escape_markdown(shown)}**")
        st.container(key="class_bigcode").markdown(f"# {info.code}")
        st.markdown(f"**{joined}** joined")
    with c2:
        try:
            st.image(cached.qr_png(link, width=300), caption="Scan to join", width=300,
                     output_format="PNG", alt="QR code of the link to join this live class")
        except ValueError:
            pass


def projector(live: Classroom, info: ClassInfo, me: str) -> None:
    """The projector: no controls, no key. The join box folds to a strip once the class has
    started (the instructor can show it again); the step on screen and its results fill the
    first screen at 1280×720. All of it is drawn by :func:`live_panel`, every second."""
    ui.steady_page(projector=True)
    live_panel(live, info.code, me, info.state.version, projector=True)


# ------------------------------------------------------------------ the instructor


def act(fn, *args) -> None:
    """Run an instructor action from a widget callback; a failure becomes a message."""
    try:
        fn(*args)
    except (ClassError, DatabaseUnavailable) as exc:
        st.session_state["class_action_error"] = str(exc)


def synced(name: str, info: ClassInfo) -> str:
    """The key of a control that shows the class's state (the step on screen, the answer
    shown, the pace, the join box): ``name`` and the state's version; the database sets its
    value. Its ``on_change`` is :func:`changed`. Together they keep a value the browser sent
    from an older screen from undoing a newer change: a one-second refresh that left the
    browser just before the page was drawn again carries every control's old value, and
    Streamlit runs the old controls' callbacks with them (seen under load: Next, then
    ``go_to(old step)``, ``reveal(False)``, ``set_pace`` and ``show_join_box`` from one
    refresh, and the class was back on the old step)."""
    return f"{name}_v{info.state.version}"


def changed(live: Classroom, info: ClassInfo, me: str, key: str, fn):
    """The ``on_change`` of the control keyed ``key`` (see :func:`synced`) drawn from
    ``info``: ``fn(code, me, new value)``, only while the class is still at the version the
    control was drawn at; a change from an older screen is dropped (the page is being drawn
    again with the class as it is)."""
    drawn = info.state.version

    def on_change() -> None:
        try:
            current = live.info(info.code).state.version
        except (ClassError, DatabaseUnavailable) as exc:
            st.session_state["class_action_error"] = str(exc)
            return
        if current == drawn:
            act(fn, info.code, me, st.session_state[key])

    return on_change


def control(live: Classroom, info: ClassInfo, me: str) -> None:
    """The instructor's view: what is on screen, close and reveal, the people, the links."""
    state = info.state
    code = info.code
    qs = info.exercise.questions
    if error := st.session_state.pop("class_action_error", None):
        st.warning(escape_markdown(error), icon=":material/error:")
    if not identity.durable():
        st.warning("This browser did not get its identity cookie (the server was started with "
                   "`streamlit run app.py` instead of `make run`), so a reload makes everyone a "
                   "new person, you included: keep the instructor link below to get back.",
                   icon=":material/cookie_off:")
    ui.steady_page()
    st.title(escape_markdown(info.exercise.title or "Class"))
    address = ui.join_address()
    top = st.container(horizontal=True, vertical_alignment="center")
    top.markdown(f"Live class · code **`{code}`** · students open "
                 f"**{escape_markdown(address.base)}**")
    top.link_button("Projector view", f"?{ui.CODE_PARAM}={code}&{ui.VIEW_PARAM}="
                    f"{ui.PROJECTOR}&present=1", icon=":material/present_to_all:")
    if address.hint and (state.question < 0 or not address.reachable):
        (st.warning if not address.reachable else st.caption)(escape_markdown(address.hint))
    if info.ended:
        st.info("You ended this class: students can no longer answer. The results stay until "
                "you delete the class.", icon=":material/event_busy:")
    labels = {-1: "Lobby: the join screen"} | {
        i: f"{i + 1}. {q.label}" + (" (closed)" if i in info.closed else "")
        for i, q in enumerate(qs)}
    st.session_state["class_q"] = state.question  # what is on screen (not a widget)
    nav = st.container(horizontal=True, vertical_alignment="bottom")
    nav.button("Previous", key="class_prev", icon=":material/arrow_back:",
               disabled=state.question < 0, on_click=act,
               args=(live.go_to, code, me, state.question - 1))
    on_screen = synced("class_on_screen", info)
    nav.selectbox("On screen", list(labels), index=list(labels).index(state.question),
                  format_func=labels.__getitem__, key=on_screen,
                  on_change=changed(live, info, me, on_screen, live.go_to))
    nav.button("Next", key="class_next", icon=":material/arrow_forward:", type="primary",
               disabled=state.question >= len(qs) - 1, on_click=act,
               args=(live.go_to, code, me, state.question + 1))
    qi = state.question
    if qi >= 0 and qs[qi].kind != "explore":
        q = qs[qi]
        st.markdown(f"**{escape_markdown(q.prompt())}**")
        lessons_ui.script_box(q)  # the lesson's script for this step: this screen only
        c = st.container(horizontal=True, vertical_alignment="center")
        closed = qi in info.closed
        c.button("Reopen answers" if closed else "Close answers", key="class_close",
                 icon=":material/lock_open:" if closed else ":material/lock:", on_click=act,
                 args=(live.close_question, code, me, qi, not closed))
        if isinstance(q, exs.ClassMapQuestion):
            with c:
                st.radio("Map", ["pca", "umap"], key="class_map_method", horizontal=True,
                         format_func={"pca": "PCA (steady)", "umap": "UMAP (clusters)"}.get)
                if q.model == "sbert":
                    provider_picker("class_map_provider")  # only drawn when one is configured
        else:
            key = synced(f"class_show_{qi}", info)
            c.toggle("Show the answer", value=state.revealed, key=key,
                     help="On every screen: the projector, and each student sees whether they "
                          "were right. The question takes no answers while it shows.",
                     on_change=changed(live, info, me, key, live.reveal))
    elif qi >= 0:
        st.caption("Students' screens offer to open this page; nothing to answer.")
        lessons_ui.script_box(qs[qi])
    live_panel(live, code, me, state.version, projector=False)
    st.divider()
    settings(live, info, me)


def settings(live: Classroom, info: ClassInfo, me: str) -> None:
    code, state = info.code, info.state
    with st.expander("Pace and projector", icon=":material/tune:"):
        pace, join_box = synced("class_pace", info), synced("class_join_box", info)
        st.radio("Pace", list(PACE_LABELS), index=list(PACE_LABELS).index(state.pace),
                 format_func=PACE_LABELS.get, key=pace,
                 on_change=changed(live, info, me, pace, live.set_pace))
        st.toggle("Show the join box (code and QR) on the projector", value=state.join_box,
                  key=join_box, on_change=changed(live, info, me, join_box, live.show_join_box))
    people(live, info.code, me)
    address = ui.join_address()
    with st.expander("Open this class on another device", icon=":material/key:"):
        st.markdown("This link runs the class from another browser (a laptop at the lectern, "
                    "the projector's computer): opening it there makes that browser an "
                    "instructor of this class, then the key leaves its address bar. **Keep it "
                    "private**: it shows the answers. Never put it on the projector.")
        key = ui.instructor_key(code)
        if key:
            st.code(f"{address.base}?{ui.CODE_PARAM}={code}&{ui.KEY_PARAM}={key}",
                    language=None, wrap_lines=True)
        if st.button("Make a new instructor link" if key else "Show an instructor link",
                     key="class_new_key", icon=":material/key:",
                     help="A new key: the previous link stops working (devices that already "
                          "opened it stay instructors)."):
            try:
                ui.remember_key(code, live.new_key(code, me))
            except (ClassError, DatabaseUnavailable) as exc:
                st.warning(escape_markdown(str(exc)))
            else:
                st.rerun()
    with st.expander("Export, end or delete the class", icon=":material/settings:"):
        d = st.container(horizontal=True)
        d.download_button("Responses (CSV)", lambda: live.csv(code, me).encode(),
                          f"class-{code}.csv", "text/csv", key="class_csv",
                          icon=":material/download:", on_click="ignore")
        d.button("End the class", key="class_end", disabled=info.ended,
                 icon=":material/event_busy:", on_click=act, args=(live.end, code, me))
        with d.popover("Delete the class…", icon=":material/delete:"):
            st.markdown("Delete this class and every answer and nickname it stored?")
            if st.button("Yes, delete everything", key="class_delete", type="primary"):
                removed = live.delete(code, me)
                st.query_params.clear()
                st.session_state.pop("class_q", None)
                st.success(f"Deleted the class ({removed} records).")
                st.stop()
        st.caption(escape_markdown(ui.purge_note()))
        answers = live.answers(code, me)
        if answers:
            table = pd.DataFrame([{"nickname": a.nickname, "question": a.question + 1,
                                   "answer": a.answer} for a in answers])
            st.dataframe(table, hide_index=True, key="class_table")
    del state


@st.fragment(run_every=ui.REFRESH_SECONDS)
def people(live: Classroom, code: str, me: str) -> None:
    """Who joined, with a way to remove a duplicate or reset a nickname; its count follows
    the class every second, as the live panel does."""
    try:
        roster = live.roster(code, me)
    except (ClassError, DatabaseUnavailable):
        return  # the live panel above says so
    with st.expander(f"People: {len(roster)} joined", icon=":material/groups:",
                     key="class_people"):  # (a key: the count in its label may change)
        if not roster:
            st.caption("Nobody has joined yet.")
            return
        st.caption("One row per person: a reload keeps the same seat. Remove a duplicate (the "
                   "same person on two devices) or reset a rude nickname to Anonymous.")
        for seat in roster:
            row = st.container(horizontal=True, vertical_alignment="center")
            row.markdown(f"**{escape_markdown(seat.nickname)}** · {seat.answered} answer"
                         f"{'s' * (seat.answered != 1)}" + (" · nickname reset" if seat.locked
                                                             else ""))
            row.button("Reset nickname", key=f"class_reset_{seat.student}",
                       disabled=seat.locked, on_click=act,
                       args=(live.reset_nickname, code, me, seat.student))
            row.button("Remove", key=f"class_remove_{seat.student}",
                       icon=":material/person_remove:", on_click=act,
                       args=(live.remove_student, code, me, seat.student))


def instructor(live: Classroom, code: str, me: str, view: str | None) -> None:
    info = open_class(live, code)
    if info is None:
        return
    if view == ui.PROJECTOR:
        projector(live, info, me)
    else:
        control(live, info, me)


# ------------------------------------------------------------------ the page


def main() -> None:
    live = ui.classroom()
    if live is None:
        st.title("Live class")
        return
    raw_code = st.query_params.get(ui.CODE_PARAM)
    code = normalise_code(raw_code) if raw_code else None
    me = identity.person_id()
    view = st.query_params.get(ui.VIEW_PARAM)
    try:
        if code and (key := st.query_params.get(ui.KEY_PARAM)):
            # the instructor key: exchanged for an instructor session of this browser, then
            # out of the address bar (and of the history entry: it is replaced, not pushed)
            if live.claim(code, key, me):
                ui.remember_key(code, key)
            else:
                st.session_state["class_bad_key"] = True
            del st.query_params[ui.KEY_PARAM]
        if code and live.is_instructor(code, me):
            instructor(live, code, me, view)
        elif code:
            if st.session_state.pop("class_bad_key", False):
                st.error("This instructor link is not valid (the key was changed or cut short). "
                         "Students can use the class code alone.", icon=":material/key_off:")
            if view:
                del st.query_params[ui.VIEW_PARAM]  # the projector view is the instructor's
            student(live, code)
        else:
            st.title("Live class")
            st.caption("Students answer on their phones; the projector shows what the class "
                       "answered, live.")
            landing(live)
    except DatabaseUnavailable:
        st.title("Live class")
        database_down(live, code)


main()
