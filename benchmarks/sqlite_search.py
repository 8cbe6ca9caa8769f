"""Benchmark SQLite's search fallback (LIKE over the title and text) as the collection grows.

Fills a throwaway SQLite database with the generated corpus (benchmarks/corpus.py) to each size and
times the story list through Django's test client: bare, a common word, a phrase, and search plus sort,
as benchmarks/scale.py does on PostgreSQL. Each figure's ratio is against the same page at the first
size in the same run. It answers whether SQLite's FTS5 would serve better than LIKE.

    .venv/bin/python benchmarks/sqlite_search.py [--sizes 1000,10000] [--rounds 15]
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

PAGES = [
    ("story list", {}),
    ("search: common word ballet", {"q": "ballet"}),
    ('search: phrase "the old theatre"', {"q": '"the old theatre"'}),
    ("search + sort by entities", {"q": "ballet", "sort": "-entities"}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='fabula-search-')}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from benchmarks.corpus import generate
    from tests.factories import make_user

    settings.ALLOWED_HOSTS, settings.DEBUG = ["testserver"], False
    call_command("migrate", verbosity=0)
    client = Client()
    client.force_login(make_user("editor", username="bench"))
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite; "
          f"load average {os.getloadavg()[0]:.1f}; {args.rounds} requests per figure")  # fmt: skip
    print("| stories | page | p50 ms | p95 ms | p95 vs first size |\n|---|---|---:|---:|---:|")
    first: dict[str, float] = {}
    have = 0
    for size in (int(s) for s in args.sizes.split(",")):
        generate(size - have, seed=have + 7, progress=False)
        have = size
        for name, params in PAGES:
            for _ in range(3):
                client.get("/", params)
            samples = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                response = client.get("/", params)
                samples.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.status_code
            samples.sort()
            p50, p95 = statistics.median(samples), samples[round(0.95 * (len(samples) - 1))]
            first.setdefault(name, p95)
            print(f"| {size:,} | {name} | {p50:.1f} | {p95:.1f} | {p95 / first[name]:.2f} |")


if __name__ == "__main__":
    main()
