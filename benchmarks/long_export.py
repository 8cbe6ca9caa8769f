"""Benchmark exporting one long story: spaCy DocBin and CoNLL of a 1 MB novel against JSONL, one run.

The story is Middlemarch (LitBank, CC BY 4.0) cut at a paragraph break before 1,000,000 characters,
with an entity on every capitalised word of four or more letters (about 7,000), and every tenth one
moved to end inside a token, so the writers' token-splitting path is exercised as a real export's
would be. Each format goes through its writer exactly as `manage.py export` calls it; the baseline is
the JSONL writer on the same story in the same run.

    .venv/bin/python benchmarks/long_export.py [--rounds 3]

Target: spaCy and CoNLL exports of the 1 MB story in under 20 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NOVEL = ROOT.parent / "shared" / "litbank" / "novels" / "145_middlemarch.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from interchange.selectors.export import ExportEntity, ExportStory
    from interchange.writers import ExportOptions, conll, jsonl, spacy_docbin

    text = NOVEL.read_text(encoding="utf-8")[:1_000_000]
    text = text[: text.rindex("\n\n")]
    entities = []
    for n, match in enumerate(re.finditer(r"\b[A-Z][a-z]{3,}\b", text)):
        end = match.end() - 1 if n % 10 == 0 else match.end()  # ends inside the token
        entities.append(ExportEntity(match.start(), end, "PERSON", text[match.start() : end], "model", None))
    story = ExportStory(1, "Middlemarch", text, entities, [], {})
    options = ExportOptions()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"# {len(text):,} characters, {len(entities):,} entities; best of {args.rounds} rounds")
    print("| format | seconds | vs JSONL | output MB |")
    print("|---|---:|---:|---:|")
    baseline = None
    for name, writer in (("jsonl (baseline)", jsonl), ("spaCy DocBin", spacy_docbin), ("CoNLL", conll)):
        best, size = float("inf"), 0
        for _ in range(args.rounds):
            start = time.perf_counter()
            chunks = writer.write([story], options=options, warn=lambda *a, **k: None)
            size = sum(len(chunk) for chunk in chunks)
            best = min(best, time.perf_counter() - start)
        baseline = baseline or best
        print(f"| {name} | {best:.2f} | {best / baseline:.1f}× | {size / 1e6:.1f} |")


if __name__ == "__main__":
    main()
