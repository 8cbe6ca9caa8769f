"""Train a spaCy NER pipeline from editors' approved work, with spaCy's own training loop.

Contract: `model_train(*, stories, base, ...)` turns the stories' final annotations (review_state !=
rejected) into DocBins, holds out a dev set of whole stories, fine-tunes the base pipeline's `ner` with
`spacy.training.loop.train` from a generated config (CPU, nothing downloaded), scores the new and the
base model on the held-out set, and saves the pipeline under settings.MODELS_DIR/<timestamp>/.
`train_docs_to_model` is the storage-free core, shared with benchmarks/learning_loop.py.
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
from django.utils import timezone
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as spacy_train
from spacy.util import filter_spans, registry

from annotations.models import Entity
from nlp.windows import split_windows

DOC_CHARS = 5000  # train on paragraph windows: spaCy batches by words, and long docs waste memory


class TooLittleData(ValueError):
    """Raised with a message that says what is missing and how to get it."""


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


def spans_to_doc(nlp: Language, text: str, spans: Iterable[tuple[int, int, str]]) -> list[Doc]:
    """Reference docs for training: `text` cut into windows, `spans` as doc.ents.

    Overlapping spans are resolved by spaCy's filter_spans (the longest wins, then the earliest);
    spans that do not fall on token boundaries shrink to the tokens inside them.
    """
    spans = sorted(spans)
    docs = []
    for offset, part in split_windows(text, DOC_CHARS):
        doc = nlp.make_doc(part)
        inside = [
            (s - offset, e - offset, label)
            for s, e, label in spans
            if offset <= s and e <= offset + len(part)
        ]
        ents = [doc.char_span(s, e, label=label, alignment_mode="contract") for s, e, label in inside]
        doc.ents = filter_spans([ent for ent in ents if ent is not None])
        docs.append(doc)
    return docs


def story_docs(nlp: Language, stories) -> list[list[Doc]]:
    """One list of windows per story, from its final annotations."""
    final = Entity.objects.exclude(review_state=Entity.ReviewState.REJECTED)
    result = []
    for story in stories:
        spans = final.filter(story=story).values_list("start", "end", "label_id")
        result.append(spans_to_doc(nlp, story.text, spans))
    return result


def training_config(*, base: str, train: Path, dev: Path, max_steps: int, max_minutes: float) -> str:
    eval_frequency = max(1, min(100, max_steps // 10))
    return f"""
[paths]
train = "{train}"
dev = "{dev}"

[system]
seed = 0
gpu_allocator = null

[nlp]
lang = "en"
pipeline = ["ner"]
batch_size = 256

[components]

[components.ner]
source = "{base}"

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
max_length = 0

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
max_length = 0

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = 0.1
accumulate_gradient = 1
patience = {max(4 * eval_frequency, 400)}
max_epochs = 0
max_steps = {max_steps}
eval_frequency = {eval_frequency}
frozen_components = []
annotating_components = []

[training.before_update]
@callbacks = "fabula.time_limit.v1"
minutes = {max_minutes}

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
size = 1000

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.optimizer]
@optimizers = "Adam.v1"
learn_rate = 0.0005

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0

[initialize]
vectors = null

[initialize.before_init]
@callbacks = "spacy.copy_from_base_model.v1"
tokenizer = "{base}"
vocab = "{base}"
"""


def evaluate(nlp: Language, docs: list[Doc]) -> dict:
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
    config_text = training_config(
        base=base,
        train=work / "train.spacy",
        dev=work / "dev.spacy",
        max_steps=max_steps,
        max_minutes=max_minutes,
    )
    (work / "config.cfg").write_text(config_text, encoding="utf-8")
    nlp = init_nlp(spacy.util.load_config_from_str(config_text))
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
        new_scores=evaluate(spacy.load(output), dev_docs),
        base_scores=evaluate(base_nlp, dev_docs),
    )
    (work / "scores.json").write_text(
        json.dumps({"new": result.new_scores, "base": result.base_scores}, indent=2), encoding="utf-8"
    )
    return result


def model_train(
    *,
    stories,
    base: str,
    max_minutes: float = 10,
    max_steps: int = 2000,
    dev_fraction: float = 0.2,
    min_stories: int = 5,
    min_entities: int = 50,
    stdout,
) -> TrainResult:
    stories = list(stories)
    tokenizer_nlp = spacy.blank("en")
    per_story = story_docs(tokenizer_nlp, stories)
    entities = sum(len(d.ents) for docs in per_story for d in docs)
    if len(stories) < min_stories or entities < min_entities:
        raise TooLittleData(
            f"Too little approved data to train: {len(stories)} stories with {entities} entities; need at "
            f"least {min_stories} stories and {min_entities} entities. Approve more stories (or choose "
            f"them with --status/--batch)."
        )
    order = list(range(len(stories)))
    random.Random(0).shuffle(order)
    dev_count = min(len(stories) - 1, max(1, round(dev_fraction * len(stories))))
    dev_ids, train_ids = order[:dev_count], order[dev_count:]
    output = Path(settings.MODELS_DIR) / timezone.now().strftime("%Y%m%d-%H%M%S")
    if output.exists():
        raise TooLittleData(f"{output} already exists; wait a second and run again")
    return train_docs_to_model(
        train_docs=[d for i in train_ids for d in per_story[i]],
        dev_docs=[d for i in dev_ids for d in per_story[i]],
        base=base,
        output=output,
        max_steps=max_steps,
        max_minutes=max_minutes,
        stdout=stdout,
    )
