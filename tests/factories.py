"""Small builders for test data: make_user(), make_story(), make_entity(), make_character()."""

from __future__ import annotations

import hashlib
import itertools

from django.contrib.auth.models import Group, User

from annotations.models import Character, Entity
from stories.models import ImportBatch, Story

_counter = itertools.count(1)


def make_user(role: str = "editor", username: str | None = None, password: str = "pw") -> User:
    """role: 'editor', 'reviewer', 'admin' or 'none' (an account with no role)."""
    username = username or f"{role}{next(_counter)}"
    user = User.objects.create_user(
        username=username, password=password, is_staff=role == "admin", is_superuser=role == "admin"
    )
    if role == "editor":
        # get_or_create: transactional (browser) tests flush the groups the data migration made.
        user.groups.add(Group.objects.get_or_create(name="Editors")[0])
    elif role == "reviewer":
        user.groups.add(Group.objects.get_or_create(name="Reviewers")[0])
    return user


def make_batch(name: str = "test batch") -> ImportBatch:
    return ImportBatch.objects.create(name=name)


def make_story(
    text: str = "Anna Petrova danced in Paris with Boris.", title: str | None = None, **fields
) -> Story:
    fields.setdefault("word_count", len(text.split()))
    return Story.objects.create(
        title=title or f"Story {next(_counter)}",
        text=text,
        text_length=len(text),
        sha256=hashlib.sha256(f"{text}{next(_counter)}".encode()).hexdigest(),
        **fields,
    )


def make_character(story: Story, name: str = "Anna Petrova", **fields) -> Character:
    return Character.objects.create(story=story, name=name, **fields)


def make_entity(story: Story, text: str, label: str = "PERSON", occurrence: int = 0, **fields) -> Entity:
    """Annotate the `occurrence`-th appearance of `text` in the story."""
    start = -1
    for _ in range(occurrence + 1):
        start = story.text.index(text, start + 1)
    fields.setdefault("origin", Entity.Origin.MODEL)
    if fields["origin"] == Entity.Origin.MODEL:
        fields.setdefault("model_start", start)
        fields.setdefault("model_end", start + len(text))
        fields.setdefault("model_label", label)
    return Entity.objects.create(
        story=story, start=start, end=start + len(text), text=text, label_id=label, **fields
    )
