"""Extraction quality on LitBank: stock spaCy against Fabula's pipeline (get_nlp + extract), same run.

Run: `.venv/bin/python benchmarks/extraction.py --round [--folds 4] [--throughput 30]` for a round's
figures: cross-validation on the 80 development documents (the fitted name model is re-fitted on the other
folds for each held-out fold) and the test split once, both against stock spaCy in the same run, and
ingest throughput against raw spaCy as whole processes. `--split test|dev|all` scores one split with the
shipped weights (`--show-errors N` prints errors; never use it on the test split). Scores proper-name
entities (exact span match), character clustering (B-cubed) and gender against LitBank's gold layers,
plus checks on the sample stories. Fabula is scored with every layer (LAYERS: LitBank's noun-phrase
boundaries included) and with the product's DEFAULT_LAYERS (names without describing words).
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

from benchmarks.litbank import LITBANK_DIR, LitBankDoc, read_document, split  # noqa: E402
from nlp.extraction import DEFAULT_LAYERS, LAYERS, extract, name_types  # noqa: E402
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


def parse(docs: list[LitBankDoc]) -> tuple[list[set], list[StoryDocs], float, float]:
    """(stock spaCy's entities, Fabula's spaCy output, stock seconds, Fabula spaCy seconds) for docs."""
    model = settings.SPACY_MODEL
    stock_nlp = spacy.load(model, exclude=list(settings.SPACY_EXCLUDE))  # no Fabula hooks
    started = time.perf_counter()
    stock = [
        {(e.start_char, e.end_char, LABEL_MAP[e.label_]) for e in d.ents if e.label_ in LABEL_MAP}
        for d in stock_nlp.pipe(doc.text for doc in docs)
    ]
    stock_seconds = time.perf_counter() - started
    started = time.perf_counter()
    sds = list(pipe_windows(((doc.text, doc.name) for doc in docs), nlp=get_nlp(model)))
    return stock, sds, stock_seconds, time.perf_counter() - started


def run(names: list[str], *, show_errors: int = 0, layers=LAYERS) -> dict:
    docs = [read_document(n) for n in names]
    stock, sds, stock_seconds, spacy_seconds = parse(docs)
    started = time.perf_counter()
    extractions = [extract(sd, frozenset(layers)) for sd in sds]
    results = evaluate(docs, stock, extractions, show_errors=show_errors)
    results["stock_seconds"] = stock_seconds
    results["fabula_seconds"] = spacy_seconds + time.perf_counter() - started
    return results


def cross_validated(docs: list[LitBankDoc], sds: list[StoryDocs], folds: int, layers) -> list:
    """Extractions of every document with the name model fitted on the other folds only (document i is
    in fold i % folds), so no document is scored by weights that saw it."""
    import json
    import tempfile

    from benchmarks.fit_name_types import training_matrix
    from nlp.extraction.name_types_fit import fit

    shipped = json.loads(Path(settings.FABULA_NAME_TYPES).read_text(encoding="utf-8"))
    extractions: list = [None] * len(docs)
    saved = settings.FABULA_NAME_TYPES
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(folds):
            held = [i for i in range(len(docs)) if i % folds == fold]
            train = [i for i in range(len(docs)) if i % folds != fold]
            x, y, w = training_matrix([docs[i] for i in train], [sds[i] for i in train])
            weights = Path(tmp) / f"fold{fold}.json"
            model = {**shipped, "weights": [float(b) for b in fit(x, y, w)], "provenance": {"fold": fold}}
            weights.write_text(json.dumps(model), encoding="utf-8")
            settings.FABULA_NAME_TYPES = str(weights)
            name_types.load_weights.cache_clear()
            for i in held:
                extractions[i] = extract(sds[i], frozenset(layers))
    settings.FABULA_NAME_TYPES = saved
    name_types.load_weights.cache_clear()
    return extractions


def throughput(count: int) -> dict:
    """Whole processes over the first `count` development texts, best of 2 each, alternating: raw spaCy
    (load, nlp.pipe, tok2vec + ner) against `manage.py ingest` (load, read, extract, store into a
    migrated throwaway SQLite database). Wall and CPU seconds of each child process."""
    import resource
    import subprocess
    import tempfile

    dev, _ = split()
    raw_script = (
        "import sys, spacy\n"
        "from pathlib import Path\n"
        "sys.path.insert(0, '.')\n"
        "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.dev')\n"
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "nlp = spacy.load(settings.SPACY_MODEL, exclude=list(settings.SPACY_EXCLUDE))\n"
        "texts = [p.read_text(encoding='utf-8') for p in sorted(Path(sys.argv[1]).glob('*.txt'))]\n"
        "print(sum(len(d.ents) for d in nlp.pipe(texts, batch_size=8)))\n"
    )

    def timed(cmd: list[str], env: dict) -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return time.perf_counter() - started, cpu

    best: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "texts"
        folder.mkdir()
        words = 0
        for name in dev[:count]:
            text = (LITBANK_DIR / "entities" / "brat" / f"{name}.txt").read_text(encoding="utf-8")
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
            words += len(text.split())
        for attempt in range(2):
            database = Path(tmp) / f"bench{attempt}.sqlite3"
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
            subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
            runs = {
                "raw": [sys.executable, "-c", raw_script, str(folder)],
                "ingest": [sys.executable, "manage.py", "ingest", str(folder), "--batch", f"bench{attempt}"],
            }
            for kind, cmd in runs.items():
                wall, cpu = timed(cmd, env)
                if kind not in best or wall < best[kind][0]:
                    best[kind] = (wall, cpu)
    return {"texts": count, "words": words, **best}


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


def headline(results: dict) -> str:
    """One table row: stock PER F1, then Fabula's PER P/R/F1, GPE F1, B-cubed (detected), gender."""
    per, gpe = results["fabula"]["PER"], results["fabula"]["GPE"]
    ok, matched, _ = results["gender"]
    return (
        f"{results['stock']['PER'][2]:.3f} | {per[0]:.3f} / {per[1]:.3f} / {per[2]:.3f} | {gpe[2]:.3f} "
        f"| {results['bcubed_detected'][2]:.3f} | {ok}/{matched} = {ok / matched if matched else 0:.3f}"
    )


