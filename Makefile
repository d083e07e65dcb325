# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP_FLAGS ?= --quiet --disable-pip-version-check
# pytest-xdist workers for `make test`: one per core; 0 runs the suite in one process.
TEST_WORKERS ?= auto

.PHONY: run test install install-dev lint openapi clean serve

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install $(PIP_FLAGS) -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_demo
	@echo "Het register draait op http://127.0.0.1:$(PORT)/ (stoppen: Ctrl+C)"
	@# The background worker (webhook deliveries) runs beside the server and stops with it.
	$(BIN)/python manage.py run_worker --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# --- Benchmark (not part of `make test`): see README, writes docs/benchmarks.md -------------
.PHONY: bench
bench: install
	$(BIN)/python bench/run.py

# Production: settings from the environment (DEBUG=false, SECRET_KEY, ALLOWED_HOSTS,
# DATABASE_URL, ...); see README, "Operations".
serve: install
	PYTHON=$(BIN)/python bin/serve

# --- Load (not part of make test): mixed API reads and writes against gunicorn + PostgreSQL;
# fails on any 5xx or lost write. LOAD_DURATION / LOAD_REQUESTS bound it (see bench/load.py).
.PHONY: load
load: install
	$(BIN)/python bench/load.py

# --- Spreadsheet import at the row limit (not part of make test): time and peak memory of the
# admin import on PostgreSQL, written to docs/benchmarks.md (see bench/import_bench.py).
.PHONY: bench-import
bench-import: install
	$(BIN)/python bench/import_bench.py
