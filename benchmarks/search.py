"""Benchmark the story list at scale on PostgreSQL: search, phrase, search plus sort, and the bare list.

Builds a throwaway PostgreSQL database, fills it with the generated corpus (benchmarks/corpus.py) in
steps of 1,000, 10,000 and 100,000 stories, runs VACUUM ANALYZE after each step as autovacuum would,
and times the real story-list page through Django's test client. The baseline, in the same run and at
the same size, is the list page with no search. At 1,000 and 10,000 stories it also times the search
the way it was before the stored column (a GIN expression index over to_tsvector of the text), so the
gain is measured, not remembered.

    .venv/bin/python benchmarks/search.py [--sizes 1000,10000,100000] [--rounds 40]

Targets: search p95 under 50 ms at 10,000 stories and under 150 ms at 100,000.
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
    ("list, no search (baseline)", {}),
    ("common word: ballet", {"q": "ballet"}),
    ('phrase: "the old theatre"', {"q": '"the old theatre"'}),
    ("search + sort by entities", {"q": "ballet", "sort": "-entities"}),
]
OLD_INDEX = "bench_old_expression_gin"
OLD_EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(text, ''))"


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_page(client, params: dict, rounds: int) -> tuple[float, float]:
    client.get("/", params)  # warm the plan cache and the buffers once
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get("/", params)
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
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--old-up-to", type=int, default=10_000, help="time the old search up to this size")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    import psycopg

    name = f"fabula_bench_search_{os.getpid()}"
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
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from benchmarks.corpus import generate
    from stories import selectors
    from tests.factories import make_user

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    client = Client()
    client.force_login(make_user("editor", username="bench"))
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"# PostgreSQL {cursor.fetchone()[0]}; {args.rounds} requests per figure")
    have = 0
    rows = []
    for size in sizes:
        seconds = generate(size - have, seed=have + 7)
        have = size
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"## {size:,} stories (+{seconds:.0f} s to generate)")
        baseline = None
        for label, params in QUERIES:
            p50, p95 = time_page(client, params, args.rounds)
            baseline = baseline or p95
            rows.append((size, label, "stored column", p50, p95, p95 / baseline))
            print(f"| {size:,} | {label} | stored column | {p50:.1f} | {p95:.1f} | {p95 / baseline:.2f} |")
        if size <= args.old_up_to:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE INDEX {OLD_INDEX} ON stories_story USING GIN (({OLD_EXPRESSION}))")
                cursor.execute("ANALYZE stories_story")
            new_search, selectors.story_search = selectors.story_search, old_search
            try:
                for label, params in QUERIES[1:]:
                    p50, p95 = time_page(client, params, max(5, args.rounds // 4))
                    rows.append((size, label, "expression index (before)", p50, p95, p95 / baseline))
                    ratio, how = p95 / baseline, "expression index (before)"
                    print(f"| {size:,} | {label} | {how} | {p50:.1f} | {p95:.1f} | {ratio:.2f} |")
            finally:
                selectors.story_search = new_search
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP INDEX {OLD_INDEX}")


if __name__ == "__main__":
    main()
