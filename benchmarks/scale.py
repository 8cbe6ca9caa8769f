"""Benchmark the pages that grow with the collection, on PostgreSQL: search, the list, queue, dashboard.

Builds a throwaway PostgreSQL database, fills it with the generated corpus (benchmarks/corpus.py) in
steps of 1,000, 10,000 and 100,000 stories, runs VACUUM ANALYZE after each step as autovacuum would,
and times the real pages through Django's test client: the story list bare and with a common word, a
phrase, and search plus sort; the review queue; the dashboard (approved, and any status) once its
figures are cached, and once cold. Each figure's ratio is against the same page at the first size in
the same run. At 1,000 and 10,000 stories it also times the search the way it was before the stored
column (a GIN expression index over to_tsvector of the text), so the gain is measured, not remembered.

    .venv/bin/python benchmarks/scale.py [--sizes 1000,10000,100000] [--rounds 30]

Targets: search p95 under 50 ms at 10,000 stories and under 150 ms at 100,000; the list, queue and
dashboard at 100,000 within 1.5x of their time at 1,000.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgres://postgres@127.0.0.1:5432/"
QUERIES = [
    ("story list", "/", {}),
    ("search: common word ballet", "/", {"q": "ballet"}),
    ('search: phrase "the old theatre"', "/", {"q": '"the old theatre"'}),
    ("search + sort by entities", "/", {"q": "ballet", "sort": "-entities"}),
    ("story list, status done", "/", {"status": "done"}),
    ("review queue", "/review/", {}),
    ("dashboard (cached)", "/dashboard/", {}),
    ("dashboard, any status (cached)", "/dashboard/", {"status": "all"}),
]
OLD_INDEX = "bench_old_expression_gin"
OLD_EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(text, ''))"


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_page(client, path: str, params: dict, rounds: int) -> tuple[float, float]:
    client.get(path, params)  # warm the plan cache and the buffers once
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path, params)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return p50_p95(samples)


def old_search(queryset, query):
    """The search as it was before migration 0005: the vector computed from the text by expression."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    search = SearchQuery(query, config="english", search_type="websearch")
    return (
        queryset.alias(search_vector=SearchVector("title", "text", config="english"))
        .filter(search_vector=search)
        .annotate(search_rank=SearchRank(SearchVector("title", config="english"), search))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--old-up-to", type=int, default=10_000, help="time the old search up to this size")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    import psycopg

    name = f"fabula_bench_scale_{os.getpid()}"
    with psycopg.connect(PG + "postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        run(name, sizes, args)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(PG + "postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")


def run(name: str, sizes: list[int], args) -> None:
    os.environ["DATABASE_URL"] = PG + name
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from benchmarks.corpus import generate
    from stories import selectors
    from tests.factories import make_user

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    client = Client()
    client.force_login(make_user("reviewer", username="bench"))
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"# PostgreSQL {cursor.fetchone()[0]}; {args.rounds} requests per figure")
    have = 0
    rows = []
    first: dict[str, float] = {}
    for size in sizes:
        seconds = generate(size - have, seed=have + 7)
        have = size
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"## {size:,} stories (+{seconds:.0f} s to generate)")
        for label, path, params in QUERIES:
            p50, p95 = time_page(client, path, params, args.rounds)
            first.setdefault(label, p95)
            rows.append((size, label, p50, p95))
            print(f"| {size:,} | {label} | {p50:.1f} | {p95:.1f} | {p95 / first[label]:.2f} |")
        cache.clear()
        start = time.perf_counter()
        client.get("/dashboard/", {"status": "all"})
        cold = (time.perf_counter() - start) * 1000
        first.setdefault("cold", cold)
        label, ratio = "dashboard, any status, cold (one request)", cold / first["cold"]
        print(f"| {size:,} | {label} | {cold:.0f} | {cold:.0f} | {ratio:.2f} |")
        if size <= args.old_up_to:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE INDEX {OLD_INDEX} ON stories_story USING GIN (({OLD_EXPRESSION}))")
                cursor.execute("ANALYZE stories_story")
            new_search, selectors.story_search = selectors.story_search, old_search
            try:
                for label, path, params in QUERIES[1:4]:
                    p50, p95 = time_page(client, path, params, max(5, args.rounds // 4))
                    print(f"| {size:,} | {label}, expression index (before) | {p50:.1f} | {p95:.1f} | |")
            finally:
                selectors.story_search = new_search
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP INDEX {OLD_INDEX}")


if __name__ == "__main__":
    main()
