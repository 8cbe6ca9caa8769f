"""A web process starts without importing spaCy: loading it costs seconds and about 75 MB per worker, and
only extraction needs it. Checked in a fresh interpreter in which `import spacy` fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import sys
sys.modules["spacy"] = None  # any import of spacy now raises ImportError
import django
django.setup()  # runs every AppConfig.ready(), including the admin's autodiscovery
import config.urls
from django.urls import get_resolver
get_resolver().url_patterns
"""


def test_settings_apps_admin_and_urls_load_without_spacy():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
