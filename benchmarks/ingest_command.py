"""`manage.py ingest FILE --no-extract` of N generated stories, whole command, against a baseline checkout.

Each round writes new stories (benchmarks/corpus.py's generator, one JSONL file as benchmarks/doccano.py
writes it) and runs the command once per checkout, in a fresh process (Django start-up included), in
alternating order; wall clock from exec to exit and the command's CPU (rusage of the child). Each
checkout uses its own venv and its own database (migrated first), with the production settings
benchmarks/doccano.py uses:

    .venv/bin/python benchmarks/ingest_command.py --baseline /work/main \
        --database-url postgres://postgres@127.0.0.1:5432/fabula_ingest_branch \
        --baseline-database-url postgres://postgres@127.0.0.1:5432/fabula_ingest_main --rounds 7
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.doccano import fabula_environment, write_stories  # noqa: E402


def run_ingest(root: Path, environment: dict[str, str], path: Path, batch: str) -> tuple[float, float]:
    """(seconds from exec to exit, CPU seconds) of one `ingest --no-extract` in `root`'s own venv."""
    command = [str(root / ".venv" / "bin" / "python"), "manage.py", "ingest", str(path), "--no-extract"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([*command, "--batch", batch, "-v", "0"], cwd=root, env=environment, check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other checkout (with its .venv)")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--baseline-database-url", required=True)
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=None, help="default: from the clock, so texts are new")
    args = parser.parse_args()
    sides = {
        "baseline": (args.baseline.resolve(), fabula_environment(args.baseline_database_url)),
        "this": (ROOT, fabula_environment(args.database_url)),
    }
    for root, environment in sides.values():
        # Untimed: the schema, and the bytecode caches the timed commands then find.
        subprocess.run([str(root / ".venv/bin/python"), "manage.py", "migrate", "-v", "0"], cwd=root,
                       env=environment, check=True)  # fmt: skip
    seed = args.seed if args.seed is not None else int(time.time()) % 1_000_000
    tmp = Path(tempfile.mkdtemp(prefix="fabula-ingest-command-"))
    print(
        f"# ingest --no-extract of {args.stories:,} stories · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()} · load average {os.getloadavg()[0]:.2f} at start · seed {seed}"
    )
    print("| round | baseline s | this s | baseline CPU s | this CPU s |\n|---|---:|---:|---:|---:|")
    rows = []
    for round_ in range(args.rounds):
        path = tmp / f"stories-{round_}.jsonl"
        write_stories(path, args.stories, seed * 100 + round_)
        order = ["baseline", "this"] if round_ % 2 == 0 else ["this", "baseline"]
        figures = {}
        for side in order:
            root, environment = sides[side]
            figures[side] = run_ingest(root, environment, path, f"ingest-command {seed}-{round_}")
        rows.append((*figures["baseline"], *figures["this"]))
        (bw, bc), (tw, tc) = figures["baseline"], figures["this"]
        print(f"| {round_ + 1} | {bw:.2f} | {tw:.2f} | {bc:.2f} | {tc:.2f} |")
    bw, bc, tw, tc = (statistics.median(row[i] for row in rows) for i in range(4))
    print(f"| **median** | **{bw:.2f}** | **{tw:.2f}** | **{bc:.2f}** | **{tc:.2f}** |")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
