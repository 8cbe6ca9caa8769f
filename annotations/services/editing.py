"""Span edits: create, relabel, resize, delete, accept/reject, link, apply to all, mark done, and the
review page's revert of one span to the model's draft.

Each function is one editor action: it claims the next story version (StaleVersion if the page was
stale), changes rows inside one transaction, records one Edit with before/after snapshots, and
returns the ChangeLog (which offsets it touched, which entity to focus). Bad input raises
ValidationError with a message for the editor. Offsets are always snapped to spaCy tokens here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations.models import Character, Edit, Entity, Label
from annotations.selectors.reader import mention_matches, paragraph_containing, text_window
from annotations.services.changes import ChangeLog, gone, snapshot, story_change
from annotations.services.layers import layer_finished
from annotations.services.settling import settle_pending
from annotations.services.snapping import snap, step, window_around
from stories.models import Story

State = Entity.ReviewState


def _nearby(story: Story, start: int, end: int) -> tuple[tuple[int, int], list[Entity]]:
    """The paragraph holding [start, end) and every row (any state) overlapping it: one indexed query."""
    paragraph = paragraph_containing(story, start, end)
    if paragraph is None:
        raise ValidationError("An entity cannot cross a paragraph break; select text within one paragraph.")
    rows = Entity.objects.filter(story=story, start__gte=paragraph[0], start__lt=end, end__gt=start)
    return paragraph, list(rows)


def _check_span(
    story: Story, start: int, end: int, text: str, *, ignore: int | None = None, rows=None
) -> None:
    """Cross-row rules for a new or moved span: a word in it, inside one paragraph, no overlap."""
    if not any(ch.isalnum() for ch in text):
        raise ValidationError(f"“{text}” has no word in it; select at least one word.")
    if rows is None:
        rows = _nearby(story, start, end)[1]
    clash = next((r for r in rows if r.review_state != State.REJECTED and r.pk != ignore), None)
    if clash is not None:
        raise ValidationError(
            f"The selection overlaps “{clash.text}” ({clash.label_id}); delete or resize that entity first."
        )


def _save(row: Entity, message: str) -> None:
    """Save, refusing a duplicate (story, start, end, label) with `message` instead of a 500.

    A query rather than a savepoint around the save: every edit already holds the story's lock (see
    story_change), so no other edit can insert the twin in between, and this is one round trip not two.
    """
    twin = Entity.objects.filter(story_id=row.story_id, start=row.start, end=row.end, label_id=row.label_id)
    if twin.exclude(pk=row.pk).exists():
        raise ValidationError(message)
    row.save()


def _get(story: Story, pk: int) -> Entity:
    return Entity.objects.get(story=story, pk=pk)


@transaction.atomic
def entity_create(*, story: Story, start: int, end: int, label: Label, user, version: int) -> ChangeLog:
    """Tag [start, end) (snapped to tokens) with `label`. Selecting an existing entity exactly relabels it."""
    if not 0 <= start < end <= story.text_length:
        raise ValidationError(f"The selection {start}–{end} is outside the story (0–{story.text_length}).")
    change = story_change(story=story, version=version, user=user)
    window = window_around(story, start, end)
    snapped = snap(window, start, end)
    if snapped is None:
        raise ValidationError("The selection has no word in it; select at least one word.")
    start, end = snapped
    text = window.slice(start, end)
    _, rows = _nearby(story, start, end)
    final = [r for r in rows if r.review_state != State.REJECTED]
    twin = next((r for r in final if (r.start, r.end) == (start, end)), None)
    if twin is not None:
        return _relabel(change, twin, label)
    _check_span(story, start, end, text, rows=final)
    same = (start, end, label.name)
    row = next((r for r in rows if (r.start, r.end, r.label_id) == same), None)
    if row is not None:  # a rejected prediction of exactly this: bring it back rather than duplicate it
        before = [snapshot(row)]
        row.review_state, row.updated_by = State.ACCEPTED, user
        row.save()
    else:
        row = Entity.objects.create(
            story=story, start=start, end=end, text=text, label=label, origin=Entity.Origin.EDITOR,
            review_state=State.ACCEPTED, updated_by=user,
        )  # fmt: skip
        before = [gone(row)]
    change.before, change.after, change.starts, change.focus = before, [snapshot(row)], [start], row
    change.record(Edit.Action.CREATE, f"Tagged “{text}” as {label.name}")
    return change


def _relabel(change: ChangeLog, row: Entity, label: Label) -> ChangeLog:
    old = row.label_id
    if old == label.name and row.review_state == State.ACCEPTED:
        raise ValidationError(f"“{row.text}” is already tagged {label.name}.")
    change.before = [snapshot(row)]
    row.label, row.review_state, row.updated_by = label, State.ACCEPTED, change.user
    _save(row, f"“{row.text}” already has a {label.name} entry; delete this one instead.")
    change.after, change.starts, change.focus = [snapshot(row)], [row.start], row
    action = Edit.Action.RELABEL if old != label.name else Edit.Action.ACCEPT
    change.record(
        action, f"“{row.text}”: {old} → {label.name}" if old != label.name else f"Accepted “{row.text}”"
    )
    return change


@transaction.atomic
def entity_relabel(*, story: Story, pk: int, label: Label, user, version: int) -> ChangeLog:
    """Give entity `pk` a new label; the entity counts as accepted afterwards."""
    change = story_change(story=story, version=version, user=user)
    return _relabel(change, _get(story, pk), label)


@transaction.atomic
def entity_resize(*, story: Story, pk: int, side: str, grow: bool, user, version: int) -> ChangeLog:
    """Widen (grow) or narrow entity `pk` by one token on `side` ("start" or "end")."""
    change = story_change(story=story, version=version, user=user)
    row = _get(story, pk)
    window = window_around(story, row.start, row.end)
    moved = step(window, row.start, row.end, side=side, grow=grow)
    if moved is None:
        verb = "widen" if grow else "narrow"
        raise ValidationError(f"Cannot {verb} “{row.text}” further on that side.")
    return _move(change, row, moved, window.slice(*moved))


def _move(change: ChangeLog, row: Entity, bounds: tuple[int, int], text: str) -> ChangeLog:
    """Give `row` new token-snapped `bounds` covering `text`; it counts as accepted afterwards."""
    _check_span(change.story, *bounds, text, ignore=row.pk)
    change.before = [snapshot(row)]
    row.start, row.end, row.text = *bounds, text
    row.review_state, row.updated_by = State.ACCEPTED, change.user
    _save(row, f"“{text}” is already tagged {row.label_id}.")
    change.after, change.starts, change.focus = [snapshot(row)], [row.start], row
    change.record(Edit.Action.RESIZE, f"Resized to “{text}” ({row.label_id})")
    return change


@transaction.atomic
def entity_set_bounds(*, story: Story, pk: int, start: int, end: int, user, version: int) -> ChangeLog:
    """Move entity `pk` to [start, end), snapped to tokens as a new selection is; accepted afterwards."""
    if not 0 <= start < end <= story.text_length:
        raise ValidationError(f"The bounds {start}–{end} are outside the story (0–{story.text_length}).")
    change = story_change(story=story, version=version, user=user)
    row = _get(story, pk)
    window = window_around(story, start, end)
    snapped = snap(window, start, end)
    if snapped is None:
        raise ValidationError("The new bounds have no word in them; cover at least one word.")
    if snapped == (row.start, row.end):
        raise ValidationError(f"“{row.text}” already has these bounds.")
    return _move(change, row, snapped, window.slice(*snapped))


@transaction.atomic
def entity_delete(*, story: Story, pk: int, user, version: int) -> ChangeLog:
    """Remove an entity from the final set: a model prediction is kept as rejected, an editor's is deleted."""
    change = story_change(story=story, version=version, user=user)
    row = _get(story, pk)
    if row.review_state == State.REJECTED:
        raise ValidationError(f"“{row.text}” is already rejected.")
    action = Edit.Action.REJECT if row.review_state == State.PENDING else Edit.Action.DELETE
    change.before, change.starts = [snapshot(row)], [row.start]
    if row.model_label or row.review_state == State.PENDING:
        row.review_state, row.updated_by = State.REJECTED, user
        row.save()
        change.after = [snapshot(row)]
    else:
        change.after = [gone(row)]
        row.delete()
    change.record(
        action, f"{'Rejected' if action == Edit.Action.REJECT else 'Deleted'} “{row.text}” ({row.label_id})"
    )
    return change


