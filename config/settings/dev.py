"""Development: debug on, a throwaway key, the SQLite file unless DATABASE_URL says otherwise."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: E402,F403
