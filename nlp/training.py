"""Fine-tune a spaCy NER pipeline on plain data (texts and their (start, end, label) entities) with
spaCy's own loop and the checked-in nlp/training.cfg. No database: annotations/services/training.py
reads the editors' work and calls `train_docs_to_model`.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from django.conf import settings
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as spacy_train
from spacy.util import filter_spans, load_config, registry
from thinc.api import Config

from nlp.windows import pipe_windows, split_windows

CONFIG = Path(__file__).with_name("training.cfg")
DOC_CHARS = 5000  # train on paragraph windows: spaCy batches by words, and long docs waste memory

Entities = Iterable[tuple[int, int, str]]


class TimeLimitReached(Exception):
    pass


@registry.callbacks("fabula.time_limit.v1")
def create_time_limit(minutes: float):
    """A before_update callback that stops spaCy's loop after `minutes` (the best model is kept)."""
    deadline = time.monotonic() + minutes * 60

    def check(nlp, args) -> None:
        if minutes and time.monotonic() > deadline:
            raise TimeLimitReached(f"stopped after {minutes:g} minutes (--max-minutes)")

    return check


@dataclass
class TrainResult:
    path: Path
    train_docs: int
    dev_docs: int
    entities: int
    steps_note: str
    new_scores: dict = field(default_factory=dict)
    base_scores: dict = field(default_factory=dict)
    layers: dict = field(default_factory=dict)  # nlp.extraction.ablation.choose_layers on the dev stories


def reference_docs(nlp: Language, text: str, entities: Entities) -> list[Doc]:
    """Reference docs for training: `text` cut into windows, `entities` as doc.ents.

    Overlapping entities are resolved by spaCy's filter_spans (the longest wins, then the earliest);
    entities that do not fall on token boundaries shrink to the tokens inside them.
    """
    entities = sorted(entities)
    docs = []
    for offset, part in split_windows(text, DOC_CHARS):
        doc = nlp.make_doc(part)
        inside = [
            (s - offset, e - offset, label)
            for s, e, label in entities
            if offset <= s and e <= offset + len(part)
        ]
        ents = [doc.char_span(s, e, label=label, alignment_mode="contract") for s, e, label in inside]
        doc.ents = filter_spans([ent for ent in ents if ent is not None])
        docs.append(doc)
    return docs


def reference_docs_per_story(stories: Iterable[tuple[str, Entities]]) -> list[list[Doc]]:
    """One list of reference docs per (text, entities) story, tokenised as English."""
    tokenizer = spacy.blank("en")
    return [reference_docs(tokenizer, text, entities) for text, entities in stories]


def split_dev(count: int, dev_fraction: float) -> tuple[list[int], list[int]]:
    """(train, dev) indexes of `count` stories: whole stories held out, the same split on every run."""
    order = list(range(count))
    random.Random(0).shuffle(order)
    dev_count = min(count - 1, max(1, round(dev_fraction * count)))
    return order[dev_count:], order[:dev_count]


