"""Embedding providers on a page: the picker and its status line, remote results that fill in
when they arrive, and calm messages where they would have been.

A remote provider never holds up a page run: its rows are asked for with
``provider.submit(texts)`` (a future; every session asking the same texts shares one request)
and a page draws what it has now. A part still waiting for an answer is a fragment that
reruns every :data:`POLL_SECONDS` until the answer (or the deadline's message) is there, then
reruns the page once. The built-in SBERT and GloVe parts are drawn first and never wait.

    chosen = provider_picker("heat_provider")
    rows = rows_or_stop(texts, chosen)         # SBERT: at once; remote: rows, or a calm note
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import streamlit as st

from embedding.models.glove import ModelLoadError
from embedding.models.providers import (
    SBERT_KEY,
    ProviderConfigError,
    ProviderError,
    ProviderSpec,
)
from embedding.models.resilience import done_future
from embedding.models.sbert import describe_sbert
from embedding.text import escape_markdown
from ui import cached, resources

#: Seconds between two looks at a remote answer that is on its way.
POLL_SECONDS = 1.0


def configured_providers() -> list[ProviderSpec]:
    """The providers configured besides SBERT (``[]`` when none: nothing leaves the server);
    unusable settings give a warning and count as none."""
    try:
        return resources.provider_specs()
    except ProviderConfigError as exc:
        st.warning(f"The embedding provider settings are ignored: {exc}", icon=":material/settings:")
        return []


def _spec(key: str) -> ProviderSpec | None:
    return next((s for s in configured_providers() if s.key == key), None)


def is_remote(key: str) -> bool:
    """Whether provider ``key`` sends texts to another machine."""
    spec = _spec(key) if key != SBERT_KEY else None
    return bool(spec and spec.remote)


def provider_name(key: str) -> str:
    """The short name of provider ``key`` for titles and table headers."""
    if key == SBERT_KEY:
        return "SBERT"
    spec = _spec(key)
    return spec.name if spec else key


def model_name(key: str) -> str:
    """The model behind provider ``key``: ``"all-MiniLM-L6-v2"`` for SBERT, the configured
    model for a remote provider (``"no-such-model (My server)"`` when the provider's name
    differs), the folder for a local one."""
    if key == SBERT_KEY:
        return describe_sbert()
    spec = _spec(key)
    if spec is None:
        return key
    model = spec.model if spec.remote else Path(spec.path).name
    return model if spec.name == model else f"{model} ({spec.name})"


def model_label(key: str) -> str:
    """What a caption, an explanation or a chart title should call provider ``key``'s model,
    with its dimension when known: ``"SBERT: all-MiniLM-L6-v2, 384 numbers"``,
    ``"My server: no-such-model, 384 numbers"`` (the name once when it is the model's)."""
    if key == SBERT_KEY:
        name, model, dim = "SBERT", describe_sbert(), resources.provider(SBERT_KEY).dim
    else:
        spec = _spec(key)
        if spec is None:
            return key
        name, model = spec.name, spec.model if spec.remote else Path(spec.path).name
        dim = resources.provider(key).dim
    what = model if name == model else f"{name}: {model}"
    return f"{what}, {dim} numbers" if dim else what


def download_stem(base: str, key: str) -> str:
    """A download's file name stem that names the model and its dimension:
    ``download_stem("similarity_matrix", "sbert")`` → ``"similarity_matrix-all-MiniLM-L6-v2-384d"``."""
    model = describe_sbert() if key == SBERT_KEY else (
        (_spec(key).model or Path(_spec(key).path).name) if _spec(key) else key)
    dim = resources.provider(key).dim if key == SBERT_KEY or _spec(key) else 0
    slug = re.sub(r"[^A-Za-z0-9.]+", "-", model).strip("-")[:60]
    return f"{base}-{slug}" + (f"-{dim}d" if dim else "")


def egress_note(specs: list[ProviderSpec]) -> None:
    """Say which texts leave the server, and to where, for the remote providers in ``specs``."""
    remote = [s for s in specs if s.remote]
    if remote:
        where = "; ".join(f"**{escape_markdown(s.name)}** → {escape_markdown(s.where)}"
                          for s in remote)
        st.caption(f":material/cloud_upload: What leaves this server: the texts embedded with "
                   f"{where}. API keys stay on the server and go only to the provider they are "
                   "set for; answers are cached here, so a text is sent once.")


# ---------------------------------------------------------------- status: for the instructor


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    return f"{seconds / 60:.0f} min ago"


def status_line(key: str) -> str:
    """One line on a remote provider's health, shared by every session of this server:
    ready (with the last latency), not contacted yet, or skipped (why, and when the next check
    is)."""
    s = resources.provider(key).status()
    name = f"**{escape_markdown(s.name)}**"
    if s.state == "closed":
        latency = f", last answer in {s.latency * 1000:.0f} ms" if s.latency is not None else ""
        return (f":green[:material/check_circle:] {name} is answering{latency}; "
                f"{s.dim} numbers per vector.")
    if s.state == "open":
        return (f":red[:material/cloud_off:] {name} is skipped by every session for now: "
                f"{escape_markdown(s.reason or 'it failed')} ({_ago(s.failed_ago)}). "
                f"Next check in {max(1, math.ceil(s.retry_in))} s.")
    if s.probing:
        return f":orange[:material/sync:] {name} is being checked (at most {s.deadline:g} s)."
    if s.state == "half-open":
        return (f":orange[:material/sync:] {name} failed before "
                f"({escape_markdown(s.reason or 'it failed')}); the next request checks "
                "whether it is back.")
    return (f":grey[:material/radio_button_unchecked:] {name} has not been asked yet on this "
            f"server; the first request checks it (at most {s.deadline:g} s).")


def _notices(key: str) -> None:
    for notice in resources.provider(key).status().notices:
        st.warning(escape_markdown(notice), icon=":material/report:")


def provider_picker(key: str, label: str = "Sentence model") -> str:
    """A choice between the built-in SBERT and every configured provider; returns its key.

    Under it: where the texts go, and for a remote provider its status line (shared by every
    session) with a *Test this provider* button, and anything its answers gave away (same
    vectors as another model, another dimension). Draws nothing and returns SBERT's key when
    no provider is configured (the default).
    """
    specs = configured_providers()
    if not specs:
        return SBERT_KEY
    names = {SBERT_KEY: f"SBERT ({describe_sbert()}, this server)"}
    names.update({s.key: s.name for s in specs})
    if st.session_state.get(key) not in names:
        st.session_state.pop(key, None)  # a provider removed from the settings
    choice = st.radio(label, list(names), format_func=names.__getitem__, key=key,
                      horizontal=True)
    spec = next((s for s in specs if s.key == choice), None)
    if spec is not None and spec.remote:
        status_panel(choice, key)
    egress_note([s for s in specs if s.key == choice])
    return choice


def status_panel(key: str, widget_key: str) -> None:
    """The status line of remote provider ``key`` (every session sees it) and, for the
    instructor, a button that tests it now (``widget_key``: the picker's key, to name the
    button). The instructor is who may start the server's long jobs
    (:mod:`ui.server_jobs`: the server machine's own browser, or a session unlocked with the
    instructor key): a student cannot make the server call the provider on demand."""
    from ui import server_jobs

    line, button = st.columns([5, 1], vertical_alignment="center")
    line.caption(status_line(key))
    if server_jobs.may_start_long_jobs():
        if button.button("Test", key=f"{widget_key}_test",
                         icon=":material/network_check:",
                         help="Send one short fixed text now and report reachability, latency, "
                              "dimension and whether the key is accepted (at most the "
                              "deadline)."):
            _check_report(key)
    else:
        with button:
            server_jobs.unlock_box(f"{widget_key}_instructor")
    _notices(key)


def _check_report(key: str) -> None:
    provider = resources.provider(key)
    with st.spinner(f"Testing {provider.name} (at most {provider.deadline:g} s)…"):
        report = provider.check()
    where = escape_markdown(f"{report.model} at {report.endpoint}")
    facts = [f"reachable: **{_yes(report.reachable)}**",
             "latency: **" + ("–" if report.latency is None
                              else f"{report.latency * 1000:.0f} ms") + "**",
             f"dimension: **{report.dim or '–'}**",
             f"key accepted: **{report.key_note}**"]
    text = f"{where}: " + " · ".join(facts) + f"  \n{escape_markdown(report.message)}"
    (st.success if report.ok else st.error)(text, icon=":material/network_check:")


def _yes(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


# ---------------------------------------------------------------- rows that may be on their way


def submit_rows(texts: Sequence[str], key: str = SBERT_KEY) -> Future:
    """A future of the unit rows of ``texts`` from provider ``key``: finished at once for
    SBERT or a local folder (computed now, cached for every session) and for a remote answer
    this server has; a remote request otherwise (shared with every session asking the same).
    """
    if not is_remote(key):
        try:
            return done_future(cached.embed_rows(tuple(texts), key))
        except (ProviderError, ModelLoadError) as exc:
            return done_future(error=exc)
    return resources.provider(key).submit(list(texts))


def show_failure(exc: Exception, key: str, *, stop_hint: bool = True) -> None:
    """A provider's failure where its result would have been: what happened, what to do."""
    hint = " Pick SBERT above to go on without it." if stop_hint else ""
    if isinstance(exc, ModelLoadError):
        st.error(f"The model {provider_name(key)} could not be loaded. {exc}")
    elif isinstance(exc, ProviderError) and exc.kind in ("unavailable", "timeout", "unreachable",
                                                          "rate_limit", "busy", "server"):
        st.warning(f"{escape_markdown(str(exc))}{hint}", icon=":material/cloud_off:")
    else:
        st.error(f"{escape_markdown(str(exc))}{hint}", icon=":material/cloud_off:")


def waiting_note(key: str, futures: Callable[[], list[Future]], what: str = "") -> None:
    """A calm note in place of a result still on its way from provider ``key``; it looks again
    every :data:`POLL_SECONDS` and reruns the page when every future of ``futures()`` is done.
    ``what`` says what it is doing when that is more than one request (then the deadline is per
    request)."""
    name = escape_markdown(provider_name(key))
    deadline = resources.provider(key).deadline

    @st.fragment(run_every=POLL_SECONDS)
    def waiting() -> None:
        pending = [f for f in futures() if not f.done()]
        if not pending:
            st.rerun()
        started = min(getattr(f, "started", time.monotonic()) for f in pending)
        so_far = max(0, time.monotonic() - started)
        if what:
            limit = f"each of its requests gets at most {deadline:g} s"
        else:
            limit = f"at most {max(getattr(f, 'deadline', deadline) for f in pending):g} s"
        st.info(f"Waiting for **{name}**{' ' + what if what else ''}: {so_far:.0f} s so far, "
                f"{limit}. Everything from the built-in models is already here.",
                icon=":material/hourglass_top:")

    waiting()


def rows_or_stop(texts, provider: str = SBERT_KEY):
    """Unit rows of ``texts`` from ``provider``. SBERT's come at once; a remote provider's come
    from this server's memory, or the page says it is waiting (and looks again by itself) or
    why they are not coming (wrong key, deadline passed, skipped for now…) and stops there."""
    texts = tuple(texts)
    if provider == SBERT_KEY:
        from ui.widgets import sbert_or_stop

        sbert_or_stop()
    future = submit_rows(texts, provider)
    if not future.done():
        waiting_note(provider, lambda: [future])
        st.stop()
    try:
        return future.result()
    except (ProviderError, ModelLoadError) as exc:
        show_failure(exc, provider)
        st.stop()


def live_part(draw: Callable[[], None], futures: Callable[[], list[Future]]) -> None:
    """Draw ``draw`` now; while any of ``futures()`` is on its way, an empty fragment looks
    every :data:`POLL_SECONDS` and reruns the page once when the last has arrived. The part
    itself is drawn once per page run, not once a second: ten students waiting for a slow
    provider cost ten tiny checks a second, not ten redrawn tables (a page whose remote
    answers are all in polls nothing)."""
    draw()
    if any(not f.done() for f in futures()):
        watch(futures)


def watch(futures: Callable[[], list[Future]]) -> None:
    """Rerun the page when every future of ``futures()`` is done (an empty fragment that looks
    every :data:`POLL_SECONDS`)."""

    @st.fragment(run_every=POLL_SECONDS)
    def look() -> None:
        if all(f.done() for f in futures()):
            st.rerun()

    look()


def provider_futures(texts: Sequence[str]) -> list[Future]:
    """The futures of ``texts``'s rows from every configured provider (nothing waits)."""
    return [submit_rows(texts, spec.key) for spec in configured_providers()]


def provider_cosines(texts: list[str]) -> tuple[dict[str, list[float] | None],
                                                dict[str, Future]]:
    """Each configured provider's cosine of every pair in ``texts`` (pair order a, b, a, b…),
    by provider name, as far as this server has them now: ``None`` for a provider whose rows
    are on their way (its future is in the second dict, by name) or failed (a calm caption
    says why)."""
    from embedding.sentences.compare import pair_cosines

    out: dict[str, list[float] | None] = {}
    pending: dict[str, Future] = {}
    for spec in configured_providers():
        future = submit_rows(texts, spec.key)
        if not future.done():
            out[spec.name] = None
            pending[spec.name] = future
            continue
        try:
            out[spec.name] = pair_cosines(future.result())
        except (ProviderError, ModelLoadError) as exc:
            out[spec.name] = None
            st.caption(f":material/cloud_off: **{escape_markdown(spec.name)}** is left out of "
                       f"the table: {escape_markdown(str(exc))}")
    return out, pending


def waiting_captions(pending: dict[str, Future], where=None,
                     what: str = "its result appears here when it answers") -> None:
    """One calm line per provider whose answer is on its way (in ``where``, a column or
    container; the page when ``None``): at most how long it may take from now (the line is
    drawn once, so it names no running count)."""
    for name, future in pending.items():
        limit = getattr(future, "deadline", None)
        left = None if limit is None else max(
            1, math.ceil(limit - (time.monotonic() - getattr(future, "started", time.monotonic()))))
        (where or st).caption(f":material/hourglass_top: Waiting for **{escape_markdown(name)}**"
                              + (f" (at most {left} s more)" if left else "") + f"; {what}.")


# ---------------------------------------------------------------- bigger remote work, in the background

#: Work that calls a remote provider and takes more than one request (a corpus embedded with
#: it, recommendations explained with its vectors), run once for every session on its own
#: threads (never the threads of the requests it waits for), by name: a finished result is
#: kept (the last 64), a failure is shown once to each page that asks and then forgotten, so
#: the next visit tries again (the breaker keeps that cheap while the provider is down).
_JOBS: OrderedDict[Hashable, Future] = OrderedDict()
_JOBS_LOCK = threading.Lock()
_JOB_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="remote-call-job")


def _job(name: Hashable, target: Callable[[], Any], deadline: float) -> Future:
    with _JOBS_LOCK:
        future = _JOBS.get(name)
        if future is not None and future.done() and future.exception() is not None \
                and getattr(future, "shown", False):
            future = None  # a failure already shown: try again
        if future is None:
            future = _JOB_POOL.submit(target)
            future.started, future.deadline = time.monotonic(), deadline
            _JOBS[name] = future
        _JOBS.move_to_end(name)
        while len(_JOBS) > 64:
            _JOBS.popitem(last=False)
    return future


def remote_result(name: Hashable, key: str, target: Callable[[], Any], what: str = "") -> Any:
    """``target()``, which needs remote provider ``key`` (e.g. a corpus embedded with it), run
    once in the background for every session under ``name``: its value when it is done; else
    a calm waiting note (which looks again by itself, saying ``what`` it waits for) and the
    page stops here; or why it failed, with what to do, and the page stops here."""
    future = _job(name, target, resources.provider(key).deadline)
    if not future.done():
        waiting_note(key, lambda: [future], what)
        st.stop()
    exc = future.exception()
    if exc is None:
        return future.result()
    future.shown = True
    if isinstance(exc, (ProviderError, ModelLoadError)):
        show_failure(exc, key)
        st.stop()
    raise exc
