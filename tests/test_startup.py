"""Where spaCy is paid for. Settings, apps, the admin and the URLs load without it (commands such as
migrate never pay the seconds and the ~75 MB). The WSGI entry point loads its tokenizer before serving,
so no request imports any of it. Each is checked in a fresh interpreter."""

from __future__ import annotations

import json
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


def probe_env(tmp_path: Path) -> dict[str, str]:
    """A fresh process's environment: test settings on a SQLite file of its own, nothing inherited."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "PATH": "/usr/bin:/bin",
    }


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


REQUESTS_PROBE = """
import os, sys
import config.wsgi  # the web entry point: it loads spaCy's tokenizer before serving anything
from django.conf import settings
from django.core.management import call_command
settings.ALLOWED_HOSTS = ["testserver"]
call_command("migrate", verbosity=0)

loaded = set(sys.modules)
imported_late = []

class Watch:
    # Records, and does not block, any import of a module that the warm-up left unloaded.
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("spacy", "thinc") and name not in loaded:
            imported_late.append(name)
        return None

sys.meta_path.insert(0, Watch())

from annotations.models import Entity
from tests.factories import make_entity, make_story, make_user
from django.test import Client
story = make_story("Anna Petrova danced in Paris with Boris on Monday.")
anna = make_entity(story, "Anna Petrova")
client = Client()
client.force_login(make_user("editor"))
base = f"/stories/{story.pk}/"
answers = [
    client.get(base).status_code,
    client.post(base + "entities/", {"start": 23, "end": 28, "label": "GPE", "version": 1}).status_code,
    client.post(base + f"entities/{anna.pk}/accept/", {"version": 2}).status_code,
    client.post(
        base + f"entities/{anna.pk}/resize/", {"side": "end", "direction": "narrow", "version": 3}
    ).status_code,
    client.post(base + "undo/", {"version": 4}).status_code,
]
assert answers == [200, 302, 302, 302, 302], answers
assert Entity.objects.filter(story=story, text="Paris", label="GPE").exists()
print("late:", ",".join(imported_late) or "none")
"""


def test_no_web_request_imports_spacy(tmp_path):
    """The WSGI entry warms the tokenizer up, so the reader and every kind of edit import nothing of
    spaCy: the seconds that import costs never land on an editor's request."""
    env = probe_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "late: none" in result.stdout, result.stdout


AGREEMENT_PROBE = (
    REQUESTS_PROBE.split("from annotations.models import Entity")[0]
    + """
from django.test import Client
from tests.annotations.agreement_cases import ALICE, BOB, double_story
from tests.factories import make_user
double_story({"alice": ALICE, "bob": BOB})
client = Client()
client.force_login(make_user("reviewer"))
response = client.get("/agreement/")
assert response.status_code == 200 and b"alice / bob" in response.content, response.status_code
print("late:", ",".join(imported_late) or "none")
"""
)


def test_the_agreement_page_imports_no_spacy(tmp_path):
    """The Agreement page tokenises with the tokenizer the WSGI entry already warmed up for snapping."""
    env = probe_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", AGREEMENT_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "late: none" in result.stdout, result.stdout


def test_ingest_no_extract_of_clean_text_imports_neither_spacy_nor_the_text_repairers(tmp_path):
    """`ingest --no-extract` of ASCII text (no line that could hold mojibake) never loads spaCy, ftfy or
    charset-normalizer, nor django-ninja and pydantic (the API's): start-up it would pay for nothing.
    A line with non-ASCII characters still goes through ftfy's mojibake check."""
    lines = [
        {"title": "Plain", "text": "Anna danced in Paris."},
        {"text": "Boris sang in Riga.\r\nTwice."},
    ]
    (tmp_path / "clean.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    env = probe_env(tmp_path)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=180)
    # The command as an admin runs it, in a fresh process; what it imported is read from -X importtime.
    command = ["ingest", str(tmp_path / "clean.jsonl"), "--no-extract", "-v", "0"]
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert {"django", "interchange"} <= imported  # the command's own imports are seen
    unwanted = {"spacy", "thinc", "ftfy", "charset_normalizer", "ninja", "pydantic"}
    assert not imported & unwanted, sorted(imported & unwanted)
    stored = subprocess.run(
        [*manage, "shell", "-c", "from stories.models import Story; print(Story.objects.count())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert stored.stdout.strip().splitlines()[-1] == "2", stored.stderr[-2000:]
