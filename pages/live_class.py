"""Live class: students answer with a class code; the instructor's screen shows the class live."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from embedding.charts.classroom import answer_bars, class_map_figure
from embedding.classroom import exercises as exs
from embedding.classroom.live import (
    CODE_LENGTH,
    MAX_NICKNAME,
    ClassError,
    Classroom,
    normalise_code,
    summarise,
)
from embedding.models.providers import SBERT_KEY, ProviderError
from embedding.text import escape_markdown
from ui import cached
from ui import classroom as ui
from ui.widgets import explain, provider_picker, show_chart


def page_address() -> str:
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - tests without a browser
        url = ""
    return url.split("?")[0].split("#")[0] or "http://localhost:8501/live_class"


def go_to_class(code: str, token: str | None = None) -> None:
    st.query_params.clear()
    st.query_params[ui.CODE_PARAM] = code
    if token:
        st.query_params[ui.KEY_PARAM] = token
    st.rerun()


# ------------------------------------------------------------------ no class yet


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
        choices = {"example": "The example set (5 questions)",
                   "map": "A class map only (everyone adds a word for “ocean”)"}
        if built is not None and built.questions:
            choices = {"builder": f"The set from the exercise builder: “{built.title}” "
                                  f"({len(built.questions)} questions)", **choices}
        pick = st.radio("Questions", list(choices), format_func=choices.get, key="class_pick")
        st.caption("Students join with a code and an optional nickname: no e-mail, no account. "
                   "Answers stay on this server until you delete the class.")
        if st.button("Start the class", type="primary", key="class_start",
                     icon=":material/co_present:"):
            chosen = {"builder": built, "example": exs.EXAMPLE_SET,
                      "map": exs.ExerciseSet("Class map", (exs.ClassMapQuestion("ocean"),))}[pick]
            code, token = live.start(chosen)
            go_to_class(code, token)
    explain(
        "**Two links, two roles.** Starting a class gives a short class code for students and "
        "a private instructor link (the code plus a long secret key). Only the instructor link "
        "shows the answers, the results and the buttons to close questions, export or delete. "
        "Prefer to keep no data at all? Share a link from the *Exercise builder* instead: the "
        "whole set travels in the link and nothing is stored.",
        title="How does a live class work?")


# ------------------------------------------------------------------ the student


def answer_input(q: exs.Question, key: str, disabled: bool) -> str | None:
    if q.typed:
        long = isinstance(q, exs.ClassMapQuestion) and q.model == "sbert"
        return st.text_input("Your answer" + ("" if long else " (one word)"), key=key,
                             max_chars=exs.MAX_PHRASE if long else exs.MAX_WORD,
                             disabled=disabled)
    docs = cached.exercise_corpus(q.corpus) if isinstance(q, exs.SearchQuestion) else None
    opts = q.options(docs)
    if not opts:
        st.info("This question needs documents that are not installed on this server.")
        return None
    if len(opts) > 12:
        return st.selectbox("Your answer", opts, index=None, key=key, disabled=disabled)
    return st.radio("Your answer", opts, index=None, key=key, disabled=disabled,
                    format_func=escape_markdown)


def student(live: Classroom, code: str) -> None:
    try:
        info = live.info(code)
    except ClassError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/key_off:")
        st.query_params.clear()
        return
    me = ui.student_id()
    st.header(escape_markdown(info.exercise.title or "Class"))
    st.caption(f"Class code **{info.code}**")
    joined = st.session_state.get("class_joined") == info.code
    with st.container(border=True):
        st.markdown("**Your nickname (optional).** No real name needed: pick anything, or leave "
                    "it empty to stay anonymous.")
        c1, c2 = st.columns([3, 1])
        nick = c1.text_input("Nickname", key="class_nick", label_visibility="collapsed",
                             placeholder="e.g. Blue Otter", max_chars=MAX_NICKNAME * 2)
        if c2.button("Join" if not joined else "Rename", key="class_join_btn", type="primary"):
            try:
                result = live.join(info.code, me, nick)
            except ClassError as exc:
                st.warning(escape_markdown(str(exc)))
            else:
                st.session_state["class_joined"] = info.code
                joined = True
                if result.note:
                    st.info(result.note, icon=":material/content_cut:")
                st.success(f"You joined as {escape_markdown(result.nickname)}.",
                           icon=":material/check:")
    if joined:
        st.session_state["class_code"] = info.code  # what this session builds belongs to the class
    if not joined:
        st.info("Press **Join** to answer (the nickname can stay empty).", icon=":material/login:")
        return
    if info.ended:
        st.info("The instructor has ended this class: answers are no longer taken.",
                icon=":material/event_busy:")
    mine = live.my_answers(info.code, me)
    for i, q in enumerate(info.exercise.questions):
        closed = i in info.closed or info.ended
        with st.container(border=True):
            st.markdown(f"#### Question {i + 1}")
            st.markdown(escape_markdown(q.prompt()))
            value = answer_input(q, f"class_ans_{info.code}_{i}", closed)
            if st.button("Send answer", key=f"class_send_{i}", disabled=closed or value is None,
                         icon=":material/send:"):
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


# ------------------------------------------------------------------ the instructor


def share_box(code: str, token: str) -> None:
    base = page_address()
    student_link = f"{base}?{ui.CODE_PARAM}={code}"
    c1, c2 = st.columns([3, 2])
    with c1:
        st.markdown(f"# Class code: `{code}`")
        st.markdown(f"Students open **{escape_markdown(base)}** and type the code, or scan:")
        st.code(student_link, language=None, wrap_lines=True)
        with st.expander("Your instructor link (keep it private: it shows the answers)",
                         icon=":material/key:"):
            st.code(f"{student_link}&{ui.KEY_PARAM}={token}", language=None, wrap_lines=True)
    with c2:
        try:
            # a whole scale that fits 220 px, sent as the PNG it is: nothing to resize or
            # re-encode (as JPEG) on every run
            st.image(cached.qr_png(student_link, width=220), caption="Scan to join", width=220,
                     output_format="PNG", alt="QR code of the link to join this live class")
        except ValueError:
            pass


@st.fragment(run_every=ui.REFRESH_SECONDS)
def live_results(live: Classroom, code: str, token: str, qi: int, show_key: bool) -> None:
    """The selected question's results; reruns on its own every second or two."""
    info = live.info(code)
    q = info.exercise.questions[qi]
    answers = [a.answer for a in live.answers(code, token, qi)]
    sol = None if q.open_ended else ui.solution(q)
    results = summarise(answers, (lambda a: a in sol.accepted if not q.typed
                                  else a.casefold() in {x.casefold() for x in sol.accepted})
                        if sol else None)
    m = st.columns(3)
    m[0].metric("Students joined", live.student_count(code))
    m[1].metric("Answers", results.total, help="One per student; the latest counts.")
    if results.share_correct is not None and show_key:
        m[2].metric("Correct", f"{results.share_correct:.0%}")
    if not answers:
        st.info("No answers yet: they appear here as students send them.",
                icon=":material/hourglass_empty:")
        return
    if isinstance(q, exs.ClassMapQuestion):
        method = st.session_state.get("class_map_method", "pca")
        provider = st.session_state.get("class_map_provider", SBERT_KEY)
        try:
            cmap = ui.class_map(tuple(answers), q.model, method, provider)
        except ProviderError as exc:  # a configured remote model failed: say so, SBERT works
            st.warning(f"{exc} Pick SBERT above to draw the map with the built-in model.",
                       icon=":material/cloud_off:")
            return
        if cmap.labels:
            show_chart(class_map_figure(cmap.labels, cmap.counts, cmap.coords, cmap.groups,
                                        cmap.method.upper()), key=f"class_map_{qi}")
        dupes = [(a, n) for a, n in zip(cmap.labels, cmap.counts, strict=True) if n > 1]
        if dupes:
            st.markdown("**Typed by more than one student:** " + ", ".join(
                f"{escape_markdown(a)} ×{n}" for a, n in dupes[:10]))
        if cmap.skipped:
            st.caption("Not on the map (no word GloVe knows): "
                       + escape_markdown(", ".join(cmap.skipped[:20])))
        return
    correct = set(sol.accepted) if (sol and show_key) else None
    if correct is not None and q.typed:
        correct = {a for a, _ in results.counts if a.casefold() in
                   {x.casefold() for x in sol.accepted}}
    show_chart(answer_bars(results.counts, correct), key=f"class_bars_{qi}")
    if show_key and sol is not None:
        st.markdown(f"### Answer: {escape_markdown(sol.correct)}")
        st.markdown(escape_markdown(sol.note))
        if results.top_wrong:
            st.markdown(f"### Most common wrong answer: {escape_markdown(results.top_wrong)} "
                        f"({results.top_wrong_count} of {results.total})")
            why = q.check(sol, results.top_wrong).message.removesuffix(" Try again.")
            st.markdown(escape_markdown(why))


