# Two commands do all the set-up on a fresh machine: `make run` and `make test` (README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
VENV903 := .venv-903
STAMP903 := $(VENV903)/.installed-stamp
# axe-core, the accessibility rules the browser tests run (README "Accessibility"): the npm
# package, installed under var/ (git-ignored), only for `make test`.
AXE_VERSION := 4.14.1
AXE := var/axe/node_modules/axe-core/axe.min.js

.PHONY: run test lint lock services worker beat backup restore clean

# requirements-dev.txt is the lock (every package, transitive ones too, with its hashes) made from
# requirements.in and requirements-dev.in by `make lock`: pip refuses a file whose hash differs.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	touch $(STAMP)

# The DfE-rule validator pins pandas below 2, so it lives in its own environment.
$(STAMP903): requirements-903.txt
	test -x $(VENV903)/bin/python || $(PYTHON) -m venv $(VENV903)
	$(VENV903)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-903.txt
	touch $(STAMP903)

$(AXE): Makefile
	npm install --prefix var/axe --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)
	touch $@

## The whole application on an embedded SQLite database with demo data: http://127.0.0.1:8000
run: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_postcodes
	$(PY) manage.py seed_demo
	@echo "Open http://127.0.0.1:8000 and sign in as iro, manager or support (password demo-password-2026)."
	$(PY) manage.py runserver 127.0.0.1:8000

## Lint, migration check and every test, against the real PostgreSQL and Redis
test: $(STAMP) $(STAMP903) services $(AXE)
	mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/bandit -r accounts audits caseload children reviews iro_service scripts -x '*/migrations/*' -q
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

## A Celery worker and beat against the local Redis (settings from the environment, as ever)
worker: $(STAMP)
	CELERY_TASK_ALWAYS_EAGER=false $(VENV)/bin/celery -A iro_service worker --loglevel INFO

beat: $(STAMP)
	CELERY_TASK_ALWAYS_EAGER=false $(VENV)/bin/celery -A iro_service beat --loglevel INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## Re-lock after changing requirements.in or requirements-dev.in (pip-tools in its own venv)
lock:
	test -x var/pip-tools/bin/pip-compile || { $(PYTHON) -m venv var/pip-tools && var/pip-tools/bin/pip install --quiet pip-tools; }
	var/pip-tools/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	var/pip-tools/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

## PostgreSQL and Redis answering, and the two database roles (iro_owner, iro_app) created
services: $(STAMP)
	scripts/ensure-services.sh
	scripts/ensure-packages.sh
	$(PY) scripts/ensure_db_roles.py

## The database (DATABASE_URL, PostgreSQL) and the private documents in one archive:
## var/backups/iro-YYYYmmdd-HHMMSS.tar (IRO_BACKUP_DIR). README: Backup and restore.
backup: $(STAMP)
	$(PY) manage.py backup

## Into an EMPTY database and documents folder, every document checked: make restore FILE=... [FORCE=1]
restore: $(STAMP)
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/iro-YYYYmmdd-HHMMSS.tar [FORCE=1]" >&2; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) $(VENV903) var .pytest_cache .ruff_cache
