# Factmark: `make run` for the demo, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)
BIND ?= 127.0.0.1:8000

.PHONY: run test serve install install-test browser lint benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## run: install, migrate the SQLite database, load the demo, serve on $(BIND) (127.0.0.1:8000 unless BIND says otherwise)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --bind $(BIND)
	$(BIN)/python manage.py runserver $(BIND)

## test: the whole suite, browser tests included (installs Debian's Chromium when it can)
test: install-test browser
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest

## browser: make sure Debian's Chromium is there for the browser tests, or stop loudly
browser:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  elif command -v sudo >/dev/null 2>&1; then \
	    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else \
	    echo "ERROR: the browser tests need Chromium. Install it (apt-get install chromium) or set CHROMIUM=/path/to/chromium." >&2; \
	    exit 1; \
	  fi; \
	fi

## serve: production-style serving with gunicorn and WhiteNoise (set the environment first, see README)
serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/gunicorn config.wsgi --bind $(BIND) --workers $${WORKERS:-3} --access-logfile -

## lint: ruff (complexity capped at 15), the layering contracts (import-linter), the templates (djLint)
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/djlint templates --lint --profile=django

benchmark: install
	$(BIN)/python manage.py benchmark

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
