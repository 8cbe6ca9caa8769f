"""Tests: fast hashing and a local cache; the database comes from DATABASE_URL like everywhere else.

Nothing here hides the real spaCy pipeline: extraction tests use the package the project installs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Browser tests that are about live updates set it low; elsewhere a poll mid-test is noise.
READER_POLL_SECONDS = 600
# Background work without a broker runs within the request, so a test sees its outcome when the request
# returns (the browser tests that follow a running export set "thread").
FABULA_IN_PROCESS_TASKS = "inline"
# Export files go to a folder of this run's own (a worker started by a test is told it in its environment).
FABULA_EXPORT_DIR = Path(
    os.environ.get("FABULA_EXPORT_DIR") or Path(tempfile.gettempdir()) / f"fabula-test-exports-{os.getpid()}"
)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory. With an in-memory test database the browser tests' live server shares the
    # test thread's one connection, and a page's background request racing an ORM check in the test
    # can read a half-state (seen as a spurious logout). A file gives each thread its own connection.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"fabula-test-{os.getpid()}.sqlite3")
    }

# Tests run in-process whatever the shell says; only the worker processes the distributed tests start
# (tests/integration/workers.py sets FABULA_TEST_WORKER) and the commands they run talk to the broker.
if not os.environ.get("FABULA_TEST_WORKER"):
    CELERY_BROKER_URL = ""