def round_figures(folds: int, throughput_texts: int, *, test: bool = True) -> None:
    """A round: dev cross-validation and the test split once, each with both layer sets, and throughput.
    `test=False` leaves the test split out (it is run once per round)."""
    dev, test_names = split()
    rows = ["| documents | layers | stock PER F1 | Fabula PER P / R / F1 | GPE F1 | B-cubed | gender |"]
    rows.append("|---|---|---|---|---|---|---|")
    dev_docs = [read_document(n) for n in dev]
    stock, sds, _, _ = parse(dev_docs)
    for name, layers in (("all (LitBank's convention)", LAYERS), ("default (names only)", DEFAULT_LAYERS)):
        results = evaluate(dev_docs, stock, cross_validated(dev_docs, sds, folds, layers))
        rows.append(f"| dev, {folds}-fold cross-validation (80) | {name} | {headline(results)} |")
        print(rows[-1], flush=True)
    if test:
        test_docs = [read_document(n) for n in test_names]
        stock, sds, _, _ = parse(test_docs)
        for name, layers in (
            ("all (LitBank's convention)", LAYERS),
            ("default (names only)", DEFAULT_LAYERS),
        ):
            results = evaluate(test_docs, stock, [extract(sd, frozenset(layers)) for sd in sds])
            rows.append(f"| test (20), shipped weights | {name} | {headline(results)} |")
            print(rows[-1], flush=True)
    print("\n".join(rows))
    if throughput_texts:
        print_throughput(throughput_texts)


def print_throughput(count: int) -> None:
    """Run throughput() and print its table."""
    figures = throughput(count)
    raw, ingest = figures["raw"], figures["ingest"]
    ratio_wall, ratio_cpu = raw[0] / ingest[0], raw[1] / ingest[1]
    print(f"\nThroughput, whole processes, {figures['texts']} texts ({figures['words']:,} words), best of 2:")
    print("| process | wall s | CPU s | words/s | ingest / raw (wall) | ingest / raw (CPU) |")
    print("|---|---|---|---|---|---|")
    print(
        f"| raw spaCy (load + nlp.pipe) | {raw[0]:.1f} | {raw[1]:.1f} "
        f"| {figures['words'] / raw[0]:,.0f} | 1.00 | 1.00 |"
    )
    print(
        f"| manage.py ingest | {ingest[0]:.1f} | {ingest[1]:.1f} | {figures['words'] / ingest[0]:,.0f} "
        f"| {ratio_wall:.2f} | {ratio_cpu:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "dev", "all"], default="test")
    parser.add_argument("--round", action="store_true", help="dev cross-validation, test once, throughput")
    parser.add_argument("--folds", type=int, default=4, help="cross-validation folds (with --round)")
    parser.add_argument("--throughput", type=int, default=30, help="texts for the throughput part (0: skip)")
    parser.add_argument("--no-test", action="store_true", help="with --round: leave the test split out")
    parser.add_argument("--throughput-only", action="store_true", help="only the throughput part")
    parser.add_argument("--layers", choices=["all", "default"], default="all", help="with --split")
    parser.add_argument("--show-errors", type=int, default=0, help="print up to N errors per document")
    parser.add_argument("--no-samples", action="store_true")
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}, "
        f"spaCy {spacy.__version__}, model {settings.SPACY_MODEL}"
    )
    if args.throughput_only:
        print_throughput(args.throughput)
        return
    if args.round:
        round_figures(args.folds, args.throughput, test=not args.no_test)
        return
    dev, test = split()
    names = {"test": test, "dev": dev, "all": dev + test}[args.split]
    layers = LAYERS if args.layers == "all" else DEFAULT_LAYERS
    print(report(run(names, show_errors=args.show_errors, layers=layers), args.split))
    if not args.no_samples:
        print("\n| sample check | stock | Fabula |\n|---|---|---|")
        for description, stock_ok, ours_ok in sample_checks():
            print(f"| {description} | {'pass' if stock_ok else 'FAIL'} | {'pass' if ours_ok else 'FAIL'} |")


if __name__ == "__main__":
    main()


__all__ = ["StoryDocs", "bcubed", "prf", "run"]
