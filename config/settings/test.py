"""Tests: fast hashing and a local cache; the database comes from DATABASE_URL like everywhere else.

Nothing here hides the real spaCy pipeline: extraction tests use the package the project installs.
"""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