def training_config(*, base: str, train: Path, dev: Path, max_steps: int, max_minutes: float) -> Config:
    """nlp/training.cfg for this run; not interpolated, so it can be written out as it is."""
    eval_frequency = max(1, min(100, max_steps // 10))
    return load_config(
        CONFIG,
        overrides={
            "paths.train": str(train),
            "paths.dev": str(dev),
            "paths.base": base,
            "training.max_steps": max_steps,
            "training.eval_frequency": eval_frequency,
            # Stop early only after four evaluations without a better dev score, never within 400 steps.
            "training.patience": max(4 * eval_frequency, 400),
            "training.before_update.minutes": max_minutes,
        },
    )


def ner_scores(nlp: Language, docs: list[Doc]) -> dict:
    """Entity P/R/F (overall and per label) of `nlp` against the reference docs."""
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in docs]
    scores = nlp.evaluate(examples)
    return {
        "p": scores.get("ents_p") or 0.0,
        "r": scores.get("ents_r") or 0.0,
        "f": scores.get("ents_f") or 0.0,
        "per_type": scores.get("ents_per_type") or {},
    }


def train_docs_to_model(
    *,
    train_docs: list[Doc],
    dev_docs: list[Doc],
    dev_stories: list[tuple[str, Entities]] | None = None,
    base: str,
    output: Path,
    max_steps: int,
    max_minutes: float,
    stdout,
) -> TrainResult:
    work = output / "training"
    work.mkdir(parents=True, exist_ok=True)
    DocBin(docs=train_docs).to_disk(work / "train.spacy")
    DocBin(docs=dev_docs).to_disk(work / "dev.spacy")
    config = training_config(
        base=base,
        train=work / "train.spacy",
        dev=work / "dev.spacy",
        max_steps=max_steps,
        max_minutes=max_minutes,
    )
    config.to_disk(work / "config.cfg")
    nlp = init_nlp(config)
    ner = nlp.get_pipe("ner")
    for label in sorted({ent.label_ for doc in train_docs for ent in doc.ents} - set(ner.labels)):
        ner.add_label(label)  # a label the base model never had (e.g. one an admin added)
    note = "stopped at --max-steps or when the dev score stopped improving"
    (work / "checkpoints").mkdir(exist_ok=True)
    try:
        spacy_train(nlp, work / "checkpoints", stdout=stdout, stderr=stdout)
    except TimeLimitReached as stop:
        note = str(stop)
    best = work / "checkpoints" / "model-best"
    if not best.exists():
        best = work / "checkpoints" / "model-last"
    trained = spacy.load(best)
    trained.meta["name"] = f"fabula_{output.name}"
    trained.meta["description"] = f"Fine-tuned from {base} by manage.py train on {len(train_docs)} docs."
    trained.to_disk(output)  # the pipeline itself; training/ beside it keeps config and corpora
    shutil.rmtree(work / "checkpoints", ignore_errors=True)
    base_nlp = spacy.load(base, exclude=list(settings.SPACY_EXCLUDE))
    result = TrainResult(
        path=output,
        train_docs=len(train_docs),
        dev_docs=len(dev_docs),
        entities=sum(len(d.ents) for d in train_docs + dev_docs),
        steps_note=note,
        new_scores=ner_scores(spacy.load(output), dev_docs),
        base_scores=ner_scores(base_nlp, dev_docs),
    )
    if dev_stories:
        result.layers = record_layers(output, dev_stories)
    (work / "scores.json").write_text(
        json.dumps({"new": result.new_scores, "base": result.base_scores, "layers": result.layers}, indent=2),
        encoding="utf-8",
    )
    return result


def record_layers(output: Path, dev_stories: list[tuple[str, Entities]]) -> dict:
    """Judge each rule layer on the held-out stories (nlp.extraction.ablation) and record the helpful
    ones in the saved pipeline's meta.json, where nlp.extraction.layers_of finds them when it drafts."""
    from nlp.extraction.ablation import choose_layers
    from nlp.extraction.rules import RULER_NAME, add_rules, file_patterns
    from nlp.layers import LAYERS_KEY

    nlp = spacy.load(output, exclude=list(settings.SPACY_EXCLUDE))
    add_rules(nlp, file_patterns(settings.FABULA_PATTERNS_DIR) if settings.FABULA_RULES else [])
    texts = [text for text, _ in dev_stories]

    def drafts(disable: list[str]) -> list:
        with nlp.select_pipes(disable=disable):
            return list(pipe_windows(((t, None) for t in texts), nlp=nlp))

    with_patterns = drafts([])
    without = drafts([RULER_NAME]) if RULER_NAME in nlp.pipe_names else with_patterns
    layers = choose_layers(with_patterns, without, [list(entities) for _, entities in dev_stories])
    meta_path = output / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta[LAYERS_KEY] = layers
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return layers
