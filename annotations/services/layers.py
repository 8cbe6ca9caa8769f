"""Double (N-way) annotation: give each annotator their own layer of a story, and move the story on.

`layers_assign()` copies the story's model draft (entities and characters) into one hidden layer per
editor (see stories.models.Story for why a layer is a Story row); `layer_finished()` runs when an
annotator marks their layer done and, once every layer is, sends the story to adjudication.
`layer_replace()` swaps a layer's annotations for imported ones (ingest --annotator).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from annotations.models import Character, Edit, Entity
from annotations.services.changes import gone, snapshot
from core import notifications, roles
from core.models import Notification
from stories import policy
from stories.models import Story, layer_sha256

MIN_ANNOTATORS = 2


def _check_editors(editors: Sequence) -> None:
    if len({e.pk for e in editors}) != len(editors):
        raise ValidationError("Each editor can have only one layer of a story; an editor is named twice.")
    if len(editors) < MIN_ANNOTATORS:
        raise ValidationError(
            f"Double annotation needs at least {MIN_ANNOTATORS} editors (got {len(editors)}); name them "
            "all, e.g. --editors anna,ben, or assign without --double."
        )
    for editor in editors:
        if not (editor.is_active and roles.can_edit(editor)):
            raise ValidationError(
                f"{editor.get_username()} cannot be given a layer: the account is inactive or has no "
                "Editors/Reviewers role. Give it a role in the admin first."
            )


def _copy_into(source: Story, layer: Story) -> None:
    """Copy `source`'s entities and characters into the empty `layer`, links included."""
    character_ids = {}
    for character in Character.objects.filter(story=source).order_by("id"):
        old = character.pk
        character.pk, character.story = None, layer
        character.save(force_insert=True)
        character_ids[old] = character.pk
    rows = []
    for row in Entity.objects.filter(story=source).order_by("id"):
        row.pk, row.story_id = None, layer.pk
        row.character_id = character_ids.get(row.character_id)
        rows.append(row)
    Entity.objects.bulk_create(rows, batch_size=1000)


def _new_layer(story: Story, editor) -> Story:
    layer = Story(
        title=story.title, text=story.text, text_length=story.text_length, source_name=story.source_name,
        sha256=layer_sha256(story.sha256, editor.pk), batch_id=story.batch_id, status=Story.Status.NEW,
        word_count=story.word_count, meta=story.meta, assigned_to=editor, annotator=editor,
        layer_of=story, extracted_at=story.extracted_at,
    )  # fmt: skip
    layer.save(force_insert=True)
    return layer


@transaction.atomic
def layers_assign(*, story: Story, editors: Sequence, by) -> list[Story]:
    """Give each of `editors` their own layer of `story`, starting from the model's draft; returns them.

    The story must not have been worked on yet (new, no layers). Only reviewers and admins assign
    (PermissionDenied); bad editors or a story already in progress are a ValidationError.
    """
    if not policy.may_assign(by):
        raise PermissionDenied("Only reviewers and admins can assign stories.")
    _check_editors(editors)
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.layer_count:
        names = ", ".join(layer.annotator.get_username() for layer in _layers(story))
        raise ValidationError(f"“{story.title}” is already double-annotated (layers of {names}).")
    if story.status != Story.Status.NEW:
        raise ValidationError(
            f"“{story.title}” is {story.get_status_display().lower()}: only a new story can be double-"
            "annotated, because each layer starts from the model's draft."
        )
    layers = []
    for editor in editors:
        layer = _new_layer(story, editor)
        _copy_into(story, layer)
        layers.append(layer)
    names = ", ".join(e.get_username() for e in editors)
    Story.objects.filter(pk=story.pk).update(
        layer_count=len(editors), assigned_to=None, status=Story.Status.IN_PROGRESS,
        version=F("version") + 1, updated_at=timezone.now(),
    )  # fmt: skip
    story.refresh_from_db(fields=["layer_count", "assigned_to", "status", "version"])
    Edit.objects.create(
        story=story, user=by, action=Edit.Action.STATUS, story_version=story.version,
        summary=f"Assigned for double annotation: a layer each for {names}"[:500],
        before=[{"model": "story", "id": story.pk, "fields": {"status": Story.Status.NEW}}],
        after=[{"model": "story", "id": story.pk, "fields": {"status": story.status}}],
    )  # fmt: skip
    for layer in layers:
        _notify(layer, by)
    return layers


