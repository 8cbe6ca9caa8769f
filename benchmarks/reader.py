"""Benchmark the editor workspace: server time to open the reader and for one edit round trip.

Runs in-process with Django's test client against a throwaway SQLite database (or DATABASE_URL), on a
sample story and on a 1 MB novel (Middlemarch from LitBank, truncated at a paragraph break), both
annotated by the real ingest pipeline (or by synthetic capitalised-name spans with --synthetic).
Reports wall-clock and CPU p50/p95 in ms, and the CPU ratio against a trivial logged-in view measured
in the same run (on a shared machine, CPU time is the steadier measure of the server's own work).

    .venv/bin/python benchmarks/reader.py [--rounds 60] [--synthetic]

Targets: p95 edit round trip (create, relabel, delete) < 15 ms on both stories; the
1 MB story's first view < 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOVEL = ROOT.parent / "shared" / "litbank" / "novels" / "145_middlemarch.txt"
SAMPLE = ROOT / "data" / "samples" / "001_b126eebb701a6029.txt"
HTMX = {"HX-Request": "true"}


def setup_django(db_path: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{db_path}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Not setup_test_environment(): its instrumented template rendering would inflate every figure.
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(fn) -> tuple[tuple[float, float], object]:
    """((wall ms, CPU ms), fn()). SQLite runs in this process, so CPU time is the server's own work
    even when other jobs on a shared machine keep it waiting for a core."""
    cpu, start = time.process_time(), time.perf_counter()
    result = fn()
    return ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000), result


def summary(samples: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """p50 and p95 of wall time, then of CPU time."""
    wall, cpu = percentiles([w for w, _ in samples]), percentiles([c for _, c in samples])
    return wall[0], wall[1], cpu[0], cpu[1]


def make_novel(tmp: Path) -> Path:
    text = NOVEL.read_text(encoding="utf-8")
    cut = text[:1_000_000]
    cut = cut[: cut.rindex("\n\n")]
    path = tmp / "middlemarch_1mb.txt"
    path.write_text(cut, encoding="utf-8")
    return path


def ingest(paths: list[Path], synthetic: bool) -> None:
    from annotations.models import Entity
    from stories.models import Story

    if not synthetic:
        from django.core.management import call_command

        call_command("ingest", *[str(p) for p in paths], verbosity=0)
        return
    import hashlib

    for path in paths:
        text = path.read_text(encoding="utf-8")
        story = Story.objects.create(
            title=path.stem, text=text, text_length=len(text), word_count=len(text.split()),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )  # fmt: skip
        rows = [
            Entity(story=story, start=m.start(), end=m.end(), text=m.group(), label_id="PERSON",
                       model_start=m.start(), model_end=m.end(), model_label="PERSON")
            for m in re.finditer(r"(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z][a-z]+)*", text)
        ]  # fmt: skip
        Entity.objects.bulk_create(rows, batch_size=2000)


def ping_urlconf():
    """The project's URLs plus /bench-ping/: a logged-in view that does nothing (the baseline)."""
    from django.http import HttpResponse
    from django.urls import include, path

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [
        path("bench-ping/", lambda request: HttpResponse("ok")),
        path("", include("config.urls")),
    ]
    return module


def _post(client, url: str, data: dict):
    milliseconds, response = timed(lambda: client.post(url, data, headers=HTMX))
    assert response.status_code == 200, response.content[:300]
    return milliseconds, json.loads(response["HX-Trigger"])["fabula:changed"]


