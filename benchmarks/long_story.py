"""Long stories: peak memory and exact offsets of get_nlp + pipe_windows + extract on whole novels.

Run: `.venv/bin/python benchmarks/long_story.py [PATH ...] [--batch-size N ...]` (default: the LitBank
novels Pride and Prejudice and Middlemarch, with settings.SPACY_BATCH_SIZE windows per batch). Each
novel runs in a fresh child process so its peak RSS is its own. The baseline, measured in the same
child, is the RSS with the pipeline loaded and nothing processed. Offsets are checked exactly: every
window's text is the story text at its offset, and no span is empty or has edge whitespace.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOVELS = ROOT.parent / "shared" / "litbank" / "novels"
DEFAULT = [NOVELS / "1342_pride_and_prejudice.txt", NOVELS / "145_middlemarch.txt"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def child(path: str, batch_size: int | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    from nlp.extraction import extract
    from nlp.loading import get_nlp
    from nlp.windows import pipe_windows

    text = Path(path).read_text(encoding="utf-8")
    nlp = get_nlp(settings.SPACY_MODEL)
    nlp("warm up")
    loaded = peak_mb()
    started = time.perf_counter()
    story = next(pipe_windows([(text, path)], nlp=nlp, batch_size=batch_size))
    result = extract(story)
    seconds = time.perf_counter() - started
    bad = 0
    for span in result.spans:
        surface = text[span.start : span.end]
        bad += surface != surface.strip() or not surface
    # Every window's doc text is the story text at its offset: offsets are exact by construction.
    bad += sum(doc.text != text[offset : offset + len(doc.text)] for offset, doc in story.windows)
    print(
        json.dumps(
            {
                "file": Path(path).name,
                "batch_size": batch_size or settings.SPACY_BATCH_SIZE,
                "bytes": len(text.encode()),
                "words": len(text.split()),
                "windows": len(story.windows),
                "spans": len(result.spans),
                "characters": len(result.characters),
                "top": [c.name for c in result.characters[:3]],
                "loaded_mb": round(loaded),
                "peak_mb": round(peak_mb()),
                "seconds": round(seconds, 1),
                "offset_errors": bad,
            }
        )
    )


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]) or None)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument(
        "--batch-size", type=int, action="append", help="windows per nlp.pipe batch (repeatable; 0 = setting)"
    )
    args = parser.parse_args()
    paths, sizes = args.paths, args.batch_size or [0]
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}")
    header = [
        "story",
        "batch (windows)",
        "size",
        "words",
        "windows",
        "pipeline loaded",
        "peak RSS",
        "peak / loaded",
        "time",
    ]
    print("| " + " | ".join([*header, "offset errors"]) + " |")
    print("|---" * (len(header) + 1) + "|")
    for path, size in ((p, b) for p in paths for b in sizes):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path), str(size)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        ratio = r["peak_mb"] / r["loaded_mb"]
        print(
            f"| {r['file']} | {r['batch_size']} | {r['bytes'] / 1e6:.2f} MB | {r['words']} | {r['windows']} "
            f"| {r['loaded_mb']} MB | {r['peak_mb']} MB | {ratio:.2f} | {r['seconds']} s "
            f"| {r['offset_errors']} |"
        )
        print(f"<!-- {r['file']}: {r['spans']} spans, {r['characters']} characters, top {r['top']} -->")


if __name__ == "__main__":
    main()
