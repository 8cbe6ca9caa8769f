"""Export throughput (stories/s) and peak memory per format, for 1,000 and 10,000 stories, in one run.

Run: `.venv/bin/python benchmarks/export.py [--stories 10000] [--small 1000] [--write-docs]`.
Synthetic stories (~1,600 characters, 12 spans and 2 characters each, like a short annotated story) are
bulk-created in a throwaway SQLite database. Every measurement is `manage.py export` in its own
subprocess, so its peak RSS (getrusage) is its own; Django set-up is outside the timed part. The baseline,
measured in the same run, is the selector alone: reading the same stories with their spans and characters
and writing nothing. "Flat memory" means the 10,000-story peak is about the 1,000-story peak.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
RUNS = [
    ("baseline (read only)", None, []),
    ("jsonl", "jsonl", []),
    ("jsonl doccano", "jsonl", ["--flavor", "doccano"]),
    ("spacy .spacy (one DocBin)", "spacy", []),
    ("spacy .zip (DocBins of 1,000)", "spacy", ["--shard-size", "1000"]),
    ("conll", "conll", []),
    ("brat .zip", "brat", []),
    ("csv", "csv", []),
    ("csv per entity", "csv", ["--per-entity"]),
]
NAMES = ["Anna Petrova", "Boris Ivanov", "Lady Macbeth", "Noah Kalmurzaeva", "Ivan", "Madame Petrova"]
PLACES = ["Paris", "Almaty", "Zürich", "Oslo", "Saint Petersburg", "the Volga"]
FILLER = (
    "The evening was long and the snow fell without a sound over the roofs of the old town. "
    "Nobody spoke of the letter, though everyone had read it twice before supper. "
)


def setup_django(db_path: Path) -> None:
    os.environ.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="0",  # DEBUG would keep every query in memory and spoil the memory figures
        SECRET_KEY="benchmark-only",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def synthesise(total: int, small: int) -> None:
    """Create `total` approved stories; the first `small` are in batch "small", the rest in "large"."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from annotations.models import Character, Entity
    from stories.models import ImportBatch, Story
    from stories.services import text_sha256, word_count

    rng = random.Random(7)
    batches = {
        "small": ImportBatch.objects.create(name="small"),
        "large": ImportBatch.objects.create(name="large"),
    }
    for first in range(0, total, 1000):
        stories, plans = [], []
        for number in range(first, min(first + 1000, total)):
            parts, spans = [], []
            position = 0
            for sentence in range(6):
                name, place = rng.choice(NAMES), rng.choice(PLACES)
                piece = (
                    f"{name} walked to {place} with {rng.choice(NAMES)} (story {number}, part {sentence}). "
                )
                for covered, label in ((name, "PERSON"), (place, "GPE")):
                    start = position + piece.index(covered)
                    spans.append((start, start + len(covered), label, covered))
                parts.append(piece + FILLER)
                position += len(piece) + len(FILLER)
            text = "".join(parts).strip()
            stories.append(
                Story(
                    title=f"Story {number}",
                    text=text,
                    text_length=len(text),
                    sha256=text_sha256(text),
                    status="approved",
                    word_count=word_count(text),
                    batch=batches["small" if number < small else "large"],
                    source_name=f"synthetic/{number}.txt",
                )
            )
            plans.append(spans)
        Story.objects.bulk_create(stories)
        characters, annotations = [], []
        for story, spans in zip(stories, plans, strict=True):
            characters += [
                Character(story=story, name=NAMES[0], gender="female"),
                Character(story=story, name=NAMES[1]),
            ]
            for start, end, label, covered in spans:
                annotations.append(
                    Entity(
                        story=story,
                        start=start,
                        end=end,
                        text=covered,
                        label_id=label,
                        origin="model",
                        review_state="accepted",
                        model_start=start,
                        model_end=end,
                        model_label=label,
                    )
                )
        Character.objects.bulk_create(characters)
        Entity.objects.bulk_create(annotations, ignore_conflicts=True)


