"""Benchmark the API against the reader: one story GET and one entity POST, p50/p95, in one run.

Runs in-process with Django's test client against a throwaway SQLite database (or DATABASE_URL), on the
sample story annotated by the real ingest pipeline (or by synthetic capitalised-name spans with
--synthetic). The API calls carry an editor's Bearer token, with the rate limit on (set high enough not
to refuse); the reader's are the same editor's session, as htmx sends them. Each entity POST tags an
untagged word and is then deleted (the delete is not timed), so every POST does the same work.
Reports wall-clock and CPU p50/p95 in ms, the API ÷ reader ratio, and a trivial logged-in view as the
baseline measured in the same run.

    .venv/bin/python benchmarks/api.py [--rounds 200] [--synthetic]

Targets (SQLite, sample story): entity POST p95 <= 10 ms, story GET p95 <= 10 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.reader import (  # noqa: E402  (the path above makes the project importable)
    HTMX,
    SAMPLE,
    ingest,
    ping_urlconf,
    setup_django,
    summary,
    timed,
    untagged_words,
)


def bench(api, reader, story, key: str, rounds: int) -> dict[str, list]:
    from django.urls import reverse

    from stories.models import Story

    bearer = {"Authorization": f"Bearer {key}"}
    api_story = f"/api/v1/stories/{story.pk}"
    reader_story = reverse("annotations:story-detail", args=[story.pk])
    results: dict[str, list] = {"story GET: API": [], "story GET: reader": []}
    for _ in range(10):  # warm both paths (caches, the tokenizer, the session)
        api.get(api_story, headers=bearer)
        reader.get(reader_story)
    for _ in range(rounds):
        results["story GET: API"].append(timed(lambda: api.get(api_story, headers=bearer))[0])
        results["story GET: reader"].append(timed(lambda: reader.get(reader_story))[0])

    results.update({"entity POST: API": [], "entity POST: reader": []})
    words = untagged_words(story)
    step = max(1, len(words) // rounds)
    for start, end in (words[::step] * 2)[:rounds]:
        version = Story.objects.values_list("version", flat=True).get(pk=story.pk)
        body = json.dumps({"start": start, "end": end, "label": "WORK_OF_ART", "version": version})
        milliseconds, response = timed(
            lambda b=body: api.post(
                f"{api_story}/entities", b, content_type="application/json", headers=bearer
            )
        )
        assert response.status_code == 201, response.content[:300]
        results["entity POST: API"].append(milliseconds)
        created = response.json()
        api.delete(
            f"{api_story}/entities/{created['entity']['id']}?version={created['version']}", headers=bearer
        )

        version = Story.objects.values_list("version", flat=True).get(pk=story.pk)
        data = {"start": start, "end": end, "label": "WORK_OF_ART", "version": version}
        milliseconds, response = timed(
            lambda d=data: reader.post(reader_story + "entities/", d, headers=HTMX)
        )
        assert response.status_code == 200, response.content[:300]
        results["entity POST: reader"].append(milliseconds)
        event = json.loads(response["HX-Trigger"])["fabula:changed"]
        reader.post(
            f"{reader_story}entities/{event['focus']}/delete/", {"version": event["version"]}, headers=HTMX
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument(
        "--synthetic", action="store_true", help="synthetic spans instead of the real pipeline"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fabula-bench-api-"))
    setup_django(str(tmp / "bench.sqlite3"))

    from django.conf import settings
    from django.test import Client

    from annotations.models import Entity
    from core import tokens
    from stories.models import Story
    from tests.factories import make_user

    settings.ROOT_URLCONF = ping_urlconf()
    settings.DEBUG = False
    settings.FABULA_API_RATE = "1000000/min"  # the limit is checked on every call but never refuses here
    ingest([SAMPLE], args.synthetic)
    editor = make_user("editor", username="bench")
    _, key = tokens.token_create(user=editor, name="benchmark")
    api, reader = Client(), Client()
    reader.force_login(editor)
    for _ in range(20):
        reader.get("/bench-ping/")
    baseline = summary([timed(lambda: reader.get("/bench-ping/"))[0] for _ in range(args.rounds)])
    story = Story.objects.get()

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"# API benchmark · {platform.node()} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"load average {os.getloadavg()[0]:.1f} · Python {platform.python_version()} · {engine}"
    )
    count = Entity.objects.filter(story=story).count()
    print(
        f"# {story.title}: {story.text_length:,} chars, {count} entities "
        f"({'synthetic' if args.synthetic else 'real pipeline'}); rounds={args.rounds}"
    )
    print(f"# baseline: trivial logged-in view p50 = {baseline[0]:.2f} ms wall, {baseline[2]:.2f} ms CPU\n")
    results = bench(api, reader, story, key, args.rounds)
    print("| measure | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | CPU p50 / baseline |")
    print("|---|---:|---:|---:|---:|---:|")
    figures = {}
    for name, samples in results.items():
        figures[name] = p50, p95, cpu50, cpu95 = summary(samples)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {cpu50:.1f} | {cpu95:.1f} | {cpu50 / baseline[2]:.1f}× |")
    print()
    for what in ("story GET", "entity POST"):
        api_p50, api_p95 = figures[f"{what}: API"][:2]
        reader_p50, reader_p95 = figures[f"{what}: reader"][:2]
        print(
            f"{what}: API ÷ reader = {api_p50 / reader_p50:.2f} (p50), {api_p95 / reader_p95:.2f} (p95); "
            f"API p95 {api_p95:.1f} ms against the 10 ms target: {'met' if api_p95 <= 10 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
