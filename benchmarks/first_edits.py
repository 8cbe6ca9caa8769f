"""Benchmark the first edits after a restart: does any editor's request pay for loading spaCy?

Each trial is a fresh interpreter that imports the WSGI entry point as gunicorn does, then times the
reader and the first 10 edits (tag, relabel, delete, in turn) on a sample story through Django's test
client, then 30 more as the warm baseline, in the same process. Trials alternate between the real entry
point (tokenizer warmed up before serving) and FABULA_WARM_UP=0 (the tokenizer loads on the first edit,
as before), so both are measured in one run.

    .venv/bin/python benchmarks/first_edits.py [--trials 3]

Target: the worst of the first 10 edits under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "001_b126eebb701a6029.txt"

TRIAL = r"""
import json, sys, time
t0 = time.perf_counter()
import config.wsgi
boot_ms = (time.perf_counter() - t0) * 1000
from django.conf import settings
from django.core.management import call_command
settings.ALLOWED_HOSTS = ["testserver"]
call_command("migrate", verbosity=0)
from django.test import Client
from annotations.models import Entity
from tests.factories import make_story, make_user
text = open(sys.argv[1], encoding="utf-8").read()
story = make_story(text)
word = next(w for w in text.split() if w.isalpha() and w[0].isupper() and len(w) > 3)
start = text.index(word)
client = Client()
client.force_login(make_user("editor"))
base = f"/stories/{story.pk}/"
H = {"HX-Request": "true"}
times = []
def timed(fn):
    t = time.perf_counter(); response = fn(); times.append((time.perf_counter() - t) * 1000)
    assert response.status_code == 200, (response.status_code, response.content[:300])
timed(lambda: client.get(base))
reader_ms = times.pop()
version = story.version
for n in range(40):
    kind = n % 3
    post = lambda url, data: client.post(base + url, {**data, "version": version}, headers=H)
    if kind == 0:
        timed(lambda: post("entities/", {"start": start, "end": start + len(word), "label": "PERSON"}))
        entity = Entity.objects.get(story=story, start=start, label="PERSON")
    elif kind == 1:
        timed(lambda: post(f"entities/{entity.pk}/label/", {"label": "ORG"}))
    else:
        timed(lambda: post(f"entities/{entity.pk}/delete/", {}))
    version += 1
print(json.dumps({"boot_ms": boot_ms, "reader_ms": reader_ms, "first": times[:10], "warm": times[10:]}))
"""


def trial(warm_up: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "FABULA_WARM_UP": "1" if warm_up else "0",
        }
        out = subprocess.run(
            [sys.executable, "-c", TRIAL, str(SAMPLE)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if out.returncode:
            sys.exit(out.stderr[-3000:])
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    results: dict[bool, list[dict]] = {True: [], False: []}
    for _ in range(args.trials):
        for warm_up in (True, False):
            results[warm_up].append(trial(warm_up))
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite")
    print(
        "| entry point | boot ms (import config.wsgi) | reader ms | worst of first 10 edits ms"
        " | warm edit p50 ms | worst / warm p50 |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for warm_up, label in ((True, "warmed up (now)"), (False, "FABULA_WARM_UP=0 (before)")):
        runs = results[warm_up]
        boot = max(r["boot_ms"] for r in runs)
        reader = max(r["reader_ms"] for r in runs)
        worst = max(max(r["first"]) for r in runs)
        warm = sorted(t for r in runs for t in r["warm"])[len(runs) * 15]
        print(f"| {label} | {boot:.0f} | {reader:.0f} | {worst:.1f} | {warm:.1f} | {worst / warm:.1f}× |")


if __name__ == "__main__":
    main()
