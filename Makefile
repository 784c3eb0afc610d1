# The README's two commands: `make run` and `make test`. Everything else is a
# building block or a DBA step (see docs/).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## run: embedded PostgreSQL (unless DATABASE_URL), roles, migrate, demo data, gunicorn on 127.0.0.1:8000
run: install
	$(PY) -m raptorflow.devtools run

## test: the whole suite against real PostgreSQL (embedded unless DATABASE_URL); ARGS="-k foo" passes options to pytest
test: install
	$(PY) -m raptorflow.devtools test $(ARGS)
