"""Production settings: refuse to start without a SECRET_KEY, and pass `check --deploy` when configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # A clean production environment: none of the development or test-run variables (the browser tests
    # set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which check --deploy rightly flags).
    unset = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_production_without_a_secret_key_refuses_to_start_and_says_why():
    result = manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Set SECRET_KEY to a long random string" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a fixed test key, long and varied: 0123456789 AbCdEfGhIjKlMnOp",
        ALLOWED_HOSTS="fabula.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def mail_backend(**env: str) -> str:
    env = {"SECRET_KEY": "a fixed test key, long and varied: 0123456789 AbCdEfGhIjKlMnOp", **env}
    # Only the variables given here: none of this machine's mail settings leak in.
    for name in ("EMAIL_BACKEND", "EMAIL_HOST"):
        env.setdefault(name, "")
    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    result = manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().rsplit(".", 2)[-2]


def test_mail_goes_nowhere_in_production_until_a_host_is_set():
    assert mail_backend() == "dummy"
    assert mail_backend(EMAIL_HOST="smtp.example.org") == "smtp"
    assert mail_backend(DEBUG="1") == "console"
    assert mail_backend(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend") == "filebased"
