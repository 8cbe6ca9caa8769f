"""The learning loop on LitBank: import annotations as approved stories, `manage.py train`, beat stock spaCy.

Run: `.venv/bin/python benchmarks/learning_loop.py [--max-minutes 7] [--max-steps 1500]`.
Everything goes through Fabula's own commands, in a throwaway SQLite database and models folder:
1. LitBank's 80 development documents are written as brat files holding their proper-name spans (PROP in
   the coreference layer: what Fabula's editors tag; LitBank's common-noun mentions such as "the boy" are
   a different task) and imported with `manage.py ingest --label-map PER=PERSON,...` (VEH has no
   counterpart and is left out); the stories are then marked approved.
2. `manage.py train --batch litbank-train` fine-tunes the base pipeline, holding out 10 of the 80 stories.
3. Stock spaCy and the trained pipeline (plain doc.ents, with every rule layer of Fabula's extract on top,
   and with only the layers `train` found to help it on its held-out stories, as Fabula drafts with it)
   are scored on the 20 test documents, which neither training nor rule tuning ever saw.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="fabula-learning-loop-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'loop.sqlite3'}"
os.environ["FABULA_MODELS_DIR"] = str(WORK / "models")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django  # noqa: E402

django.setup()

import spacy  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from benchmarks.extraction import LABEL_MAP, SCORED, score_entities  # noqa: E402
from benchmarks.litbank import read_document, split  # noqa: E402
from nlp.extraction import LAYERS, extract, layers_of  # noqa: E402
from nlp.extraction.rules import add_rules, file_patterns  # noqa: E402
from nlp.loading import get_nlp  # noqa: E402
from nlp.windows import pipe_windows  # noqa: E402
from stories.models import Story  # noqa: E402

LABELS = ("PER", "GPE", "LOC", "FAC", "ORG")
BATCH = "litbank-train"


def write_brat(names: list[str], folder: Path) -> int:
    folder.mkdir(parents=True)
    spans = 0
    for name in names:
        doc = read_document(name)
        (folder / f"{name}.txt").write_text(doc.text, encoding="utf-8")
        lines = [
            f"T{k}\t{label} {s} {e}\t{doc.text[s:e]}"
            for k, (s, e, label) in enumerate(sorted(doc.proper_entities(LABELS)), start=1)
        ]
        spans += len(lines)
        (folder / f"{name}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return spans


def predictions(nlp, docs) -> list[set]:
    return [
        {(e.start_char, e.end_char, LABEL_MAP[e.label_]) for e in d.ents if e.label_ in LABEL_MAP}
        for d in nlp.pipe(doc.text for doc in docs)
    ]


def fabula_predictions(nlp, docs, layers=LAYERS) -> list[set]:
    return [
        {
            (s.start, s.end, LABEL_MAP[s.label])
            for s in extract(sd, frozenset(layers)).spans
            if s.label in LABEL_MAP
        }
        for sd in pipe_windows(((doc.text, doc.name) for doc in docs), nlp=nlp)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-minutes", type=float, default=7.0)
    parser.add_argument("--max-steps", type=int, default=1500)
    parser.add_argument("--keep", action="store_true", help=f"keep the database and model in {WORK}")
    args = parser.parse_args()
    try:
        run(args)
    finally:
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)


def run(args) -> None:
    dev_names, test_names = split()
    call_command("migrate", verbosity=0)
    spans = write_brat(dev_names, WORK / "brat")
    started = time.perf_counter()
    call_command(
        "ingest", str(WORK / "brat"), "--batch", BATCH, "--label-map", "PER=PERSON", stdout=StringIO()
    )
    Story.objects.filter(batch__name=BATCH).update(status=Story.Status.APPROVED)
    imported = Story.objects.filter(batch__name=BATCH, status=Story.Status.APPROVED).count()
    out = StringIO()
    call_command(
        "train",
        "--batch", BATCH,
        "--max-minutes", str(args.max_minutes),
        "--max-steps", str(args.max_steps),
        "--dev-fraction", "0.125",
        stdout=out,
    )  # fmt: skip
    minutes = (time.perf_counter() - started) / 60
    [model] = [p for p in Path(settings.MODELS_DIR).iterdir() if p.is_dir()]
    test = [read_document(n) for n in test_names]
    exclude = list(settings.SPACY_EXCLUDE)

    def every_layer(name):
        """The pipeline with the rule layer whatever train chose, to score every layer on top of it."""
        nlp = spacy.load(name, exclude=exclude)
        return add_rules(nlp, file_patterns(settings.FABULA_PATTERNS_DIR))

    drafting = get_nlp(str(model))  # as Fabula drafts with it: only the layers train recorded
    chosen = ", ".join(layer for layer in LAYERS if layer in layers_of(drafting)) or "none"

    rows = {
        "stock spaCy (doc.ents)": score_entities(
            test, predictions(spacy.load(settings.SPACY_MODEL, exclude=exclude), test)
        ),
        "stock + Fabula extract (every layer)": score_entities(
            test, fabula_predictions(every_layer(settings.SPACY_MODEL), test)
        ),
        "trained (doc.ents)": score_entities(test, predictions(spacy.load(model, exclude=exclude), test)),
        "trained + Fabula extract (every layer)": score_entities(
            test, fabula_predictions(every_layer(str(model)), test)
        ),
        f"trained + the layers train chose ({chosen})": score_entities(
            test, fabula_predictions(drafting, test, layers_of(drafting))
        ),
    }
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, spaCy {spacy.__version__}, "
        f"base {settings.SPACY_MODEL}\n"
        f"import: {imported} approved stories with {spans} proper-name spans (manage.py ingest, brat, "
        f"--label-map PER=PERSON); train + import: {minutes:.1f} min\n"
    )
    report = out.getvalue()
    print("manage.py train said:\n" + report[report.find("Trained on") :])
    print(f"LitBank test split ({len(test_names)} documents), exact span match, proper names, F1 per label\n")
    print("| pipeline | " + " | ".join(SCORED) + " |\n|---|" + "---|" * len(SCORED))
    for name, scores in rows.items():
        print(f"| {name} | " + " | ".join(f"{scores[label][2]:.3f}" for label in SCORED) + " |")


if __name__ == "__main__":
    main()
