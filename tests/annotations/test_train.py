"""`manage.py train`: a tiny real training run produces a loadable pipeline; too little data is refused."""

from __future__ import annotations

from io import StringIO

import pytest
import spacy
from django.core.management import CommandError, call_command

from nlp.layers import LAYERS, layers_of
from tests.factories import make_batch, make_entity, make_story

TEXTS = [
    "Anna Petrova danced in Paris with Boris Orlov.",
    "Boris Orlov met Anna Petrova in Moscow.",
    "In London, Anna Petrova sang for Boris Orlov.",
    "Natalia Makarova taught Anna Petrova in Moscow.",
    "Boris Orlov left Paris for London.",
    "Anna Petrova and Natalia Makarova toured Paris.",
]
PEOPLE = ("Anna Petrova", "Boris Orlov", "Natalia Makarova")
PLACES = ("Paris", "Moscow", "London")


def approved_stories(count: int, **fields):
    stories = []
    for text in TEXTS[:count]:
        story = make_story(text, status="approved", **fields)
        for name in PEOPLE + PLACES:
            if name in story.text:
                make_entity(story, name, "PERSON" if name in PEOPLE else "GPE", origin="editor")
        stories.append(story)
    return stories


def test_train_refuses_too_little_approved_data(db, settings, tmp_path):
    settings.MODELS_DIR = tmp_path
    approved_stories(2)
    with pytest.raises(CommandError, match="Too little approved data to train: 2 stories with 6 entities"):
        call_command("train", stdout=StringIO())
    assert list(tmp_path.iterdir()) == []


def test_train_rejects_an_unknown_batch_and_bad_fractions(db):
    with pytest.raises(CommandError, match="No import batch named 'nope'"):
        call_command("train", "--batch", "nope")
    with pytest.raises(CommandError, match="--dev-fraction must be between 0 and 1"):
        call_command("train", "--dev-fraction", "1.5")


@pytest.mark.slow
def test_tiny_training_run_saves_a_pipeline_that_loads(db, settings, tmp_path):
    settings.MODELS_DIR = tmp_path
    batch = make_batch("ballet")
    approved_stories(6, batch=batch)
    make_story("Not approved: Olga Ivanova.", status="done")
    out = StringIO()
    call_command(
        "train",
        "--batch",
        "ballet",
        "--max-steps",
        "2",
        "--min-stories",
        "5",
        "--min-entities",
        "10",
        stdout=out,
    )
    [model_dir] = [p for p in tmp_path.iterdir() if p.is_dir()]
    text = out.getvalue()
    assert "Trained on" in text and "held out 1" in text
    assert "base       P" in text and "new        P" in text
    assert f"SPACY_MODEL={model_dir}" in text
    nlp = spacy.load(model_dir)
    assert "ner" in nlp.pipe_names and {"PERSON", "GPE"} <= set(nlp.get_pipe("ner").labels)
    assert nlp.meta["name"] == f"fabula_{model_dir.name}"
    assert (model_dir / "training" / "config.cfg").exists() and (
        model_dir / "training" / "scores.json"
    ).exists()
    assert nlp("Anna Petrova danced.").text == "Anna Petrova danced."
    # Each rule layer was judged on the held-out story; the choice is saved with the pipeline and used.
    recorded = nlp.meta["fabula_layers"]
    assert set(recorded["f1"]) == {"all", "chosen", "none"} | {f"without {layer}" for layer in LAYERS}
    assert set(recorded["layers"]) <= set(LAYERS) and recorded["stories"] == 1
    assert layers_of(nlp) == set(recorded["layers"])
    assert "Rule layers judged on the 1 held-out stories" in text
    assert f"Drafting with this pipeline applies: {', '.join(recorded['layers']) or 'none'}" in text
