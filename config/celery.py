"""`celery -A config worker`: Celery finds the app here. Defaults to the development settings, as
manage.py does; production sets DJANGO_SETTINGS_MODULE."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

from core.queue import app  # noqa: E402

__all__ = ["app"]
