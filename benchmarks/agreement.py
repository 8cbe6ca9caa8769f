"""Agreement over N double-annotated stories (default 1,000), in seconds, against tokenising them alone.

Stories are ~2,500-character pieces of LitBank (Bamman et al., CC BY 4.0): ../shared/litbank if it is
there, else the two documents shipped in tests/fixtures/litbank, cycled. Each annotator's layer is
LitBank's entity spans with seeded noise (spans dropped, relabelled, widened by a word, added), so the
figures sit where real double annotation does (κ around 0.8). No database: this times nlp.agreement.

    .venv/bin/python benchmarks/agreement.py [--stories 1000] [--annotators 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.litbank import LITBANK_DIR, document_names, read_document  # noqa: E402
from nlp.agreement import StoryLayers, agreement, token_bounds  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "litbank"
PIECE = 2500


def _source() -> tuple[Path, list[str]]:
    for root in (LITBANK_DIR, FIXTURES):
        if (root / "entities" / "brat").is_dir() and document_names(root):
            return root, document_names(root)
    # The fixtures ship flat (name.txt + name.ann, no coreference layer).
    return FIXTURES, []


def _documents() -> list[tuple[str, list[tuple[int, int, str]]]]:
    root, names = _source()
    if names:
        docs = [read_document(name, root) for name in names]
        return [(d.text, [(e.start, e.end, e.label) for e in d.entities]) for d in docs]
    out = []
    for txt in sorted(FIXTURES.glob("*_brat.txt")):
        text = txt.read_text(encoding="utf-8")
        spans = []
        for line in txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines():
            if line.startswith("T"):
                label, start, end = line.split("\t")[1].split(" ")[:3]
                spans.append((int(start), int(end), label))
        out.append((text, spans))
    return out


def pieces(count: int) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """`count` texts of about PIECE characters, cut at line ends, each with the LitBank spans inside it."""
    out: list[tuple[str, list[tuple[int, int, str]]]] = []
    documents = _documents()
    while len(out) < count:
        for text, spans in documents:
            start = 0
            while start < len(text) and len(out) < count:
                end = text.find("\n", start + PIECE)
                end = len(text) if end == -1 else end + 1
                inside = [(s - start, e - start, label) for s, e, label in spans if start <= s and e <= end]
                out.append((text[start:end], inside))
                start = end
    return out


def noisy(text: str, spans, rng: random.Random):
    """One annotator's take on the gold spans: 8% dropped, 5% relabelled, 8% widened by a word, 3% added."""
    labels = sorted({label for _s, _e, label in spans}) or ["PER"]
    out = []
    for start, end, label in spans:
        roll = rng.random()
        if roll < 0.08:
            continue
        if roll < 0.13:
            label = rng.choice(labels)
        elif roll < 0.21:
            nxt = text.find(" ", end + 1)
            end = nxt if nxt != -1 else end
        out.append((start, end, label))
    words = [i + 1 for i, ch in enumerate(text) if ch == " "]
    for _ in range(max(0, round(len(spans) * 0.03))):
        at = rng.choice(words) if words else 0
        stop = text.find(" ", at)
        if stop > at:
            out.append((at, stop, rng.choice(labels)))
    return out


def build(count: int, annotators: int, seed: int = 11) -> list[StoryLayers]:
    rng = random.Random(seed)
    names = [f"annotator{n}" for n in range(1, annotators + 1)]
    return [
        StoryLayers(i, text, {name: noisy(text, spans, rng) for name in names}, title=f"piece {i}")
        for i, (text, spans) in enumerate(pieces(count))
    ]


def best_of(repeat: int, run) -> tuple[float, float, object]:
    """(best wall seconds, best CPU seconds, last result): CPU time is what a loaded machine blurs least."""
    walls, cpus, value = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        value = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--annotators", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    root, _names = _source()
    stories = build(args.stories, args.annotators)
    chars = sum(len(s.text) for s in stories)
    spans = sum(len(layer) for s in stories for layer in s.layers.values())
    # Warm: import spaCy, scikit-learn and krippendorff, and build the tokenizer, outside the timings.
    agreement(stories[:5])

    texts = [s.text for s in stories]
    base_wall, base_cpu, _ = best_of(args.repeat, lambda: sum(len(b[0]) for b in token_bounds(texts)))
    pooled_wall, pooled_cpu, _ = best_of(args.repeat, lambda: agreement(stories, per_story=False))
    wall, cpu, result = best_of(args.repeat, lambda: agreement(stories))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"source: {root}; load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{len(stories):,} stories, {args.annotators} annotators, {chars:,} characters, "
          f"{result.figures.tokens:,} tokens, {spans:,} spans; best of {args.repeat}")  # fmt: skip
    print("| step | wall s | CPU s | CPU vs tokenising |")
    print("|---|---:|---:|---:|")
    for name, w, c in [
        ("tokenise only (baseline)", base_wall, base_cpu),
        ("agreement: pairs and labels (the command)", pooled_wall, pooled_cpu),
        ("agreement: and every story's figures (the page)", wall, cpu),
    ]:
        print(f"| {name} | {w:.2f} | {c:.2f} | {c / base_cpu:.2f} |")
    print(f"peak RSS {peak_mb:.0f} MB; κ {result.figures.kappa:.3f}, α {result.figures.alpha:.3f}, "
          f"exact F1 {result.figures.exact_f1:.3f}, overlap F1 {result.figures.overlap_f1:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
