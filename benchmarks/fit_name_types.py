"""Fit the person-or-not model for names (nlp/extraction/name_types.py) on LitBank's dev split.

Run: `.venv/bin/python benchmarks/fit_name_types.py [--cross-validate] [--write]`.
Training rows are the names of the 80 development documents (never the 20 test documents): one row per
name per story, its FEATURES vector, and as target the share of its occurrences that LitBank tags as a
proper-name person (PER, coreference type PROP) at the same edges. Rows are weighted by their
occurrences, so the fit minimises errors per mention, which is what the entity score counts. `--cross-
validate` fits on one half of the development documents and scores Fabula's PER F1 on the other half,
both ways, against the hand-weighted vote: the check that the model generalises before it is written.
`--write` fits on all 80 and writes data/name_types.json with its provenance. LitBank: Bamman et al., CC
BY 4.0.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from benchmarks.extraction import evaluate  # noqa: E402
from benchmarks.litbank import LitBankDoc, read_document, split  # noqa: E402
from nlp.extraction import extract, name_types  # noqa: E402
from nlp.extraction.consistency import count_votes, name_features_by_key, tag_titled  # noqa: E402
from nlp.extraction.name_types_fit import L2, fit  # noqa: E402
from nlp.extraction.pipeline import raw_spans  # noqa: E402
from nlp.extraction.spans import clean  # noqa: E402
from nlp.loading import get_nlp  # noqa: E402
from nlp.windows import StoryDocs, pipe_windows  # noqa: E402

OUTPUT = ROOT / "data" / "name_types.json"


def parsed_documents(docs: list[LitBankDoc], cache: Path | None) -> list[StoryDocs]:
    """spaCy's windows for each document, through the same pipeline ingest uses (cached if asked)."""
    nlp = get_nlp(settings.SPACY_MODEL)
    if cache and cache.exists():
        raw = pickle.loads(cache.read_bytes())
        if [t for t, _ in raw] == [d.text for d in docs]:
            return [
                StoryDocs(context=d.name, text=t, windows=[(o, Doc(nlp.vocab).from_bytes(b)) for o, b in ws])
                for d, (t, ws) in zip(docs, raw, strict=True)
            ]
    result = list(pipe_windows(((d.text, d.name) for d in docs), nlp=nlp))
    if cache:
        cache.write_bytes(
            pickle.dumps([(sd.text, [(o, doc.to_bytes()) for o, doc in sd.windows]) for sd in result])
        )
    return result


def rows_for(doc: LitBankDoc, sd: StoryDocs) -> tuple[list[list[float]], list[float], list[float]]:
    """(features, person share, occurrences) for every name the label vote would see in this story."""
    text = sd.text
    spans = tag_titled(text, clean(text, raw_spans(sd)))
    # The target is what the entity score counts: a proper-name PER span (coreference type PROP), so "her
    # cousin Edith", which LitBank tags as one common-noun mention, does not teach that Edith is a person.
    gold_person = [(start, end) for start, end, _ in doc.proper_entities(("PER",))]
    starts = {s for s, _ in gold_person}
    ends = {e for _, e in gold_person}
    votes, occurrences, _ = count_votes(text, spans)
    vectors = name_features_by_key(text, votes, occurrences)
    features, targets, weights = [], [], []
    for key, spans_of_key in occurrences.items():
        # A person at the same edges: LitBank keeps titles and describing words in the span ("poor Becky")
        # where Fabula's name key may not, so either edge matching counts.
        hits = sum((s.start in starts or s.end in ends) for s in spans_of_key)
        features.append(vectors[key])
        targets.append(hits / len(spans_of_key))
        weights.append(float(len(spans_of_key)))
    return features, targets, weights


def training_matrix(docs, sds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, y, w = [], [], []
    for doc, sd in zip(docs, sds, strict=True):
        f, t, n = rows_for(doc, sd)
        x += f
        y += t
        w += n
    return np.array(x), np.array(y), np.array(w)


def per_f1(docs, sds, weights_path: str) -> tuple[float, float, float]:
    """Fabula's PER P/R/F1 on these documents with the model at weights_path ("" = the hand vote)."""
    settings.FABULA_NAME_TYPES = weights_path
    name_types.load_weights.cache_clear()
    results = evaluate(docs, [set() for _ in docs], [extract(sd) for sd in sds])
    return results["fabula"]["PER"][:3]


def write_model(path: Path, beta: np.ndarray, provenance: dict, args: argparse.Namespace) -> None:
    model = {
        "enabled": True,
        "threshold": args.threshold,
        "drop_threshold": args.drop_threshold,
        "drop_threshold_multiword": args.drop_threshold_multiword,
        "features": list(name_types.FEATURES),
        "weights": [round(float(b), 6) for b in beta],
        "provenance": provenance,
    }
    path.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cross-validate", action="store_true", help="fit on each half, score the other")
    parser.add_argument("--write", action="store_true", help=f"fit on all 80 and write {OUTPUT.name}")
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--threshold", type=float, default=0.45, help="P(person) from which a name is one")
    parser.add_argument(
        "--drop-threshold",
        type=float,
        default=0.7,
        help="below it, a one-word name only tagged PERSON is dropped",
    )
    parser.add_argument(
        "--drop-threshold-multiword", type=float, default=0.4, help="the same for longer names"
    )
    parser.add_argument("--cache", type=Path, help="pickle spaCy's output here to re-run quickly")
    args = parser.parse_args()
    dev, _test = split()  # the test documents are never read here
    docs = [read_document(name) for name in dev]
    sds = parsed_documents(docs, args.cache)

    if args.cross_validate:
        scratch = Path(os.environ.get("TMPDIR", "/tmp")) / "fabula_name_types_cv.json"
        halves = {"a": list(range(0, len(docs), 2)), "b": list(range(1, len(docs), 2))}
        print("| fitted on | scored on | hand vote P/R/F1 | fitted model P/R/F1 |\n|---|---|---|---|")
        for train_half, score_half in (("a", "b"), ("b", "a")):
            train = halves[train_half]
            x, y, w = training_matrix([docs[i] for i in train], [sds[i] for i in train])
            write_model(scratch, fit(x, y, w, args.l2), {"cv_half": train_half}, args)
            held = [docs[i] for i in halves[score_half]], [sds[i] for i in halves[score_half]]
            vote, fitted = per_f1(*held, ""), per_f1(*held, str(scratch))
            print(
                f"| dev-{train_half} (40) | dev-{score_half} (40) | {'/'.join(f'{v:.3f}' for v in vote)} "
                f"| {'/'.join(f'{v:.3f}' for v in fitted)} |"
            )
    if args.write:
        x, y, w = training_matrix(docs, sds)
        beta = fit(x, y, w, args.l2)
        write_model(
            OUTPUT,
            beta,
            provenance={
                "fitted_by": "benchmarks/fit_name_types.py --write",
                "data": "LitBank (Bamman et al., CC BY 4.0): the 80 development documents; test never read",
                "names": int(len(y)),
                "occurrences": int(w.sum()),
                "l2": args.l2,
                "model": settings.SPACY_MODEL,
                "date": datetime.date.today().isoformat(),
            },
            args=args,
        )
        print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(y)} names, {int(w.sum())} occurrences")
        for name, b in sorted(zip(name_types.FEATURES, beta, strict=True), key=lambda t: -abs(t[1])):
            print(f"  {name:28s} {b:+.3f}")


if __name__ == "__main__":
    main()
