# Two entry points: `make run` and `make test`. Everything else is set-up they share.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
DATA   ?= data
# Encoders are numpy/onnx; on 2 cores extra BLAS threads only contend (see bench/).
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export TOKENIZERS_PARALLELISM := false
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export PARTNER_ASSISTANT_DATA_DIR ?= $(abspath $(DATA))

.PHONY: run test install index bench clean system-deps

# Two stamps: serving needs the runtime only (no torch, no browser driver); tests add the test and st extras.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --config-settings editable_mode=compat -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	# torch==2.13.0 (CPU) comes from the machine's local wheel; an unpinned torch would pull CUDA.
	$(PY) -m pip install -q --config-settings editable_mode=compat -e '.[test,st]'
	touch $@

# What the tests need (CI runs `make install system-deps`, then `make test`).
install: $(TEST_STAMP)

index: $(STAMP)
	$(VENV)/bin/partner-assistant index build

# The main job: the web chat, triage page and API on the embedded default index.
# `make run PORT=8080 HOST=0.0.0.0`, or PARTNER_ASSISTANT_PORT / PARTNER_ASSISTANT_HOST. PORT and HOST
# count only on the command line: many shells and containers export a HOST (the machine's name) or PORT.
SERVE_PORT := $(if $(filter command line,$(origin PORT)),$(PORT),$(or $(PARTNER_ASSISTANT_PORT),8000))
SERVE_HOST := $(if $(filter command line,$(origin HOST)),$(HOST),$(or $(PARTNER_ASSISTANT_HOST),127.0.0.1))
run: $(STAMP)
	$(VENV)/bin/partner-assistant serve --host $(SERVE_HOST) --port $(SERVE_PORT)

# Debian packages the tests use: Chromium + a CJK font (browser tests), PostgreSQL (session tests),
# Redis (rate limits shared between app instances).
# Installed when missing and we may (root with apt-get); otherwise those tests skip, except in CI.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing="$$missing fonts-noto-cjk"; \
	{ command -v initdb >/dev/null || [ -x /usr/lib/postgresql/15/bin/initdb ]; } || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: missing$$missing (apt-get install them for the browser, PostgreSQL and Redis tests)"; fi; \
	fi

test: $(TEST_STAMP) system-deps
	$(PY) -m pytest

bench: $(TEST_STAMP)
	$(PY) bench/search_bench.py
	$(PY) bench/ask_bench.py
	$(PY) bench/memory_bench.py
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
	command -v ss >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq iproute2 >/dev/null; }
	$(PY) bench/load_bench.py

clean:
	rm -rf $(VENV) $(DATA)