def child(db_path: Path, fmt: str | None, extra: list[str], batch: str, output: Path) -> None:
    """One measurement: prints {"seconds", "stories", "peak_mb"} as JSON."""
    setup_django(db_path)
    from django.core.management import call_command

    from interchange.selectors.export import ExportFilters, export_stories

    filters = ["--batch", batch] if batch != "all" else []
    if fmt is not None:  # set-up, not throughput: import the writer (spaCy takes seconds) and its tokenizer
        from interchange.writers import get_format
        from interchange.writers.tokens import tokenizer_nlp

        get_format(fmt).writer()
        if fmt in ("spacy", "conll"):
            tokenizer_nlp()
    started = time.perf_counter()
    if fmt is None:
        stories = sum(
            1 for _ in export_stories(filters=ExportFilters(batch=None if batch == "all" else batch))
        )
    else:
        call_command("export", "--format", fmt, *extra, *filters, "-o", str(output), verbosity=0)
        stories = None
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "stories": stories,
                "peak_mb": peak,
                "bytes": output.stat().st_size if fmt else 0,
            }
        )
    )


def measure(db_path: Path, fmt: str | None, extra: list[str], batch: str, output: Path) -> dict:
    args = [sys.executable, __file__, "--child", str(db_path), fmt or "-", batch, str(output), *extra]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"measurement failed: {' '.join(args)}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        db_path, fmt, batch, output, *extra = sys.argv[2:]
        child(Path(db_path), None if fmt == "-" else fmt, extra, batch, Path(output))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--write-docs", action="store_true", help="Append the table to docs/benchmarks.md.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fabula-export-bench-") as tmp:
        db_path = Path(os.environ.get("EXPORT_BENCH_DB") or Path(tmp) / "bench.sqlite3")
        started = time.perf_counter()
        setup_django(db_path)
        synthesise(options.stories, options.small)
        print(
            f"synthesised {options.stories:,} stories in {time.perf_counter() - started:.1f}s",
            file=sys.stderr,
        )
        rows = []
        for label, fmt, extra in RUNS:
            suffix = ".zip" if "--shard-size" in extra or fmt == "brat" else ""
            small = measure(db_path, fmt, extra, "small", Path(tmp) / f"out-small{suffix}")
            large = measure(db_path, fmt, extra, "all", Path(tmp) / f"out-large{suffix}")
            rows.append((label, small, large))
            print(
                f"{label}: {options.stories / large['seconds']:,.0f} stories/s, "
                f"peak {small['peak_mb']:.0f} → {large['peak_mb']:.0f} MB",
                file=sys.stderr,
            )
    table = report(rows, options)
    print(table)
    if options.write_docs:
        write_docs(table)


def report(rows, options) -> str:
    baseline = options.stories / rows[0][2]["seconds"]
    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite; {time.strftime('%Y-%m-%d')}.",
        f"Command: `.venv/bin/python benchmarks/export.py --stories {options.stories} "
        f"--small {options.small}`",
        "",
        f"| format | stories/s ({options.stories:,}) | vs baseline | output MB | peak RSS {options.small:,} "
        f"→ {options.stories:,} (MB) | growth |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, small, large in rows:
        rate = options.stories / large["seconds"]
        lines.append(
            f"| {label} | {rate:,.0f} | {rate / baseline:.2f} | {large['bytes'] / 1e6:.1f} | "
            f"{small['peak_mb']:.0f} → {large['peak_mb']:.0f} | {large['peak_mb'] / small['peak_mb']:.2f}× |"
        )
    return "\n".join(lines)


def write_docs(table: str) -> None:
    heading = "## Export"
    text = DOCS.read_text("utf-8") if DOCS.exists() else "# Benchmarks\n"
    section = f"{heading}\n\n{__doc__.strip()}\n\n{table}\n"
    if heading in text:
        before, _, after = text.partition(heading)
        rest = after.split("\n## ", 1)
        text = before + section + ("\n## " + rest[1] if len(rest) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOCS.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
