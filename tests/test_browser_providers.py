"""Ten students at once in real Chromium, against the real server, with a provider that hangs.

The configured provider is the loopback server of tests/fake_openai_server.py, made to hang on
every request until the test lets it go (then it drops the connection without an answer). So
whatever a page shows while that server is held appeared *before the provider answered*: no
timing threshold, the order of events is the assertion. The server counts the requests that
reached it, so "contacted once, not once per session" is asserted on the count.
"""

from __future__ import annotations

import pytest

from tests.browser import DONE, ROOT, exceptions_shown, start_server
from tests.fake_openai_server import MODEL_NAME, FakeOpenAI

pytestmark = pytest.mark.browser

SESSIONS = 10
WAIT_MS = 180_000  # models warming up on a shared box; a failure still shows within it


@pytest.fixture(scope="module")
def hanging():
    with FakeOpenAI(None, hang_seconds=600) as server:  # no model: it never answers
        server.always = "hang"
        yield server


@pytest.fixture(scope="module")
def app_url(hanging, tmp_path_factory):
    (ROOT / ".cache").mkdir(exist_ok=True)
    url, proc = start_server({
        "EMBEDDING_EXPLORER_OPENAI_MODEL": MODEL_NAME, "OPENAI_BASE_URL": hanging.base_url,
        "OPENAI_API_KEY": hanging.key, "EMBEDDING_EXPLORER_PROVIDERS": "",
        # longer than the test: the provider cannot fail by the deadline while we look
        "EMBEDDING_EXPLORER_PROVIDER_DEADLINE": "300",
        "EMBEDDING_EXPLORER_PROVIDER_COOLDOWN": "600",  # one breaker window for the whole test
        "EMBEDDING_EXPLORER_DATA": str(tmp_path_factory.mktemp("data")),
        "EMBEDDING_EXPLORER_WARMUP": "1"})
    yield url
    proc.kill()
    proc.wait(timeout=20)


def text_of(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def metric(page, label: str) -> str:
    """The value shown under the metric ``label`` (waits for it: a rerun may be redrawing)."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label))
    return box.first.locator('[data-testid="stMetricValue"]').inner_text(timeout=WAIT_MS).strip()


def test_ten_sessions_see_the_built_in_results_while_the_provider_hangs(app_url, hanging,
                                                                       browser, tmp_path):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 720})
                for _ in range(SESSIONS)]
    try:
        pages = [c.new_page() for c in contexts]
        for page in pages:  # ten students open Word order at once
            page.goto(f"{app_url}/word_order", wait_until="commit")
        for page in pages:
            # the built-in table and scores, beside a calm note for the provider's column
            page.get_by_text(f"Waiting for {MODEL_NAME}").first.wait_for(timeout=WAIT_MS)
            page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=WAIT_MS)
            page.wait_for_selector(DONE, timeout=WAIT_MS)
            assert metric(page, "GloVe average: cosine") == "1.000"
            assert metric(page, "SBERT: cosine") == "0.980"
            assert exceptions_shown(page) == []
        pages[0].screenshot(path=str(tmp_path / "word_order_waiting.png"))
        assert hanging.requests == 1  # one probe for all ten, not one per session

        for page in pages:  # the same ten compare two sentences with the provider chosen
            page.goto(f"{app_url}/sentence_similarity", wait_until="commit")
        for page in pages:
            page.get_by_text(MODEL_NAME, exact=True).first.click(timeout=WAIT_MS)
        for page in pages:
            page.get_by_text(f"Waiting for {MODEL_NAME}").first.wait_for(timeout=WAIT_MS)
            assert float(metric(page, "SBERT cosine")) > 0.5  # SBERT's score, at once
            assert metric(page, f"{MODEL_NAME} cosine") == "…"
            assert exceptions_shown(page) == []
        # still the one request: the others wait for the probe's verdict, they do not ask
        assert hanging.requests == 1

        hanging.let_go()  # the held request ends without an answer: the breaker opens
        for page in pages:  # each page says why, where the score would be, by itself
            page.get_by_text("skipped for now").first.wait_for(timeout=WAIT_MS)
            page.wait_for_selector(DONE, timeout=WAIT_MS)
            text = text_of(page)
            assert "Waiting for" not in text and "Pick SBERT above to go on" in text
            assert float(metric(page, "SBERT cosine")) > 0.5
            assert exceptions_shown(page) == []
        pages[0].screenshot(path=str(tmp_path / "sentence_similarity_skipped.png"))

        contexts.append(browser.new_context(viewport={"width": 1280, "height": 720}))
        late = contexts[-1].new_page()  # a new visitor: told at once
        late.goto(f"{app_url}/word_order")
        late.get_by_text("is left out of the table").first.wait_for(timeout=WAIT_MS)
        late.wait_for_selector(DONE, timeout=WAIT_MS)
        text = text_of(late)
        assert "Waiting for" not in text and "Next check in" in text, text
        assert metric(late, "SBERT: cosine") == "0.980"
        assert hanging.requests == 1  # within the breaker's window nobody contacts it again
    finally:
        for c in contexts:
            c.close()