def instructor(live: Classroom, code: str, token: str) -> None:
    try:
        info = live.info(code)
    except ClassError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/key_off:")
        return
    if not live.is_instructor(info.code, token):
        st.error("This instructor link is not valid (the key was changed or cut short). Students "
                 "can use the class code alone.", icon=":material/key_off:")
        return
    st.session_state["class_code"], st.session_state["class_token"] = info.code, token
    st.header(escape_markdown(info.exercise.title or "Class"))
    share_box(info.code, token)
    qs = info.exercise.questions
    labels = [f"{i + 1}. {q.label}" + (" (closed)" if i in info.closed else "")
              for i, q in enumerate(qs)]
    qi = st.selectbox("Question on screen", range(len(qs)), format_func=labels.__getitem__,
                      key="class_q")
    q = qs[qi]
    st.markdown(f"**{escape_markdown(q.prompt())}**")
    c = st.columns(3)
    closed = qi in info.closed
    if c[0].button("Reopen answers" if closed else "Close answers", key="class_close",
                   icon=":material/lock_open:" if closed else ":material/lock:"):
        live.close_question(info.code, token, qi, closed=not closed)
        st.rerun()
    show_key = True
    if isinstance(q, exs.ClassMapQuestion):
        c[1].radio("Map", ["pca", "umap"], key="class_map_method", horizontal=True,
                   format_func={"pca": "PCA (steady)", "umap": "UMAP (clusters)"}.get)
        if q.model == "sbert":
            with c[1]:
                provider_picker("class_map_provider")  # only drawn when one is configured
    else:
        show_key = c[1].toggle("Show the answer", key=f"class_show_{qi}",
                               help="Off while students answer, so the projector gives nothing "
                                    "away.")
    live_results(live, info.code, token, qi, show_key)
    st.divider()
    with st.expander("Export, end or delete the class", icon=":material/settings:"):
        d = st.columns(3)
        d[0].download_button("Responses (CSV)", lambda: live.csv(info.code, token).encode(),
                             f"class-{info.code}.csv", "text/csv", key="class_csv",
                             icon=":material/download:", on_click="ignore")
        if d[1].button("End the class", key="class_end", disabled=info.ended,
                       icon=":material/event_busy:"):
            live.end(info.code, token)
            st.rerun()
        with d[2].popover("Delete the class…", icon=":material/delete:"):
            st.markdown("Delete this class and every answer and nickname it stored?")
            if st.button("Yes, delete everything", key="class_delete", type="primary"):
                removed = live.delete(info.code, token)
                st.query_params.clear()
                st.session_state.pop("class_q", None)
                st.success(f"Deleted the class ({removed} records).")
                st.stop()
        answers = live.answers(info.code, token)
        if answers:
            table = pd.DataFrame([{"nickname": a.nickname, "question": a.question + 1,
                                   "answer": a.answer} for a in answers])
            st.dataframe(table, hide_index=True, key="class_table")


# ------------------------------------------------------------------ the page

st.title("Live class")
live = ui.classroom()
if live is None:
    st.stop()
code, token = st.query_params.get(ui.CODE_PARAM), st.query_params.get(ui.KEY_PARAM)
if code and token:
    instructor(live, normalise_code(code), token)
elif code:
    student(live, normalise_code(code))
else:
    st.caption("Students answer on their phones; the projector shows what the class answered, "
               "live.")
    landing(live)
