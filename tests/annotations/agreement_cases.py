"""Double-annotated stories for the agreement tests: `double_story()` gives each annotator one done layer
holding exactly the spans given, through the same service `ingest --annotator` uses."""

from __future__ import annotations

from django.contrib.auth.models import User

from annotations.models import Entity
from annotations.services.layers import layer_replace, layers_assign
from tests.factories import make_story, make_user

# Ten tokens: Anna | Petrova | met | Boris | in | Paris | with | Olga | yesterday | .
TEXT = "Anna Petrova met Boris in Paris with Olga yesterday ."
ALICE = [("Anna Petrova", "PERSON"), ("Boris", "PERSON"), ("Paris", "GPE")]
BOB = [("Anna", "PERSON"), ("Boris", "PERSON"), ("Paris", "PERSON"), ("Olga", "PERSON")]


def annotator(username: str) -> User:
    return User.objects.filter(username=username).first() or make_user("editor", username=username)


def entities(text: str, spans: list[tuple[str, str]]) -> list[Entity]:
    """Unsaved entities over the first occurrence of each (words, label)."""
    out = []
    for words, label in spans:
        start = text.index(words)
        out.append(
            Entity(
                start=start, end=start + len(words), text=words, label_id=label, origin=Entity.Origin.EDITOR
            )
        )
    return out


def double_story(layers: dict[str, list[tuple[str, str] | None]], *, text: str = TEXT, **fields):
    """A story assigned to every annotator named ({username: [(words, label)]}), each layer then holding
    exactly those spans and marked done; None leaves that annotator's layer unfinished."""
    story = make_story(text, **fields)
    if len(layers) >= 2:
        reviewer = User.objects.filter(username="assigner").first() or make_user("reviewer", "assigner")
        layers_assign(story=story, editors=[annotator(name) for name in layers], by=reviewer)
    for username, spans in layers.items():
        if spans is None:
            continue
        layer_replace(story=story, annotator=annotator(username), entities=entities(text, spans))
    story.refresh_from_db()
    return story