@transaction.atomic
def entity_accept(*, story: Story, pk: int, user, version: int) -> ChangeLog:
    """Accept a pending suggestion as it is."""
    change = story_change(story=story, version=version, user=user)
    row = _get(story, pk)
    if row.review_state != State.PENDING:
        raise ValidationError(
            f"“{row.text}” is not a pending suggestion (it is {row.get_review_state_display()})."
        )
    return _relabel(change, row, row.label)


@transaction.atomic
def entity_revert(*, story: Story, pk: int, user, version: int) -> ChangeLog:
    """Put entity `pk` back as the model drafted it, or remove it if an editor added it.

    This undoes the editors' decision on one span whatever edits led to it, so a reviewer can take back
    one change from the review page. The reverted model span counts as accepted: the reviewer looked
    at it and chose the model's version, so a Done story stays free of pending suggestions.
    ValidationError when there is nothing to revert, or when the model's bounds now overlap a span.
    """
    change = story_change(story=story, version=version, user=user)
    row = _get(story, pk)
    change.before, change.starts, change.focus = [snapshot(row)], [row.start], row
    if not row.model_label:
        if row.review_state == State.REJECTED:
            raise ValidationError(f"“{row.text}” is not in the final set; there is nothing to revert.")
        change.after = [gone(row)]
        row.delete()
        change.record(Edit.Action.REVERT, f"Reverted: removed the editor's “{row.text}” ({row.label_id})")
        return change
    drafted = (row.model_start, row.model_end, row.model_label)
    if (row.start, row.end, row.label_id) == drafted and row.review_state != State.REJECTED:
        raise ValidationError(f"“{row.text}” is as the model drafted it; there is nothing to revert.")
    text = text_window(story, row.model_start, row.model_end)
    _check_span(story, row.model_start, row.model_end, text, ignore=row.pk)
    row.start, row.end, row.label_id, row.text = *drafted, text
    row.review_state, row.updated_by = State.ACCEPTED, user
    _save(row, f"“{text}” is already tagged {row.label_id}; delete that span first.")
    change.after, change.starts = [snapshot(row)], [row.start]
    change.record(Edit.Action.REVERT, f"Reverted “{text}” to the model's {row.label_id}")
    return change


