# Fabula's developer entry points. `make run` and `make test` are the README's two commands.
# Everything installs from the hash-pinned requirements.lock into .venv; nothing else is assumed.

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never
DEMO_PASSWORD ?= fabula-demo
export DEMO_PASSWORD

.PHONY: install run serve demo test test-fast lint format lock clean

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

test: install
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --ds=config.settings.test $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -n 2 --ds=config.settings.test -m "not browser and not slow" $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix . && $(PY) -m ruff format .

# Re-pin after editing pyproject.toml dependencies.
lock: install
	$(UV) pip compile pyproject.toml --group dev --generate-hashes --python-version 3.12 --universal \
		--no-header -q -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache
