"""Extraction quality on LitBank: stock spaCy against Fabula's pipeline (get_nlp + extract), same run.

Run: `.venv/bin/python benchmarks/extraction.py [--split test|dev|all] [--show-errors N]`.
Scores proper-name entities (exact span match), character clustering (B-cubed) and gender against
LitBank's gold layers, plus checks on the sample stories the product was designed from. Targets are
reported on the test split (the 20 file names that sort last), which is never used for tuning.
Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

import spacy  # noqa: E402
from django.conf import settings  # noqa: E402

from benchmarks.litbank import LitBankDoc, read_document, split  # noqa: E402
from nlp.extraction import extract  # noqa: E402
from nlp.loading import get_nlp  # noqa: E402
from nlp.windows import StoryDocs, pipe_windows  # noqa: E402

# spaCy's OntoNotes labels → LitBank's ACE labels. NORP ("French", "Christians") has no LitBank
# counterpart (LitBank tags nationalities only when they act as a GPE), so it is left unmapped.
LABEL_MAP = {"PERSON": "PER", "GPE": "GPE", "LOC": "LOC", "FAC": "FAC", "ORG": "ORG"}
SCORED = ("PER", "GPE", "LOC", "FAC", "ORG")
MALE = {"he", "him", "his", "himself"}
FEMALE = {"she", "her", "hers", "herself"}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_entities(docs: list[LitBankDoc], predictions: list[set[tuple[int, int, str]]]) -> dict:
    counts = {label: Counter() for label in SCORED}
    for doc, predicted in zip(docs, predictions, strict=True):
        gold = doc.proper_entities(SCORED)
        for label in SCORED:
            g = {s for s in gold if s[2] == label}
            p = {s for s in predicted if s[2] == label}
            counts[label]["tp"] += len(g & p)
            counts[label]["fp"] += len(p - g)
            counts[label]["fn"] += len(g - p)
    return {label: prf(c["tp"], c["fp"], c["fn"]) + (c["tp"] + c["fn"],) for label, c in counts.items()}


def bcubed(gold: dict, predicted: dict) -> tuple[float, float, float]:
    """B-cubed over the items both clusterings contain; gold/predicted map item -> cluster id."""
    items = [i for i in gold if i in predicted]
    if not items:
        return 0.0, 0.0, 0.0
    gold_members, pred_members = defaultdict(set), defaultdict(set)
    for i in items:
        gold_members[gold[i]].add(i)
        pred_members[predicted[i]].add(i)
    p = r = 0.0
    for i in items:
        g, s = gold_members[gold[i]], pred_members[predicted[i]]
        both = len(g & s)
        p += both / len(s)
        r += both / len(g)
    p, r = p / len(items), r / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def gold_clusters(doc: LitBankDoc) -> dict:
    return {(m.start, m.end): m.chain for m in doc.mentions if m.kind == "PROP" and m.category == "PER"}


def gold_genders(doc: LitBankDoc) -> dict[str, str]:
    """Chain id -> female/male for PER chains with at least 3 gendered pronouns (the majority wins)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for m in doc.mentions:
        word = doc.text[m.start : m.end].lower()
        if m.kind == "PRON" and word in MALE | FEMALE:
            votes[m.chain]["male" if word in MALE else "female"] += 1
    return {chain: v.most_common(1)[0][0] for chain, v in votes.items() if sum(v.values()) >= 3}


def run(names: list[str], *, show_errors: int = 0) -> dict:
    docs = [read_document(n) for n in names]
    model = settings.SPACY_MODEL
    stock_nlp = spacy.load(model, exclude=list(settings.SPACY_EXCLUDE))  # no Fabula hooks
    fabula_nlp = get_nlp(model)
    results: dict = {"docs": len(docs)}

    started = time.perf_counter()
    stock = [
        {(e.start_char, e.end_char, LABEL_MAP[e.label_]) for e in d.ents if e.label_ in LABEL_MAP}
        for d in stock_nlp.pipe(doc.text for doc in docs)
    ]
    results["stock_seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    extractions = [extract(sd) for sd in pipe_windows(((doc.text, doc.name) for doc in docs), nlp=fabula_nlp)]
    results["fabula_seconds"] = time.perf_counter() - started
    results.update(evaluate(docs, stock, extractions, show_errors=show_errors))
    return results


def evaluate(docs: list[LitBankDoc], stock: list[set], extractions: list, *, show_errors: int = 0) -> dict:
    results: dict = {"docs": len(docs)}
    fabula = [
        {(s.start, s.end, LABEL_MAP[s.label]) for s in ex.spans if s.label in LABEL_MAP} for ex in extractions
    ]
    results["stock"] = score_entities(docs, stock)
    results["fabula"] = score_entities(docs, fabula)

    # Characters: B-cubed over gold proper-name PER mentions. "detected" = only mentions Fabula found with
    # exact offsets (clustering quality on its own); "all" = missed mentions count as singletons.
    # The baseline clusters by exact surface string, which is what one gets without any clustering.
    gold_all, pred_detected, pred_all, base = {}, {}, {}, {}
    gender_total = gender_ok = gender_matched = 0
    for k, (doc, ex) in enumerate(zip(docs, extractions, strict=True)):
        gold = gold_clusters(doc)
        span_character = {(s.start, s.end): s.character for s in ex.spans if s.character is not None}
        for span, chain in gold.items():
            gold_all[(k, span)] = (k, chain)
            base[(k, span)] = (k, doc.text[span[0] : span[1]])
            if span in span_character:
                pred_detected[(k, span)] = (k, span_character[span])
                pred_all[(k, span)] = (k, span_character[span])
            else:
                pred_all[(k, span)] = (k, "missed", span)
        named = {m.chain for m in doc.mentions if m.kind == "PROP" and m.category == "PER"}
        for chain, gender in gold_genders(doc).items():
            if chain not in named:
                continue  # a character Fabula could know has a name; "the old man" is not one
            gender_total += 1
            characters = Counter(
                span_character[(m.start, m.end)]
                for m in doc.mentions
                if m.chain == chain and m.kind == "PROP" and (m.start, m.end) in span_character
            )
            if not characters:
                continue
            gender_matched += 1
            predicted = ex.characters[characters.most_common(1)[0][0]].gender
            gender_ok += predicted == gender
            if predicted != gender and show_errors:
                print(f"  gender {doc.name}: {chain} gold {gender}, predicted {predicted}")
    results["bcubed_detected"] = bcubed(gold_all, pred_detected)
    results["bcubed_all"] = bcubed(gold_all, pred_all)
    results["bcubed_string_baseline"] = bcubed(gold_all, base)
    results["bcubed_coverage"] = (len(pred_detected), len(gold_all))
    results["gender"] = (gender_ok, gender_matched, gender_total)

    if show_errors:
        for doc, pred in zip(docs, fabula, strict=True):
            gold = {s for s in doc.proper_entities(SCORED) if s[2] == "PER"}
            pred = {s for s in pred if s[2] == "PER"}
            fps = [doc.text[s:e] for s, e, _ in sorted(pred - gold)][:show_errors]
            fns = [doc.text[s:e] for s, e, _ in sorted(gold - pred)][:show_errors]
            print(f"  {doc.name}\n    FP {fps}\n    FN {fns}")
    return results


SAMPLE_CHECKS = [
    # (file, text, label it must NOT have, label it should have or None)
    ("000_4e5102402ef939e4.txt", "Swan Lake", "ORG", "WORK_OF_ART"),
    ("002_3644c97cb6daeaa2.txt", "Swan Lake", "ORG", "WORK_OF_ART"),
    ("002_3644c97cb6daeaa2.txt", "Natalia", "GPE", None),
    ("002_3644c97cb6daeaa2.txt", "Makarova", "DATE", None),
    ("003_82bd803467e94874.txt", "Noah Kalmurzaeva", "ORG", "PERSON"),
]


def sample_checks() -> list[tuple[str, bool, bool]]:
    """For each sample-story example: (description, stock passes, Fabula passes); La Sylphide too."""
    samples = ROOT / "data" / "samples"
    stock_nlp = spacy.load(settings.SPACY_MODEL, exclude=list(settings.SPACY_EXCLUDE))
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(samples.glob("*.txt"))}
    sylphide = [name for name, text in texts.items() if "La Sylphide" in text]
    checks = SAMPLE_CHECKS + [(name, "La Sylphide", "GPE", None) for name in sylphide]
    fabula = {sd.context: extract(sd) for sd in pipe_windows((t, n) for n, t in texts.items())}
    rows = []
    for name, surface, bad, good in checks:
        text = texts[name]
        stock = {(e.start_char, e.end_char, e.label_) for e in stock_nlp(text).ents}
        ours = {(s.start, s.end, s.label) for s in fabula[name].spans}

        def passes(spans, surface=surface, text=text, bad=bad, good=good):
            found = [label for s, e, label in spans if text[s:e] == surface]
            return bad not in found and (good is None or good in found)

        description = f"{surface!r} in {name}: not {bad}" + (f", is {good}" if good else "")
        rows.append((description, passes(stock), passes(ours)))
    return rows


