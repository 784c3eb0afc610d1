# The README's two commands: `make run` and `make test`. Everything else is a
# building block or a DBA step (see docs/).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install help
.DEFAULT_GOAL := help

## help: this list (every target with its one-line description)
help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,embedded]'
	touch $@

install: $(VENV)/.installed

## run: embedded PostgreSQL (unless DATABASE_URL), roles, migrate, demo data, gunicorn on 127.0.0.1:8000
run: install
	$(PY) -m tools.dev run

## test: the whole suite against real PostgreSQL (embedded unless DATABASE_URL); ARGS="-k foo" passes options to pytest
test: install
	$(PY) -m tools.dev test $(ARGS)

# ---------------------------------------------------------------- DBA steps (docs/runbook.md)
# All run as the owner: DATABASE_URL, or the embedded server when it is unset.
MANAGE := $(PY) manage.py
DB_URL = $${DATABASE_URL:-$$($(PY) -m tools.dev db-url)}
# The pg_dump bundled with pgserver (PostgreSQL 16) dumps 16 and every older server.
PG_DUMP ?= $(firstword $(wildcard $(VENV)/lib/python3*/site-packages/pgserver/pginstall/bin/pg_dump) pg_dump)
PG_RESTORE ?= $(firstword $(wildcard $(VENV)/lib/python3*/site-packages/pgserver/pginstall/bin/pg_restore) pg_restore)
BACKUP_DIR ?= backups
export SECRET_KEY ?= dba-commands-do-not-serve-requests

.PHONY: plan sql backup restore migrate verify probe rollback

## plan: which migrations would run, and their SQL (APP=campaigns MIGRATION=0002_row_level_security for one)
plan: install
	DATABASE_URL=$(DB_URL) $(MANAGE) showmigrations --list
	DATABASE_URL=$(DB_URL) $(MANAGE) migrate --plan
sql: install
	DATABASE_URL=$(DB_URL) $(MANAGE) sqlmigrate $(APP) $(MIGRATION)

## backup: pg_dump (custom format) into backups/, named by time
backup: install
	mkdir -p $(BACKUP_DIR)
	$(PG_DUMP) --format=custom --file=$(BACKUP_DIR)/raptorflow-$$(date -u +%Y%m%dT%H%M%SZ).dump "$(DB_URL)"
	ls -l $(BACKUP_DIR) | tail -n 3

## migrate: apply every pending migration, with each one's time
migrate: install
	DATABASE_URL=$(DB_URL) $(MANAGE) migrate --no-input -v 2

## verify / probe: the schema checks; the probe also proves isolation live (rolled back)
verify: install
	DATABASE_URL=$(DB_URL) $(MANAGE) verify_schema
probe: install
	DATABASE_URL=$(DB_URL) $(MANAGE) verify_schema --probe

## drills: re-apply every migration's SQL (RunSQL, RunPython, tenancy operations) and roll back: all idempotent
.PHONY: drills
drills: install
	DATABASE_URL=$(DB_URL) $(PY) -m tools.drills

## rollback: APP=alerts TO=zero (or a migration name): reverse one app's migrations
rollback: install
	@test -n "$(APP)" -a -n "$(TO)" || (echo "usage: make rollback APP=<app> TO=<migration|zero>"; exit 2)
	DATABASE_URL=$(DB_URL) $(MANAGE) migrate $(APP) $(TO) --no-input -v 2

## restore: FILE=backups/<dump>: put the database back as the dump had it, in one transaction
restore: install
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/<file>.dump"; exit 2)
	$(PG_RESTORE) --clean --if-exists --single-transaction --exit-on-error --dbname="$(DB_URL)" "$(FILE)"

## loadtest: gunicorn + concurrent clients of different workspaces; fails on any leak or 5xx (ARGS="--pgbouncer --clients 32")
.PHONY: loadtest
loadtest: install
	$(PY) -m tools.loadtest $(ARGS)

## bench: the benchmark of docs/benchmarks.md (ARGS="--preset small" for a quick run; writes docs/benchmarks.md)
.PHONY: bench
bench: install
	DATABASE_URL=$(DB_URL) $(PY) -m tools.bench $(ARGS)
