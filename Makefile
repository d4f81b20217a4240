# Embedding Explorer: `make run` starts the app, `make test` runs every test.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PORT    ?= 8501
export NUMBA_CACHE_DIR := $(CURDIR)/.cache/numba
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: run test lint bench system-tools clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py --server.headless true --server.port $(PORT)

# Test tools from Debian: Chromium for the browser tests, nginx for the scale-out proxy test,
# PostgreSQL for the class-database tests (they start a throw-away cluster themselves).
# Installed when missing and we are root (CI); otherwise those tests are skipped locally.
SYSTEM_TOOLS := chromium nginx postgresql
system-tools:
	@missing=""; for t in $(SYSTEM_TOOLS); do \
	  command -v $$t >/dev/null 2>&1 || [ -x /usr/sbin/$$t ] || \
	    ls /usr/lib/$$t/*/bin/initdb >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else echo "missing$$missing: their tests will be skipped (sudo apt-get install$$missing)"; fi; \
	fi

test: $(STAMP) system-tools
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .

bench: $(STAMP)
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) .cache .pytest_cache