def _notify(layer: Story, by) -> None:
    if by is not None and layer.annotator_id == by.pk:
        return
    who = (by.get_full_name() or by.get_username()) if by is not None else "An admin"
    notifications.notify(
        recipient=layer.annotator, kind=Notification.Kind.ASSIGNED,
        message=f"{who} gave you a layer of “{layer.title}” to annotate on your own.",
        url=reverse("annotations:story-detail", kwargs={"pk": layer.pk}),
    )  # fmt: skip


def _layers(story: Story) -> list[Story]:
    return list(Story.with_layers.filter(layer_of=story).select_related("annotator").defer("text"))


def layer_finished(*, layer: Story, user) -> bool:
    """After `layer` was marked done: when every layer of its story is, start adjudication. Call inside
    the mark-done transaction. True when the story moved to adjudication."""
    from annotations.services.adjudication import adjudication_start  # the merge needs the layers' data

    story = Story.objects.select_for_update().defer("text").get(pk=layer.layer_of_id)
    if story.status != Story.Status.IN_PROGRESS:
        return False
    statuses = list(Story.with_layers.filter(layer_of=story).values_list("status", flat=True))
    if len(statuses) < MIN_ANNOTATORS or any(status != Story.Status.DONE for status in statuses):
        return False
    adjudication_start(story=story, user=user)
    return True


@transaction.atomic
def layer_replace(
    *,
    story: Story,
    annotator,
    entities: Iterable[Entity],
    characters: Sequence[Character] = (),
    links: dict[int, int] | None = None,
    by=None,
) -> Story:
    """Make `annotator`'s layer of `story` hold exactly `entities` and `characters` (unsaved rows;
    `links` maps an entity's index to its character's), creating the layer if needed: an annotation
    round done elsewhere. The layer counts as done; one Edit of the layer records the import.

    The story becomes double-annotated if it was not; a story already past its layers is refused.
    """  # fmt: skip
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status not in (Story.Status.NEW, Story.Status.IN_PROGRESS) or (
        not story.layer_count and story.status != Story.Status.NEW
    ):
        raise ValidationError(
            f"“{story.title}” is {story.get_status_display().lower()}: a layer can be imported only into a "
            "story that is new or whose layers are still being annotated."
        )
    layer = Story.with_layers.filter(layer_of=story, annotator=annotator).first()
    if layer is None:
        layer = _new_layer(story, annotator)
        story.layer_count = (story.layer_count or 0) + 1
        Story.objects.filter(pk=story.pk).update(
            layer_count=story.layer_count, assigned_to=None, status=Story.Status.IN_PROGRESS,
            updated_at=timezone.now(),
        )  # fmt: skip
    old = list(Entity.objects.filter(story=layer))
    old_characters = list(Character.objects.filter(story=layer))
    before = [snapshot(row) for row in old_characters + old]
    Entity.objects.filter(story=layer).delete()
    Character.objects.filter(story=layer).delete()
    saved = []
    for character in characters:
        character.pk, character.story = None, layer
        character.save(force_insert=True)
        saved.append(character)
    rows = []
    for index, row in enumerate(entities):
        row.pk, row.story_id, row.character = None, layer.pk, None
        if links and index in links:
            row.character_id = saved[links[index]].pk
        rows.append(row)
    created = Entity.objects.bulk_create(rows, batch_size=1000)
    if any(row.pk is None for row in created):
        created = list(Entity.objects.filter(story=layer))
    Story.with_layers.filter(pk=layer.pk).update(
        version=F("version") + 1, status=Story.Status.DONE, updated_at=timezone.now()
    )
    layer.refresh_from_db(fields=["version", "status"])
    after = [gone(row) for row in old_characters + old] + [snapshot(row) for row in saved + created]
    Edit.objects.create(
        story=layer, user=by, action=Edit.Action.LAYER_IMPORT, story_version=layer.version,
        summary=f"Imported {len(created)} spans as {annotator.get_username()}'s layer",
        before=before, after=after,
    )  # fmt: skip
    layer_finished(layer=layer, user=by)
    return layer