@transaction.atomic
def entities_review_label(*, story: Story, label: Label, accept: bool, user, version: int) -> ChangeLog:
    """Accept or reject every pending suggestion with `label` at once, as one undoable change."""
    change = story_change(story=story, version=version, user=user)
    rows = list(Entity.objects.pending().filter(story=story, label=label))
    if not rows:
        raise ValidationError(f"There are no pending {label.name} suggestions in this story.")
    change.before = [snapshot(row) for row in rows]
    state = State.ACCEPTED if accept else State.REJECTED
    Entity.objects.filter(pk__in=[r.pk for r in rows]).update(review_state=state, updated_by=user)
    for row in rows:
        row.review_state = state
    change.after, change.starts, change.bulk = [snapshot(row) for row in rows], [r.start for r in rows], True
    verb = "Accepted" if accept else "Rejected"
    change.record(
        Edit.Action.ACCEPT if accept else Edit.Action.REJECT,
        f"{verb} all {len(rows)} {label.name} suggestions",
    )
    return change


@transaction.atomic
def entity_link(
    *, story: Story, pk: int, character_id: int | None, new_name: str = "", user, version: int
) -> ChangeLog:
    """Link entity `pk` to a character of this story, to a new one named `new_name`, or to none."""
    change = story_change(story=story, version=version, user=user)
    row = _get(story, pk)
    change.before = [snapshot(row)]
    if new_name.strip():
        character = Character.objects.create(
            story=story, name=new_name.strip()[:300], origin=Character.Origin.EDITOR
        )
        change.before.insert(0, gone(character))
        change.after = [snapshot(character)]
    elif character_id is not None:
        character = Character.objects.filter(story=story, pk=character_id).first()
        if character is None:
            raise ValidationError(f"Character {character_id} is not in this story.")
    else:
        character = None
    row.character, row.updated_by = character, user
    if row.review_state == State.PENDING:
        row.review_state = State.ACCEPTED
    row.save()
    change.after.append(snapshot(row))
    change.starts, change.focus = [row.start], row
    who = f"“{character.name}”" if character else "no character"
    change.record(Edit.Action.LINK, f"Linked “{row.text}” to {who}")
    return change


