"""Benchmark undo and redo of a bulk change: accept all 5,000 suggestions of a label, undo it, redo it.

Runs in-process with Django's test client (htmx POSTs, as the reader sends them) against a throwaway
SQLite database, or DATABASE_URL. The baseline, measured in the same run, is the bulk accept itself
(one UPDATE of 5,000 rows plus its change-log entry); undo and redo are reported as ratios against it.

    .venv/bin/python benchmarks/undo.py [--spans 5000] [--rounds 5]

Target: undoing 5,000 spans under a second on the server.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HTMX = {"HX-Request": "true"}


def setup_django(db_path: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)


def timed(fn) -> tuple[float, float, object]:
    """(wall ms, CPU ms of this process, fn())."""
    cpu, start = time.process_time(), time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fabula-bench-undo-"))
    setup_django(str(tmp / "bench.sqlite3"))

    from django.conf import settings
    from django.test import Client

    from annotations.models import Entity, Label
    from stories.models import Story
    from tests.factories import make_story, make_user

    words = [f"Name{n}" for n in range(args.spans)]
    # Paragraphs of 50 names, as a novel's mentions spread over many paragraphs.
    text = "\n\n".join(" met ".join(words[i : i + 50]) + "." for i in range(0, len(words), 50))
    text += f"\n\nRun {time.time_ns()}."  # a DATABASE_URL used before holds earlier runs' stories
    story = make_story(text, title="Undo benchmark")
    person = Label.objects.get(name="PERSON")
    at, rows = 0, []
    for word in words:
        at = text.index(word, at)
        end = at + len(word)
        rows.append(Entity(story=story, start=at, end=end, text=word, label=person, origin="model",
                           model_start=at, model_end=end, model_label="PERSON"))  # fmt: skip
        at += len(word)
    Entity.objects.bulk_create(rows, batch_size=1000)
    client = Client()
    client.force_login(make_user("editor", username=f"bench-undo-{story.pk}"))
    base = f"/stories/{story.pk}/"

    def post(url: str, data: dict):
        version = Story.objects.values_list("version", flat=True).get(pk=story.pk)
        response = client.post(base + url, {**data, "version": version}, headers=HTMX)
        assert response.status_code == 200 and "fabula:changed" in response["HX-Trigger"], response.content[
            :300
        ]
        return response

    accept_url = f"labels/{person.pk}/review/"
    figures: dict[str, list[tuple[float, float]]] = {"accept all (baseline)": [], "undo": [], "redo": []}
    for _ in range(args.rounds):
        wall, cpu, _ = timed(lambda: post(accept_url, {"decision": "accept", "confirm": 1}))
        figures["accept all (baseline)"].append((wall, cpu))
        assert not Entity.objects.pending().filter(story=story).exists()
        wall, cpu, _ = timed(lambda: post("undo/", {}))
        figures["undo"].append((wall, cpu))
        assert Entity.objects.pending().filter(story=story).count() == args.spans
        wall, cpu, _ = timed(lambda: post("redo/", {}))
        figures["redo"].append((wall, cpu))
        assert not Entity.objects.pending().filter(story=story).exists()
        post("undo/", {})  # pending again for the next round

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"# Undo benchmark · {platform.node()} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"load average {os.getloadavg()[0]:.1f} · Python {platform.python_version()} · {engine} · "
        f"{args.spans:,} spans · {args.rounds} rounds"
    )
    base_wall = statistics.median(w for w, _ in figures["accept all (baseline)"])
    print("| request | wall p50 ms | wall max ms | CPU p50 ms | wall p50 / baseline |")
    print("|---|---:|---:|---:|---:|")
    for name, samples in figures.items():
        walls = [w for w, _ in samples]
        cpus = [c for _, c in samples]
        p50 = statistics.median(walls)
        cpu = statistics.median(cpus)
        print(f"| {name} | {p50:.0f} | {max(walls):.0f} | {cpu:.0f} | {p50 / base_wall:.2f} |")


if __name__ == "__main__":
    main()
