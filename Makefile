# Two commands set everything up on a fresh machine:
#   make run    install, create the database, load the demo plan, serve http://127.0.0.1:8000
#   make test   install, then run the whole test suite
# Production (README「本番の構成」): make serve — collectstatic, migrate, then gunicorn, a
# Celery worker and beat against PostgreSQL and Redis, DEBUG off.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# Tests on SQLite use a file, as the embedded default does, so that concurrent
# connections really share one database (WAL, immediate transactions, busy timeout).
export SQLITE_TEST_PATH ?= $(CURDIR)/.test-db.sqlite3

.PHONY: install run test serve lint format books-preview bench clean

# DEBUG is off unless asked for (shakyo/settings.py): development and the tests ask.
run test bench books-preview: export DEBUG ?= 1

$(STAMP): pyproject.toml
	@if ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
		rm -rf $(VENV); "$$(scripts/find-python.sh)" -m venv $(VENV); fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	@scripts/ensure-print.sh
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "shakyo を http://$(HOST)/ で起動します（終了は Ctrl+C）。"
	$(PY) manage.py runserver $(HOST)

serve: install
	@scripts/ensure-print.sh
	$(PY) manage.py collectstatic --noinput
	$(PY) manage.py migrate --noinput
	HOST=$(HOST) VENV=$(VENV) scripts/serve.sh

test: install
	@scripts/ensure-browser.sh
	@scripts/ensure-print.sh
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles

# Benchmark: make bench SIZE=S (or L, XL; BENCH_ARGS="--councils 100" for a scaled XL).
# Generates the data, serves it with gunicorn on 127.0.0.1, prints the figures and writes
# them to docs/performance.md (see bench/run.py).
SIZE ?= S
bench: install
	BENCH_COMMAND="make bench SIZE=$(SIZE)$(if $(BENCH_ARGS), BENCH_ARGS=\"$(BENCH_ARGS)\")" \
		$(PY) -m bench.run --size $(SIZE) $(BENCH_ARGS)

# The demo 事業計画・事業報告 printed by LibreOffice, as PNG pages in docs/books/.
books-preview: install
	scripts/books-preview.sh
