"""Classroom helpers in pages/_ui.py: the presentation-mode switch and the word-vector picker."""

from __future__ import annotations

import gzip

from streamlit.testing.v1 import AppTest

from tests.apptest import TIMEOUT


def _presenting_app():
    import streamlit as st

    from ui.widgets import explain, presentation_toggle

    on = presentation_toggle()
    st.markdown(f"presenting: {on}")
    explain("An explanation for students.")


def _picker_app():
    import streamlit as st

    from ui.widgets import word_vectors_picker

    kv = word_vectors_picker("t")
    st.metric("words", f"{len(kv):,}")
    st.markdown(f"top: {kv.most_similar(kv.index_to_key[0], topn=1)[0][0]}")


def _run(fn, query=None) -> AppTest:
    at = AppTest.from_function(fn, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def _style_injected(at: AppTest) -> bool:
    return any("html { font-size:" in h.proto.body for h in at.get("html"))


def test_presentation_toggle_hides_explanations_and_mirrors_the_url():
    at = _run(_presenting_app)
    assert not at.exception, at.exception
    assert at.sidebar.toggle(key="present").value is False
    assert at.expander and not _style_injected(at)
    at.sidebar.toggle(key="present").set_value(True).run()
    assert at.query_params.get("present") == "1"
    assert "presenting: True" in [m.value for m in at.markdown]
    assert not at.expander  # explanations hidden on the projector
    assert _style_injected(at)
    at.sidebar.toggle(key="present").set_value(False).run()
    assert "present" not in at.query_params and at.expander


def test_presentation_mode_opens_from_a_link():
    at = _run(_presenting_app, {"present": "1"})
    assert at.sidebar.toggle(key="present").value is True
    assert _style_injected(at) and not at.expander


def test_picker_uses_an_uploaded_file_and_reports_bad_ones(kv):
    at = _run(_picker_app)
    assert not at.exception, at.exception
    assert at.metric[0].value == "400,000"  # the built-in GloVe
    at.radio(key="t_vectors").set_value("Your own vectors (upload .txt/.vec/.gz)").run()
    assert "Upload a word-vector file" in at.info[0].value and not at.metric
    data = gzip.compress(b"3 3\navatar 1 2 2\nironman 3 7 8\nrainman 1 -2 6\n")
    at.file_uploader(key="t_vectors_file").set_value(("mine.txt.gz", data, "application/gzip"))
    at.run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "3"
    assert "top: ironman" in [m.value for m in at.markdown]
    assert at.session_state["t_vectors_name"] == "mine.txt.gz: 3 words × 3 dims (word2vec text, gzipped)"
    at.file_uploader(key="t_vectors_file").set_value(("bad.txt", b"a 1 2\nb 1 x\n", "text/plain"))
    at.run()
    assert not at.exception, at.exception
    assert "Line 2" in at.error[0].value and not at.metric
