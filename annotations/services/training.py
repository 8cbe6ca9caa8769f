"""Train a spaCy NER pipeline from editors' approved work: `model_train` reads the stories' final entities
(not rejected), refuses too little data with `TooLittleData` and hands the rest to nlp.training, which
saves the pipeline under settings.MODELS_DIR/<timestamp>/.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from annotations.models import Entity
from nlp.training import TrainResult, reference_docs_per_story, split_dev, train_docs_to_model


class TooLittleData(ValueError):
    """Raised with a message that says what is missing and how to get it."""


def final_entities(stories) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(text, [(start, end, label), ...]) per story, from its final set of entities."""
    final = Entity.objects.exclude(review_state=Entity.ReviewState.REJECTED)
    return [
        (story.text, list(final.filter(story=story).values_list("start", "end", "label_id")))
        for story in stories
    ]


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
    texts_and_entities = final_entities(stories)
    per_story = reference_docs_per_story(texts_and_entities)
    entities = sum(len(d.ents) for docs in per_story for d in docs)
    if len(stories) < min_stories or entities < min_entities:
        raise TooLittleData(
            f"Too little approved data to train: {len(stories)} stories with {entities} entities; need at "
            f"least {min_stories} stories and {min_entities} entities. Approve more stories (or choose "
            f"them with --status/--batch)."
        )
    train_ids, dev_ids = split_dev(len(stories), dev_fraction)
    output = Path(settings.MODELS_DIR) / timezone.now().strftime("%Y%m%d-%H%M%S")
    if output.exists():
        raise TooLittleData(f"{output} already exists; wait a second and run again")
    return train_docs_to_model(
        train_docs=[d for i in train_ids for d in per_story[i]],
        dev_docs=[d for i in dev_ids for d in per_story[i]],
        dev_stories=[texts_and_entities[i] for i in dev_ids],
        base=base,
        output=output,
        max_steps=max_steps,
        max_minutes=max_minutes,
        stdout=stdout,
    )
