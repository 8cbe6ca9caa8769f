"""An outside model's suggestions for one story: stored as pending entities tagged with the model's name.

`predictions_replace()` is how an external recommender plugs in. In one transaction it claims the next
story version (StaleVersion otherwise, without claiming the story or changing its status: a model is
not an editor), removes that model's earlier *pending* suggestions and the characters only they
mentioned, and stores the new spans as pending suggestions with model_* set (so evaluation scores
them like the pipeline's draft). What editors decided is never touched: accepted, rejected and edited
rows stay, and a span that overlaps one of them, repeats one, has an unknown label or bad bounds is
skipped and counted. It records one undoable Edit. Done and Approved stories promise that nothing in
them is pending, so they refuse new suggestions (PredictionsRefused).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotations.models import Character, Edit, Entity, Label
from annotations.services.changes import StaleVersion, gone, snapshot
from stories import policy
from stories.models import Story

MODEL_NAME_MAX_CHARS = 100


@dataclass(frozen=True)
class PredictedSpan:
    start: int
    end: int
    label: str
    character: int | None = None  # index into the call's characters


@dataclass(frozen=True)
class PredictedCharacter:
    name: str
    aliases: tuple[str, ...] = ()
    gender: str = "unknown"


class PredictionsRefused(Exception):
    """The story's state does not take new suggestions; the message says why and what to do."""


@dataclass
class PredictionsResult:
    story: Story
    removed: int
    added: int
    skipped: int
    characters_added: int
    characters_removed: int
    edit: Edit | None


def _check(
    story: Story, model_name: str, spans: list[PredictedSpan], characters: list[PredictedCharacter]
) -> str:
    name = (model_name or "").strip()
    if not name or len(name) > MODEL_NAME_MAX_CHARS:
        raise ValidationError(
            {"model": [f"Name the model that made these predictions (1–{MODEL_NAME_MAX_CHARS} characters)."]}
        )
    labels = set(Label.objects.values_list("name", flat=True))
    unknown = sorted({span.label for span in spans} - labels)
    if unknown:
        raise ValidationError(
            {"spans": [f"Unknown label(s) {', '.join(unknown)}. Known labels: {', '.join(sorted(labels))}."]}
        )
    for index, span in enumerate(spans):
        if not 0 <= span.start < span.end <= story.text_length:
            raise ValidationError(
                {f"spans.{index}": [f"{span.start}–{span.end} is outside the story (0–{story.text_length})."]}
            )
        if span.character is not None and not 0 <= span.character < len(characters):
            raise ValidationError(
                {f"spans.{index}.character": [f"There is no character {span.character} in `characters`."]}
            )
    return name


def _claim(story: Story, version: int) -> None:
    updated = Story.objects.filter(pk=story.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleVersion(Story.objects.values_list("version", flat=True).get(pk=story.pk))
    story.version = version + 1


@transaction.atomic
def predictions_replace(
    *,
    story: Story,
    model_name: str,
    spans: list[PredictedSpan],
    characters: list[PredictedCharacter],
    user,
    version: int,
) -> PredictionsResult:
    """Replace `model_name`'s pending suggestions on `story` with `spans` (see the module docstring)."""
    # Imported when called: the extraction service imports spaCy, which a web process loads only when
    # it needs it (tests/test_startup.py); the rows are built by the same rules as the pipeline's draft.
    from annotations.services.extraction import edited_ids, extraction_rows, known_labels, rows_save
    from nlp.extraction import CharacterRow, EntityRow, Extraction

    story.status, story.assigned_to_id = Story.objects.values_list("status", "assigned_to").get(pk=story.pk)
    policy.check_edit(user, story)
    if story.status in (Story.Status.DONE, Story.Status.APPROVED):
        raise PredictionsRefused(
            f"“{story.title}” is {story.get_status_display().lower()}, so it takes no new suggestions: a "
            "done or approved story has nothing pending. A reviewer can return it first."
        )
    name = _check(story, model_name, spans, characters)
    _claim(story, version)
    # A model's own earlier predictions are in PREDICT edits; those do not make its characters edited.
    _, edited_characters = edited_ids(story, ignore=(Edit.Action.PREDICT,))
    old = list(Entity.objects.pending().filter(story=story, source_model=name))
    Entity.objects.filter(pk__in=[row.pk for row in old]).delete()
    kept = list(Entity.objects.filter(story=story).values_list("start", "end", "label", "review_state"))
    taken = {(start, end, label) for start, end, label, _ in kept}
    decided = [(start, end) for start, end, _, state in kept if state != Entity.ReviewState.REJECTED]
    # A suggestion overlapping a kept span (or an earlier suggestion here) would clash in the reader.
    fitting, skipped = [], 0
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if (span.start, span.end, span.label) in taken:
            skipped += 1
            continue
        if any(span.start < end and start < span.end for start, end in decided):
            skipped += 1
            continue
        fitting.append(span)
        decided.append((span.start, span.end))
    story_text = Story.objects.only("text").get(pk=story.pk)
    story_text.text_length = story.text_length
    rows = extraction_rows(
        story=story_text,
        extraction=Extraction(
            spans=[EntityRow(s.start, s.end, s.label, s.character) for s in fitting],
            characters=[CharacterRow(c.name, list(c.aliases), c.gender) for c in characters],
        ),
        labels=known_labels(),
        taken=frozenset(taken),
    )
    for row in rows.entities:
        row.story, row.source_model = story, name
    for character in rows.characters:
        character.story, character.source_model = story, name
    # Only the characters this model gave, that no editor touched and that nothing mentions any more.
    orphans = list(
        Character.objects.filter(story=story, source_model=name, mentions__isnull=True).exclude(
            pk__in=edited_characters
        )
    )
    Character.objects.filter(pk__in=[c.pk for c in orphans]).delete()
    rows_save(rows)
    created = rows.characters + rows.entities
    if any(row.pk is None for row in created):  # backends without RETURNING: read the new rows back
        created = list(Character.objects.filter(story=story, source_model=name)) + list(
            Entity.objects.pending().filter(story=story, source_model=name)
        )
    before = [snapshot(c) for c in orphans] + [snapshot(row) for row in dict.fromkeys(old)]
    before += [gone(row) for row in created]
    after = [gone(c) for c in orphans] + [gone(row) for row in dict.fromkeys(old)]
    after += [snapshot(row) for row in created]
    edit = None
    if before:
        edit = Edit.objects.create(
            story=story, user=user, action=Edit.Action.PREDICT, before=before, after=after,
            story_version=story.version,
            summary=f"{name}: {len(rows.entities)} suggestions stored, {len(old)} earlier ones replaced",
        )  # fmt: skip
    return PredictionsResult(
        story=story,
        removed=len(old),
        added=len(rows.entities),
        skipped=skipped + rows.skipped,
        characters_added=len(rows.characters),
        characters_removed=len(orphans),
        edit=edit,
    )
