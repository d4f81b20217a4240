"""Exercise builder: compose an in-class exercise, share it by link or QR code, reveal the key.

The answer key (the reveal toggle, the answer-key download, a live class of the set) belongs to
whoever built the set: their browser (durable identity) is recorded as its builder when they
compose it; a set opened from a shared link belongs to nobody there. The builder's private
answer-key link (the link plus a signed ``key``) makes another of their devices a builder too.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st

from embedding.classroom import exercises as exs
from embedding.classroom import lessons
from embedding.classroom.explain import (
    VectorParseError,
    format_named_vectors,
    parse_named_vectors,
    worked_steps_markdown,
)
from embedding.models.glove import ModelLoadError
from embedding.sentences.compare import NoKnownWordsError
from embedding.text import escape_markdown
from embedding.words.vocab import UnknownWordError, parse_word_list
from ui import cached, resources
from ui import lessons as lessons_ui
from ui.classroom import (
    CODE_PARAM,
    KEY_PARAM,
    answer_key_link,
    claim_set,
    classroom,
    mark_built,
    owns_set,
    remember_key,
)
from ui.identity import person_id
from ui.widgets import downloads, explain, glove_or_stop, sbert_or_stop, show_chart, warn_unknown

BUILD, ANSWER = "Build (instructor)", "Answer (students)"
MAX_IMPORT_BYTES = exs.MAX_JSON_BYTES
DEFAULT_BASE = "http://localhost:8501/exercises"
QR_WIDTH = 260  # pixels of the QR code on screen


# ------------------------------------------------------------------ cached computations


def _solve(q: exs.Question, kv_loader, model_loader) -> exs.Solution:
    need = q.needs
    if "glove" in need:
        kv_loader()  # a friendly error when the model cannot load
    if "sbert" in need:
        model_loader()
    return cached.exercise_solution(json.dumps(exs.question_to_dict(q), sort_keys=True))


def solution(q: exs.Question) -> exs.Solution | None:
    """The solution, or ``None`` after a friendly warning (unknown word, missing corpus)."""
    try:
        return _solve(q, glove_or_stop, sbert_or_stop)
    except UnknownWordError as exc:
        warn_unknown(exc)
    except NoKnownWordsError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/spellcheck:")
    except ValueError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/info:")
    return None


def quiet_solution(q: exs.Question) -> exs.Solution | None:
    """The solution or ``None``, drawing nothing (for downloads built on click)."""
    try:
        return _solve(q, resources.glove, resources.sbert)
    except (KeyError, ValueError, ModelLoadError):
        return None


# ------------------------------------------------------------------ the set in session + URL


def use_set(new: exs.ExerciseSet, built: bool = True) -> None:
    """Make ``new`` the current set (answers and the title box follow it); ``built``: this
    person composed it (an import, the example), so its key is theirs."""
    st.session_state["ex_set"] = new
    st.session_state["ex_title"] = new.title
    if built:
        mark_built(new)


def change_set(new: exs.ExerciseSet) -> None:
    """An edit of the current set: the result is this person's if the set they edited was
    (editing a set opened from someone else's link gives no key to its questions)."""
    if owns_set(st.session_state["ex_set"]):
        mark_built(new)
    st.session_state["ex_set"] = new


def load_from_url() -> None:
    if "ex_pending" in st.session_state:  # an imported file, from the previous run
        use_set(st.session_state.pop("ex_pending"))
        return
    token = st.query_params.get(exs.URL_PARAM)
    first = "ex_set" not in st.session_state
    if token and (key := st.query_params.get(KEY_PARAM)):
        # the builder's answer-key link: this browser becomes a builder of the set, and the
        # key leaves the address bar
        try:
            if not claim_set(exs.decode_set(token), key):
                st.warning("This answer-key link is not valid (changed or cut short): the set "
                           "opens without its key.", icon=":material/key_off:")
        except exs.ExerciseFormatError:
            pass
        del st.query_params[KEY_PARAM]
    if token and token != st.session_state.get("ex_token"):
        try:
            use_set(exs.decode_set(token), built=False)
            st.session_state["ex_token"] = token
            if first:
                st.session_state["ex_mode"] = ANSWER  # a student opening a shared link
            return
        except exs.ExerciseFormatError as exc:
            st.error("This exercise link cannot be opened: " + escape_markdown(str(exc)),
                     icon=":material/link_off:")
            st.info("Ask your instructor for the link again, or scan the QR code. Below is the "
                    "example set.", icon=":material/qr_code_scanner:")
    if first:
        use_set(exs.EXAMPLE_SET)


def set_questions(questions) -> None:
    current = st.session_state["ex_set"]
    change_set(exs.ExerciseSet(current.title, tuple(questions)))


def remove(i: int) -> None:
    qs = list(st.session_state["ex_set"].questions)
    del qs[i]
    set_questions(qs)


def move(i: int, step: int) -> None:
    qs = list(st.session_state["ex_set"].questions)
    j = i + step
    if 0 <= j < len(qs):
        qs[i], qs[j] = qs[j], qs[i]
        set_questions(qs)


def base_url() -> str:
    try:
        detected = st.context.url
    except Exception:  # noqa: BLE001 - older servers or tests without a browser
        detected = None
    if "ex_base" not in st.session_state:
        st.session_state["ex_base"] = detected or DEFAULT_BASE
    return st.text_input(
        "Address of this page (what students open)", key="ex_base", max_chars=300,
        help="Detected from your browser. Change it if students reach the app by another "
             "address (e.g. the projector machine's network name instead of localhost).",
    )


# ------------------------------------------------------------------ builder widgets


def question_form() -> dict | None:
    """The fields of a new question as JSON-like data, or ``None`` if something is missing."""
    kind = st.selectbox("Kind of question", list(exs.KINDS), format_func=exs.KINDS.get,
                        key="ex_kind")
    if kind == "toy":
        text = st.text_area(
            "Vectors, one per line: `name: numbers`. The **first** one is the item the student "
            "liked.", value=format_named_vectors({"Avatar": [1, 2, 2], "Ironman": [3, 7, 8],
                                                   "Rainman": [1, -2, 6]}),
            key="ex_toy_vectors", height=130, max_chars=1_000)
        try:
            vectors = parse_named_vectors(text)
        except VectorParseError as exc:
            st.warning(escape_markdown(str(exc)), icon=":material/edit_note:")
            return None
        if len(vectors) < 3:
            st.info("Give the liked item and at least two others to choose from.")
            return None
        return {"kind": "toy", "liked": next(iter(vectors)), "vectors": vectors}
    if kind == "closest":
        word = st.text_input("Word", "frog", key="ex_closest_word", max_chars=exs.MAX_WORD)
        cands = st.text_input("Candidates (2 to 6, separated by commas)", "toad, lizard, prince",
                              key="ex_closest_cands", max_chars=300)
        return {"kind": "closest", "word": word, "candidates": parse_word_list(cands, limit=7)}
    if kind == "order":
        a = st.text_input("First phrase", "dog bites man", key="ex_order_a",
                          max_chars=exs.MAX_PHRASE)
        b = st.text_input("Second phrase", "man bites dog", key="ex_order_b",
                          max_chars=exs.MAX_PHRASE)
        return {"kind": "order", "a": a, "b": b}
    if kind == "analogy":
        cols = st.columns(3)
        a = cols[0].text_input("a", "france", key="ex_an_a", max_chars=exs.MAX_WORD)
        b = cols[1].text_input("is to b", "paris", key="ex_an_b", max_chars=exs.MAX_WORD)
        c = cols[2].text_input("as c is to ?", "italy", key="ex_an_c", max_chars=exs.MAX_WORD)
        return {"kind": "analogy", "a": a, "b": b, "c": c}
    if kind == "classmap":
        topic = st.text_input("Topic (students add what comes to mind)", "ocean",
                              key="ex_map_topic", max_chars=exs.MAX_PHRASE)
        model = st.radio("Students type", list(exs.MAP_MODELS), format_func=exs.MAP_MODELS.get,
                         horizontal=True, key="ex_map_model")
        st.caption("A class map needs a live class: the projector shows every answer on one map.")
        return {"kind": "classmap", "topic": topic, "model": model}
    if kind == "pieces":
        words = st.text_input("Words (2 to 6, separated by commas)",
                              "unbelievable, embeddings, snowboarding, chocolate",
                              key="ex_pieces_words", max_chars=300)
        st.caption("BERT keeps frequent words whole and spells rare ones from pieces: mix "
                   "long common words with short rare ones.")
        return {"kind": "pieces", "words": parse_word_list(words, limit=7)}
    if kind == "explore":
        return explore_form()
    available = {k: v for k, v in exs.CORPORA.items() if cached.exercise_corpus(k)}
    if "movies" not in available:
        st.caption("Movie blurbs (data/movies.csv) are not installed on this server, so search "
                   "questions use the built-in sentences.")
    name = st.radio("Search in", list(available), format_func=available.get, horizontal=True,
                    key="ex_search_corpus")
    query = st.text_input("Query", "Will it be stormy this evening?", key="ex_search_query",
                          max_chars=exs.MAX_PHRASE)
    labels = [d.label for d in cached.exercise_corpus(name) or []]
    expected = st.selectbox("Expected top result", labels, key="ex_search_expected",
                            help="What you expect SBERT to return first. The key always shows "
                                 "what SBERT really ranks first, and says if it differs.")
    return {"kind": "search", "query": query, "corpus": name, "expected": expected or ""}


def explore_form() -> dict | None:
    """An Explore step: a page, its settings as in the page's own link, a note."""
    from urllib.parse import parse_qsl, urlsplit

    pages = {p.path.removeprefix("pages/").removesuffix(".py"): p.title for p in explore_pages()}
    page = st.selectbox("Page the class opens", list(pages), format_func=pages.get,
                        key="ex_explore_page",
                        index=list(pages).index("word_order") if "word_order" in pages else 0)
    preset = st.text_input(
        "Its settings (optional): paste the page's link, or `name=value&…`",
        "order_a=chocolate milk&order_b=milk chocolate" if page == "word_order" else "",
        key=f"ex_explore_params_{page}", max_chars=2_000,
        help="Open the page, set it up, copy the address: its settings come along.")
    note = st.text_input("What to look at (shown to students)",
                         "Which model tells the two phrases apart?" if page == "word_order"
                         else "", key="ex_explore_note", max_chars=exs.MAX_PHRASE)
    query = urlsplit(preset.strip()).query if "?" in preset else preset.strip()
    params = dict(parse_qsl(query, keep_blank_values=False)[: exs.MAX_EXPLORE_PARAMS + 1])
    return {"kind": "explore", "page": page, "params": params, "note": note}


def explore_pages():
    from ui.catalog import available
    from ui.classroom import ROOT

    return [p for p in available(str(ROOT)) if p.path not in (
        "pages/home.py", "pages/exercises.py", "pages/live_class.py")]


def add_question(fields: dict) -> None:
    current: exs.ExerciseSet = st.session_state["ex_set"]
    if len(current.questions) >= exs.MAX_QUESTIONS:
        st.warning(f"A set holds at most {exs.MAX_QUESTIONS} questions (so the link stays short "
                   "enough for a QR code). Remove one first.")
        return
    try:
        q = exs.question_from_dict(fields, "The new question")
    except exs.ExerciseFormatError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/edit_note:")
        return
    try:
        exs.check_link_size(exs.ExerciseSet(current.title, (*current.questions, q)))
    except exs.ExerciseFormatError as exc:
        st.warning(escape_markdown(str(exc)), icon=":material/link_off:")
        return
    sol = solution(q)  # checks the words exist and the answer can be computed
    if sol is None:
        return
    set_questions([*current.questions, q])
    key = escape_markdown(sol.correct)
    st.success(f"Added question {len(current.questions) + 1}. Key: {key}",
               icon=":material/check:")


def builder() -> None:
    ex: exs.ExerciseSet = st.session_state["ex_set"]
    title = st.text_input("Title of the set", key="ex_title", max_chars=exs.MAX_TITLE)
    if title.strip() != ex.title:
        change_set(exs.ExerciseSet(title.strip(), ex.questions))
        ex = st.session_state["ex_set"]
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.subheader("Add a question")
        fields = question_form()
        if st.button("Add question", key="ex_add", type="primary",
                     icon=":material/add:", disabled=fields is None) and fields:
            add_question(fields)
    with right:
        ex = st.session_state["ex_set"]
        st.subheader(f"The set: {len(ex.questions)} question{'s' * (len(ex.questions) != 1)}")
        if not ex.questions:
            st.info("No questions yet: add one on the left, or start from the example set.")
        for i, q in enumerate(ex.questions):
            # one bordered row per question: its text, then its three buttons (no columns)
            with st.container(border=True, horizontal=True, vertical_alignment="center"):
                st.markdown(f"**{i + 1}. {exs.KINDS[q.kind]}**  \n"
                            + escape_markdown(exs.prompt(q)))
                st.button("", key=f"ex_up_{i}", icon=":material/arrow_upward:",
                          on_click=move, args=(i, -1), disabled=i == 0, help="Move up")
                st.button("", key=f"ex_down_{i}", icon=":material/arrow_downward:",
                          on_click=move, args=(i, 1), disabled=i == len(ex.questions) - 1,
                          help="Move down")
                st.button("", key=f"ex_del_{i}", icon=":material/delete:",
                          on_click=remove, args=(i,), help="Remove")
        st.button("Start from the example set", key="ex_example",
                  on_click=use_set, args=(exs.EXAMPLE_SET,), icon=":material/restart_alt:")
        ready = lessons_ui.ready()
        row = st.container(horizontal=True, vertical_alignment="bottom")
        name = row.selectbox("Or a ready lesson (with your script)", list(ready),
                             format_func=lambda n: ready[n].title, key="ex_lesson_pick")
        row.button("Load", key="ex_lesson_load", icon=":material/menu_book:",
                   on_click=use_set, args=(ready[name].exercise_set(),))
        st.button("Clear all questions", key="ex_clear", on_click=set_questions, args=((),),
                  icon=":material/clear_all:")


def share_and_export(ex: exs.ExerciseSet) -> None:
    st.subheader("Share with the class")
    link = exs.share_link(base_url(), ex)
    left, right = st.columns([3, 2])
    with left:
        st.caption(f"The link ({len(link):,} characters) carries the whole set (nothing is "
                   "stored on the server). Students open it, answer, and check their answers.")
        st.code(link, language=None, wrap_lines=True)
    with right:
        try:
            png = cached.qr_png(link)  # once per link for every session
        except ValueError as exc:
            st.warning(str(exc))
        else:
            # drawn at a whole scale that fits 260 px: st.image has nothing to resize each run
            st.image(cached.qr_png(link, width=QR_WIDTH), caption="Scan to open the exercise",
                     width=QR_WIDTH, output_format="PNG",  # "auto" re-encodes it as JPEG
                     alt="QR code of the link to this exercise set")
            st.download_button("QR code (PNG)", png, "exercise-qr.png", "image/png",
                               key="ex_dl_qr", icon=":material/qr_code_2:", on_click="ignore")

    if not owns_set(ex):
        st.info("This set came from someone else's link: its answer key, its exports and a "
                "live class of it are for the person who built it. To make your own, start "
                "from the example set or clear the questions above.", icon=":material/lock:")
        return
    key_link = answer_key_link(link, ex)
    if key_link:
        with st.expander("Your answer-key link (private)", icon=":material/key:"):
            st.caption("Opens this set with its answer key on another of your devices (the key "
                       "then leaves the address bar). Never share it with students.")
            st.code(key_link, language=None, wrap_lines=True)

    with st.container(border=True):
        st.markdown("**Run it as a live class.** Students join with a short code and answer on "
                    "their phones; your screen shows the class's answers as they arrive. Unlike "
                    "the link, this stores answers on the server until you delete the class.")
        if st.button("Start a live class with this set", key="ex_live", type="primary",
                     icon=":material/co_present:", disabled=not ex.questions):
            live = classroom()
            if live is not None:
                code, key = live.start(ex, instructor=person_id())
                remember_key(code, key)
                st.switch_page("pages/live_class.py", query_params={CODE_PARAM: code})

    st.subheader("Export and import")
    docs = {k: cached.exercise_corpus(k) or [] for k in exs.CORPORA}
    stem = "".join(ch if ch.isalnum() else "-" for ch in (ex.title or "exercises").lower())[:40]
    row = st.container(horizontal=True)  # one block for the four buttons, not four columns
    lesson = lessons.Lesson.from_set(ex, lessons_ui.scripts_for(ex))
    row.download_button("Lesson file (TOML)", lambda: lessons.to_toml(lesson).encode("utf-8"),
                        lessons.filename(lesson), "application/toml", key="ex_dl_toml",
                        icon=":material/data_object:", on_click="ignore",
                        help="The questions (and your script, if the set came from a lesson) "
                             "as a small text file you can keep, edit and import again.")
    if any(s.script for s in lesson.steps):
        row.download_button("Instructor's script (Markdown)",
                            lambda: lessons.script_markdown(lesson).encode("utf-8"),
                            f"{stem}-script.md", "text/markdown", key="ex_dl_script",
                            icon=":material/record_voice_over:", on_click="ignore")
    row.download_button("Handout (HTML)", lambda: exs.handout_html(ex, link, docs=docs),
                            f"{stem}-handout.html", "text/html", key="ex_dl_html",
                            icon=":material/print:", on_click="ignore")
    row.download_button("Handout (Markdown)",
                            lambda: exs.handout_markdown(ex, link, docs=docs),
                            f"{stem}-handout.md", "text/markdown", key="ex_dl_md",
                            icon=":material/description:", on_click="ignore")
    row.download_button(
        "Answer key (HTML)",
        lambda: exs.handout_html(ex, link, solutions=[quiet_solution(q) for q in ex.questions],
                                 docs=docs),
        f"{stem}-answer-key.html", "text/html", key="ex_dl_key", icon=":material/key:",
        on_click="ignore")
    upload = st.file_uploader("Import a lesson file (.toml; .json exercise sets from earlier "
                              "versions too)", type=["toml", "json"], key="ex_import")
    if upload is not None:
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        if st.session_state.get("ex_import_done") != digest:
            try:
                if len(data) > MAX_IMPORT_BYTES:
                    raise exs.ExerciseFormatError(
                        f"The file is {len(data) // 1024:,} KB; a lesson file is at most "
                        f"{MAX_IMPORT_BYTES // 1024} KB.")
                imported = lessons.read_any(data, upload.name)
            except exs.ExerciseFormatError as exc:  # nothing changes: the set stays as it was
                st.error("Could not import this file: " + escape_markdown(str(exc)),
                         icon=":material/error:")
            else:
                st.session_state["ex_import_done"] = digest
                lessons_ui.remember(imported)  # its scripts, for this browser only
                st.session_state["ex_pending"] = imported.exercise_set()  # applied first
                st.rerun()
        else:
            title = escape_markdown(st.session_state["ex_set"].title or "Exercises")
            st.success(f"Imported “{title}” from the file.", icon=":material/upload_file:")


# ------------------------------------------------------------------ the student view


def mark_checked(flag: str) -> None:
    st.session_state[flag] = True


def uncheck(flag: str) -> None:
    """A changed answer is not graded until the student presses "Check" again."""
    st.session_state[flag] = False


def answer_widget(q: exs.Question, key: str, flag: str) -> str | None:
    if isinstance(q, exs.ExploreStep):
        from ui.classroom import explore_link, explore_page

        page = explore_page(q)
        if page is None:
            st.info(f"This step opens the page “{escape_markdown(q.page)}”, which this server "
                    "does not have.", icon=":material/explore_off:")
        else:
            st.link_button(f"Open {page.title}", explore_link(q), icon=":material/open_in_new:")
        return None
    if q.typed:
        words = q.kind == "classmap" and q.needs == ("sbert",)
        return st.text_input("Your answer" + ("" if words else " (one word)"), key=key,
                             max_chars=exs.MAX_PHRASE if words else exs.MAX_WORD,
                             placeholder="type a sentence" if words else "type a word",
                             on_change=uncheck, args=(flag,))
    docs = cached.exercise_corpus(q.corpus) if isinstance(q, exs.SearchQuestion) else None
    opts = exs.options(q, docs)
    if not opts:
        st.info("This question searches the movie blurbs, which are not installed on this "
                "server. Skip it, or ask your instructor.", icon=":material/movie_off:")
        return None
    if len(opts) > 12:
        return st.selectbox("Your answer", opts, index=None, key=key,
                            placeholder="Choose a title (type to search)",
                            on_change=uncheck, args=(flag,))
    return st.radio("Your answer", opts, index=None, key=key, on_change=uncheck, args=(flag,),
                    format_func=escape_markdown)  # radio labels render Markdown


def key_for(i: int, q: exs.Question) -> None:
    """The answer key of one question: the answer, why, the numbers and the worked steps."""
    sol = solution(q)
    if sol is None:
        return
    lessons_ui.script_box(q, expanded=False)  # the key is the builder's: so is the script
    if q.open_ended:
        st.caption(escape_markdown(sol.note))
        return
    st.markdown(f"**Answer:** {escape_markdown(sol.correct)}  \n{escape_markdown(sol.note)}")
    if len(sol.accepted) > 1:
        st.caption("Exact tie: " + escape_markdown(", ".join(sol.accepted)) + " all count.")
    df = pd.DataFrame(sol.scores, columns=["answer", sol.score_name])
    df[sol.score_name] = df[sol.score_name].round(4)
    if isinstance(q, exs.ToyQuestion):
        for name, steps in sol.steps:
            title = escape_markdown(f"Worked steps: {q.liked} vs {name}")
            with st.expander(title, expanded=name == sol.correct):
                st.markdown(worked_steps_markdown(steps, q.liked, name))
    # shared by every session that reveals this key (converted for the browser once)
    fig = cached.figure("figures.score_bars", tuple(df["answer"].astype(str).str.slice(0, 60)),
                        tuple(df[sol.score_name]), highlight=0, x_title=sol.score_name)
    show_chart(fig, key=f"ex_keyfig_{i}")
    st.dataframe(df, hide_index=True, width="stretch")
    downloads(f"exercise-{i + 1}-key", df=df, fig=fig, key=f"ex_keydl_{i}")


@st.fragment
def question_box(i: int, q: exs.Question, fp: str, reveal: bool) -> None:
    """One question in its box. A fragment: a student's answer and "Check" rerun only this box,
    not the whole set (a class answering question 1 at once reruns one box each)."""
    with st.container(border=True):
        st.markdown(f"#### Question {i + 1}\n\n" + escape_markdown(exs.prompt(q)))
        flag = f"ex_checked_{fp}_{i}"
        response = answer_widget(q, f"ex_ans_{fp}_{i}", flag)
        if isinstance(q, exs.ExploreStep):
            return  # nothing to answer or check
        st.button("Check my answer", key=f"ex_check_{fp}_{i}", on_click=mark_checked,
                  args=(flag,), icon=":material/task_alt:", disabled=response is None
                  and not q.typed)
        if st.session_state.get(flag):
            sol = solution(q)
            if sol is not None:
                fb = exs.check(q, sol, response)
                (st.success if fb.ok else st.error)(
                    escape_markdown(fb.message),
                    icon=":material/check_circle:" if fb.ok else ":material/cancel:")
        if reveal:
            with st.container(border=False):
                st.markdown("**Answer key**")
                key_for(i, q)


def student_view(ex: exs.ExerciseSet) -> None:
    fp = exs.fingerprint(ex)
    st.header(escape_markdown(ex.title or "Exercises"))
    if not ex.questions:
        st.info("This set has no questions yet. Switch to *Build* to add some.")
        return
    reveal = False
    if owns_set(ex):
        reveal = st.toggle("Reveal the answer key (for the instructor)", key="ex_reveal")
    else:
        st.caption("The answer key is for the person who built this set (on their device, or "
                   "with their answer-key link). Check your own answers below.")
    for i, q in enumerate(ex.questions):
        question_box(i, q, fp, reveal)
    explain(
        "Every answer here is **computed**, not typed in by the instructor: toy vectors with "
        "exact cosines, words and analogies with GloVe 6B 50d, phrases and search with SBERT "
        "(all-MiniLM-L6-v2). A model cannot tell two phrases apart when their cosine is "
        f"{exs.SAME_COSINE} or more. The link you opened holds the whole exercise set, so the "
        "same link always shows the same questions.",
        title="How are the answers decided?",
    )


# ------------------------------------------------------------------ the page

st.title("Exercise builder")
st.caption("Compose an in-class exercise from the app's building blocks, share it by link or "
           "QR code, let students check their answers, then reveal the key with worked steps.")
load_from_url()
if "ex_mode" not in st.session_state:
    st.session_state["ex_mode"] = BUILD
mode = st.radio("Mode", [BUILD, ANSWER], key="ex_mode", horizontal=True,
                label_visibility="collapsed")

if mode == BUILD:
    builder()
current: exs.ExerciseSet = st.session_state["ex_set"]
token = exs.encode_set(current)
st.session_state["ex_token"] = token
if st.query_params.get(exs.URL_PARAM) != token:
    st.query_params[exs.URL_PARAM] = token

if mode == BUILD:
    st.divider()
    share_and_export(current)
    explain(
        "**How sharing works.** The whole exercise set is packed into the link itself (compact "
        "JSON, compressed, in the `ex` parameter), so there is no account and nothing stored "
        "on the server: anyone with the link sees exactly these questions. Keep sets short "
        f"(at most {exs.MAX_QUESTIONS} questions) so the QR code stays easy to scan from the "
        "back of the room.\n\n**Answers are never in the link.** They are computed from the "
        "models when a student checks, so the key always matches what the models really say.",
        title="How do links and keys work?",
    )
else:
    student_view(current)
