"""Benchmark single-annotator editing before and after annotation layers, in one run.

Runs benchmarks/reader.py (synthetic spans) alternately against a checkout of the code before layers
(`--before`, e.g. a temporary `git worktree add /work/wt-before main`) and this checkout, `--pairs`
times each, with this checkout's Python, and prints each run's pooled edit p50/p95 (wall and CPU) and
the CPU ratio against the trivial view measured in the same process, then the after/before ratios.

    .venv/bin/python benchmarks/layers.py --before /work/wt-before [--pairs 2] [--rounds 60]

Target: the single-mode edit p95 stays within noise of the code before layers (and under 15 ms).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(
    r"^\| any edit \(all three pooled\) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+)×"
)


def run(checkout: Path, rounds: int) -> list[tuple[float, ...]]:
    """[(p50, p95, cpu p50, cpu p95, cpu ratio)] for the sample story and the 1 MB novel."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, str(checkout / "benchmarks" / "reader.py"), "--synthetic", "--rounds", str(rounds)],
        cwd=checkout, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return [tuple(float(x) for x in m.groups()) for line in out.splitlines() if (m := ROW.match(line))]


def ratio(after: list, before: list, column: int) -> float:
    """The median of `column` over the after runs, divided by its median over the before runs."""
    return statistics.median(r[column] for r in after) / statistics.median(r[column] for r in before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, type=Path, help="A checkout of the code before layers.")
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    results: dict[str, list] = {"before": [], "after": []}
    print(f"# load average at start {os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs; rounds={args.rounds}")
    print("| run | code | story | p50 ms | p95 ms | CPU p50 | CPU p95 | CPU p50 / baseline |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for pair in range(args.pairs):
        for name, checkout in (("before", args.before.resolve()), ("after", ROOT)):
            rows = run(checkout, args.rounds)
            results[name].append(rows)
            for story, row in zip(("sample", "1 MB"), rows, strict=True):
                print(
                    f"| {pair + 1} | {name} | {story} | "
                    + " | ".join(f"{v:.1f}" for v in row[:4])
                    + f" | {row[4]:.1f}× |"
                )
    print()
    for index, story in enumerate(("sample", "1 MB")):
        before = [rows[index] for rows in results["before"]]
        after = [rows[index] for rows in results["after"]]

        print(
            f"{story}: after/before: wall p95 {ratio(after, before, 1):.2f}, CPU p95 "
            f"{ratio(after, before, 3):.2f}, CPU p50 per baseline {ratio(after, before, 4):.2f}"
        )


if __name__ == "__main__":
    main()
