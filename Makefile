# mailvet: `make run` serves the portal on its embedded defaults; `make test` runs every check CI runs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
.DEFAULT_GOAL := run
STAMP := $(VENV)/.installed
# The development server's settings: SQLite, Celery over a local folder (no REDIS_URL), debug on.
DEV_ENV := DEBUG=true
# PostgreSQL run of the suite (trust auth on the local server, see ARCHITECTURE notes in the README).
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres

services:
	bash .ci/ensure-services.sh
	bash .ci/install-testnet.sh

.PHONY: lock services install run demo test test-quick test-sqlite test-postgres lint migrations-check messages clean audit-dependencies

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

# Re-pin every dependency from pyproject.toml in a throw-away environment.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	{ echo "# Exact versions that \`make\` installs (pip constraints), so CI, a new machine and production"; \
	  echo "# install the same set. Regenerate with \`make lock\` after changing pyproject.toml."; \
	  .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e'; } > requirements.lock
	rm -rf .lock-venv

install: $(STAMP)

messages: install
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=$(VENV) --verbosity 0

run: install messages
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py loadseed
	@echo "Demo accounts (sign in at http://127.0.0.1:8000/admin/ with the password and a TOTP code or a backup code):"
	@$(DEV_ENV) $(PY) manage.py setup_demo
	$(DEV_ENV) $(PY) manage.py rundev 127.0.0.1:8000

# The portal as `make run`, with the local test network up and three demo providers pointing at
# it (good.test, weak.test, broken.test): "Audit now" shows real results without internet.
demo: install messages
	bash .ci/install-testnet.sh
	mkdir -p var
	$(PY) -m tests.testnet up --export > var/testnet.env
	. ./var/testnet.env && $(DEV_ENV) $(PY) manage.py migrate --noinput
	. ./var/testnet.env && $(DEV_ENV) $(PY) manage.py loadseed
	. ./var/testnet.env && $(DEV_ENV) $(PY) -m tests.testnet demo-services
	@echo "Demo accounts (sign in at http://127.0.0.1:8000/admin/ with the password and a TOTP code or a backup code):"
	@. ./var/testnet.env && $(DEV_ENV) $(PY) manage.py setup_demo
	. ./var/testnet.env && $(DEV_ENV) $(PY) manage.py rundev 127.0.0.1:8000

# Known vulnerabilities in the locked versions: pip-audit (PyPA's tool) asks the OSV database
# (https://api.osv.dev). It fails on any known vulnerability, and (--strict) when it cannot ask.
# Its own environment: its dependencies are not the portal's, and must not move the lock.
AUDIT_VENV := .venv-audit
audit-dependencies:
	test -x $(AUDIT_VENV)/bin/pip-audit || { $(PYTHON) -m venv $(AUDIT_VENV) && \
		$(AUDIT_VENV)/bin/python -m pip install --quiet "pip-audit>=2.10,<3"; }
	$(AUDIT_VENV)/bin/pip-audit --requirement requirements.lock --no-deps --disable-pip --strict \
		--vulnerability-service osv --progress-spinner off

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

test-sqlite: install messages
	$(DEV_ENV) $(VENV)/bin/pytest

test-postgres: install messages
	DATABASE_URL=$(PG_URL) $(DEV_ENV) $(VENV)/bin/pytest

# The quick inner loop: no test network, no browser, no worker processes.
test-quick: install messages
	$(DEV_ENV) $(VENV)/bin/pytest -m "not testnet and not browser and not worker"

test: services lint migrations-check test-sqlite test-postgres

clean:
	rm -rf $(VENV) $(AUDIT_VENV) staticfiles .pytest_cache .ruff_cache var