def edit_round(client, story, words: list[tuple[int, int]], rounds: int) -> dict[str, list]:
    """create → relabel → delete on `rounds` untagged words spread over the story, timing each POST."""
    from django.urls import reverse

    times: dict[str, list] = {"create": [], "relabel": [], "delete": []}
    base = reverse("annotations:story-detail", args=[story.pk])
    version = story.version
    step = max(1, len(words) // rounds)
    for start, end in words[::step][:rounds]:
        data = {"start": start, "end": end, "label": "WORK_OF_ART", "version": version}
        t_create, event = _post(client, base + "entities/", data)
        url = f"{base}entities/{event['focus']}/"
        t_label, event = _post(client, url + "label/", {"label": "EVENT", "version": event["version"]})
        t_delete, event = _post(client, url + "delete/", {"version": event["version"]})
        version = event["version"]
        for key, value in (("create", t_create), ("relabel", t_label), ("delete", t_delete)):
            times[key].append(value)
    times["any edit (all three pooled)"] = times["create"] + times["relabel"] + times["delete"]
    times["create + relabel + delete in a row"] = [
        tuple(map(sum, zip(*trio, strict=True)))
        for trio in zip(times["create"], times["relabel"], times["delete"], strict=True)
    ]
    return times


def untagged_words(story) -> list[tuple[int, int]]:
    from annotations.models import Entity

    taken = set()
    for s, e in Entity.objects.filter(story=story).values_list("start", "end"):
        taken.update(range(s, e))
    return [(m.start(), m.end()) for m in re.finditer(r"\b[a-z]{5,}\b", story.text)
            if m.start() not in taken and m.end() - 1 not in taken]  # fmt: skip


def bench_story(client, story, rounds: int) -> dict[str, list]:
    from django.core.cache import cache
    from django.urls import reverse

    url = reverse("annotations:story-detail", args=[story.pk])
    results: dict[str, list] = {"first view (cold cache)": [], "reader (warm)": [], "next chunk": []}
    for _ in range(max(10, rounds // 3)):
        cache.clear()  # the first view of a story computes and caches its paragraph offsets
        results["first view (cold cache)"].append(timed(lambda: client.get(url))[0])
    for _ in range(rounds):
        results["reader (warm)"].append(timed(lambda: client.get(url))[0])
        results["next chunk"].append(timed(lambda: client.get(url + "?chunk=1", headers=HTMX))[0])
    results.update(edit_round(client, story, untagged_words(story), rounds))
    # After an edit the page refreshes legend and history in one request; characters only when the
    # edit touched a character.
    panels = (("legend + history (every edit)", "panels/"), ("characters (when touched)", "characters/"))
    for name, path in panels:
        results[f"panel refresh: {name}"] = [timed(lambda p=path: client.get(url + p, headers=HTMX))[0]
                                             for _ in range(rounds)]  # fmt: skip
    # What each open reader costs the server every READER_POLL_SECONDS: presence, and others' changes.
    from stories.models import Story

    version = Story.objects.values_list("version", flat=True).get(pk=story.pk)
    results["live poll (nothing new)"] = [
        timed(lambda: client.get(url + "live/", {"version": version}, headers=HTMX))[0] for _ in range(rounds)
    ]
    # A colleague's reader, three of this editor's changes behind: it draws their paragraphs.
    from django.test import Client

    from tests.factories import make_user

    colleague = Client()
    colleague.force_login(make_user("reviewer", username=f"colleague{story.pk}"))
    results["live poll (a colleague's 3 changes to draw)"] = [
        timed(lambda: colleague.get(url + "live/", {"version": version - 3}, headers=HTMX))[0]
        for _ in range(rounds)
    ]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument(
        "--synthetic", action="store_true", help="synthetic spans instead of the real pipeline"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fabula-bench-"))
    setup_django(str(tmp / "bench.sqlite3"))

    from django.conf import settings
    from django.test import Client

    from annotations.models import Entity
    from stories.models import Story
    from tests.factories import make_user

    settings.ROOT_URLCONF = ping_urlconf()
    settings.DEBUG = False
    t_ingest, _ = timed(lambda: ingest([SAMPLE, make_novel(tmp)], args.synthetic))
    client = Client()
    client.force_login(make_user("editor", username="bench"))
    for _ in range(20):
        client.get("/bench-ping/")
    baseline = summary([timed(lambda: client.get("/bench-ping/"))[0] for _ in range(args.rounds * 3)])

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"# Reader benchmark · {platform.node()} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"load average {os.getloadavg()[0]:.1f} · Python {platform.python_version()} · {engine}"
    )
    print(
        f"# spans: {'synthetic' if args.synthetic else 'real pipeline'} (ingest {t_ingest[0] / 1000:.1f} s); "
        f"READER_CHUNK_PARAGRAPHS={settings.READER_CHUNK_PARAGRAPHS}; rounds={args.rounds}"
    )
    print(f"# baseline: trivial logged-in view p50 = {baseline[0]:.2f} ms wall, {baseline[2]:.2f} ms CPU\n")
    for story in Story.objects.order_by("text_length"):
        story = Story.objects.defer("text").get(pk=story.pk)
        story.text = Story.objects.values_list("text", flat=True).get(pk=story.pk)
        count = Entity.objects.filter(story=story).count()
        print(
            f"## {story.title}: {story.text_length:,} chars, {count:,} entities "
            f"({count / story.text_length * 10_000:.1f} per 10k chars)"
        )
        print("| measure | p50 ms | p95 ms | CPU p50 ms | CPU p95 ms | CPU p50 / baseline CPU p50 |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, samples in bench_story(client, story, args.rounds).items():
            p50, p95, cpu50, cpu95 = summary(samples)
            print(
                f"| {name} | {p50:.1f} | {p95:.1f} | {cpu50:.1f} | {cpu95:.1f} | {cpu50 / baseline[2]:.1f}× |"
            )
        print()


if __name__ == "__main__":
    main()