@transaction.atomic
def entity_apply_all(
    *, story: Story, pk: int, user, version: int, only: list[int] | None = None
) -> ChangeLog:
    """Give every other word-boundary occurrence of the entity's text the same label and character;
    with `only`, just the occurrences starting at those offsets (the ones the editor left ticked)."""
    change = story_change(story=story, version=version, user=user)
    row = _get(story, pk)
    matches = mention_matches(story=story, entity=row)
    if not matches["new"] and not matches["update"]:
        raise ValidationError(f"Every other “{row.text}” already matches; nothing to apply.")
    updates = list(Entity.objects.filter(pk__in=matches["update"]))
    if only is not None:
        chosen = set(only)
        matches["new"] = [s for s in matches["new"] if s in chosen]
        updates = [u for u in updates if u.start in chosen]
        if not matches["new"] and not updates:
            raise ValidationError(
                f"None of the ticked mentions is an other “{row.text}” that still needs the tag; "
                "open the preview again."
            )
    change.before = [snapshot(r) for r in updates]
    for other in updates:
        other.label_id, other.character_id, other.review_state, other.updated_by = (
            row.label_id, row.character_id, State.ACCEPTED, user
        )  # fmt: skip
        _save(other, f"“{other.text}” already has a {row.label_id} entry elsewhere; resolve it first.")
    created = Entity.objects.bulk_create(
        Entity(story=story, start=s, end=s + len(row.text), text=row.text, label_id=row.label_id,
                   character_id=row.character_id, origin=Entity.Origin.EDITOR,
                   review_state=State.ACCEPTED, updated_by=user)
        for s in matches["new"]
    )  # fmt: skip
    if any(c.pk is None for c in created):  # backends without RETURNING: read the ids back
        created = list(Entity.objects.filter(story=story, start__in=matches["new"], label_id=row.label_id))
    change.before += [gone(c) for c in created]
    change.after = [snapshot(r) for r in updates + created]
    change.starts, change.focus, change.bulk = [r.start for r in updates + created], row, True
    count = len(updates) + len(created)
    change.record(Edit.Action.APPLY_ALL, f"Applied {row.label_id} to {count} more “{row.text}”")
    return change


@transaction.atomic
def story_mark_done(*, story: Story, user, version: int, settle: str | None = None) -> ChangeLog:
    """Mark the story done (ready for review); recorded and undoable like any edit.

    Pending suggestions refuse it (PendingSuggestions) unless `settle` is "accept" or "reject": then
    the rest are settled in the same change, so one undo restores them and the status together.
    """
    if story.status == Story.Status.DONE:
        raise ValidationError("This story is already marked done.")
    change = story_change(story=story, version=version, user=user)
    old = story.status
    before, after = settle_pending(story=story, user=user, settle=settle, verb="mark the story done")
    change.before = [*before, {"model": "story", "id": story.pk, "fields": {"status": old}}]
    story.status = Story.Status.DONE
    story.save(update_fields=["status", "updated_at"])  # through save(), so simple-history records it
    change.after = [*after, {"model": "story", "id": story.pk, "fields": {"status": story.status}}]
    change.starts, change.bulk = [row["fields"]["start"] for row in after], bool(after)
    settled = f", {'accepting' if settle == 'accept' else 'rejecting'} {len(after)} pending" if after else ""
    what = "Marked your layer done" if story.layer_of_id else "Marked done"
    change.record(Edit.Action.STATUS, f"{what}{settled}")
    if story.layer_of_id:
        layer_finished(layer=story, user=user)
    return change