def report(results: dict, split_name: str) -> str:
    lines = [
        f"LitBank {split_name} split ({results['docs']} documents), exact span match, proper names only",
        "",
        "| label | gold | stock P | stock R | stock F1 | Fabula P | Fabula R | Fabula F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label in SCORED:
        s, f = results["stock"][label], results["fabula"][label]
        lines.append(
            f"| {label} | {s[3]} | {s[0]:.3f} | {s[1]:.3f} | {s[2]:.3f} "
            f"| {f[0]:.3f} | {f[1]:.3f} | {f[2]:.3f} |"
        )
    detected, total = results["bcubed_coverage"]
    ok, matched, total_g = results["gender"]
    lines += [
        "",
        f"- Character clustering B-cubed (P/R/F1) over the {detected} of {total} gold proper-name PER "
        f"mentions Fabula detected: {'/'.join(f'{x:.3f}' for x in results['bcubed_detected'])}",
        f"- Same, missed mentions counted as singletons: "
        f"{'/'.join(f'{x:.3f}' for x in results['bcubed_all'])}",
        f"- Baseline, one cluster per exact surface string: "
        f"{'/'.join(f'{x:.3f}' for x in results['bcubed_string_baseline'])}",
        f"- Gender accuracy on named gold characters with >= 3 gendered pronouns: {ok}/{matched} = "
        f"{ok / matched if matched else 0:.3f} of those Fabula found ({matched} of {total_g}); "
        f"{ok / total_g if total_g else 0:.3f} counting the unfound as wrong",
        f"- Wall time (not a throughput benchmark; see Ingest): stock {results['stock_seconds']:.1f}s, "
        f"Fabula {results['fabula_seconds']:.1f}s",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    parser.add_argument("--show-errors", type=int, default=0, help="print up to N errors per document")
    parser.add_argument("--no-samples", action="store_true")
    args = parser.parse_args()
    dev, test = split()
    names = {"test": test, "dev": dev, "all": dev + test}[args.split]
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}, "
        f"spaCy {spacy.__version__}, model {settings.SPACY_MODEL}"
    )
    print(report(run(names, show_errors=args.show_errors), args.split))
    if not args.no_samples:
        print("\n| sample check | stock | Fabula |\n|---|---|---|")
        for description, stock_ok, ours_ok in sample_checks():
            print(f"| {description} | {'pass' if stock_ok else 'FAIL'} | {'pass' if ours_ok else 'FAIL'} |")


if __name__ == "__main__":
    main()


__all__ = ["StoryDocs", "bcubed", "prf", "run"]
