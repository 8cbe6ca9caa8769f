# Fabula's developer entry points. `make run` and `make test` are the README's two commands.
# Everything installs from the hash-pinned requirements.lock into .venv; nothing else is assumed.

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never
DEMO_PASSWORD ?= fabula-demo
export DEMO_PASSWORD

.PHONY: install run serve demo chromium test test-fast lint format lock clean

# Find an interpreter that satisfies .python-version (3.12+): pyenv's shim reads that file itself.
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

$(PY):
	@test -n "$(PYTHON)" || { echo "Fabula needs Python 3.12 or newer (see .python-version); none was found on PATH." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Idempotent: re-running only installs what requirements.lock changed.
install: $(PY)
	@$(PY) -m pip install -q --disable-pip-version-check "uv==$$(sed -n 's/^uv==\([^ ]*\).*/\1/p' requirements.lock)"
	$(UV) pip sync -q --python $(PY) requirements.lock

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ingest data/samples --batch samples
	$(PY) manage.py create_demo_users

serve:
	$(PY) manage.py runserver 127.0.0.1:8000

run: demo serve

# The browser tests drive Debian's Chromium. Install it where this machine allows (root with apt-get);
# elsewhere stop with one line that says what to install.
CHROMIUM ?= /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "make: installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "make test: the browser tests need Debian's Chromium at $(CHROMIUM): run 'sudo apt-get install chromium' (or 'make test-fast' to skip them)" >&2; \
	    exit 1; \
	  fi; }

test: install chromium
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 2 --ds=config.settings.test $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -n 2 --ds=config.settings.test -m "not browser and not slow" $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check . && $(PY) -m ruff format --check . && $(VENV)/bin/lint-imports

format: install
	$(PY) -m ruff check --fix . && $(PY) -m ruff format .

# Re-pin after editing pyproject.toml dependencies.
lock: install
	$(UV) pip compile pyproject.toml --group dev --generate-hashes --python-version 3.12 --universal \
		--no-header -q -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
