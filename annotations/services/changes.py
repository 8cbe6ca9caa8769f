"""The grouped change log: conflict checks at the grain of rows, before/after snapshots, and undo.

Every write to a story's spans or characters runs inside `story_change()`, which locks the story and
bumps Story.version (the order of changes, for undo and the history). `ChangeLog.record()` stores one
`Edit` with snapshots of every row the action touched, and refuses (`StaleVersion`, shown as 409) only
when another person changed one of those rows after the version the caller's page saw: two editors
working on different entities of one story never collide. `edit_undo()` restores snapshots and
`edit_redo()` puts back what an undo took.

Why our own log next to django-simple-history (which tracks Story): simple-history keeps one row per
saved object, but one editor action here touches many rows of two models at once (a merge moves every
mention and deletes a character; "apply to all" creates dozens of spans). Undo must restore that
group as one step and must refuse when later edits changed the same rows; grouped Edit snapshots do
both, per-object history rows cannot say which rows belonged to one action.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from annotations.models import Character, Edit, Entity
from stories import policy
from stories.models import Story

ENTITY_FIELDS = (
    "start", "end", "text", "label", "character", "origin", "review_state",
    "model_start", "model_end", "model_label",
)  # fmt: skip
CHARACTER_FIELDS = ("name", "aliases", "gender", "origin")
STORY_FIELDS = ("status",)
_MODELS = {"entity": (Entity, ENTITY_FIELDS), "character": (Character, CHARACTER_FIELDS)}
_MODELS["story"] = (Story, STORY_FIELDS)
_NAME_OF = {Entity: "entity", Character: "character", Story: "story"}


class StaleVersion(Exception):
    """Someone else changed what this action touches after the caller's page saw it; nothing was saved.

    `current` is the story's version now; `clash` names who changed what, when known.
    """

    def __init__(self, current: int, clash: str = ""):
        self.current = current
        self.clash = clash
        who = f"{clash} after your page loaded it" if clash else "Someone else changed this story"
        super().__init__(
            f"{who} (the story is now at version {current}). Your change was not saved; the text has "
            "been refreshed, please check it and try again."
        )


class UndoRefused(Exception):
    """An edit cannot be undone cleanly; the message says why."""


def snapshot(obj) -> dict:
    """A JSON-safe picture of one row: {"model", "id", "fields"} (see annotations.models.Edit)."""
    model_name = _NAME_OF[type(obj)]
    names = _MODELS[model_name][1]
    fields = {name: getattr(obj, obj._meta.get_field(name).attname) for name in names}
    return {"model": model_name, "id": obj.pk, "fields": fields}


def gone(obj) -> dict:
    """The snapshot of a row that does not exist (before a create, after a delete)."""
    return {"model": _NAME_OF[type(obj)], "id": obj.pk, "fields": None}


@dataclass
class ChangeLog:
    """What one action did; `record()` turns it into an Edit. `starts` lists touched offsets."""

    story: Story
    user: object
    version: int
    seen: int = 0  # the version the caller's page showed; changes by others after it may clash
    before: list = field(default_factory=list)
    after: list = field(default_factory=list)
    starts: list = field(default_factory=list)
    edit: Edit | None = None
    focus: Entity | None = None  # the entity the editor acted on, to show in the inspector
    bulk: bool = False  # touched rows all over the story: the page refreshes every loaded chunk
    character_id: int | None = None  # the character the editor acted on, to show in the inspector

    # Set by record(): other people's changes landed between the page's version and this one, so the
    # page must reload what it shows before its version can count as seen.
    others_changed: bool = False

    def record(self, action: str, summary: str) -> Edit:
        """Check for clashes (StaleVersion rolls the whole action back), then store the Edit."""
        self._check_clashes()
        self.edit = Edit.objects.create(
            story=self.story, user=self.user, action=action, summary=summary[:500],
            before=self.before, after=self.after, story_version=self.version,
        )  # fmt: skip
        return self.edit

    def _check_clashes(self) -> None:
        """Refuse if a row this action touches was changed by someone else after version `seen`.

        "Someone else" is another user, or the command line (user None), which is never the page's
        own. The story's own row (a status change) clashes with any other change of status. Only the
        edits since `seen` are read: on a page that is up to date, that is none.
        """
        if self.seen >= self.version - 1:
            return
        touched = {(entry["model"], entry["id"]) for entry in self.before + self.after}
        later = Edit.objects.filter(
            story=self.story, story_version__gt=self.seen, story_version__lt=self.version
        )
        if self.user is not None:
            later = later.exclude(user=self.user)
        for edit in later.select_related("user").order_by("story_version"):
            self.others_changed = True
            rows = [*(edit.before or []), *(edit.after or [])]
            for entry in rows:
                if isinstance(entry, dict) and (entry.get("model"), entry.get("id")) in touched:
                    who = (
                        (edit.user.get_full_name() or edit.user.get_username())
                        if edit.user
                        else "The command line"
                    )
                    raise StaleVersion(self.version - 1, f"{who} changed this ({edit.summary})")


def story_change(*, story: Story, version: int, user) -> ChangeLog:
    """Lock `story` and claim its next version for a change made from a page at `version`.

    Call inside transaction.atomic. One `UPDATE … RETURNING` is the lock, the version bump, the move
    from new to in progress, an editor's claim of an unassigned story and the read of the state that
    results: on PostgreSQL it takes the row lock, so a second editor's change waits until the first
    commits and then sees its rows; SQLite's IMMEDIATE transactions serialise writers. Whether the
    change clashes is decided by ChangeLog.record() from the rows it touches. stories.policy decides
    who may edit (PermissionDenied, which rolls the bump back); a version the story never had is
    StaleVersion.
    """
    claimer = user.pk if policy.claims(user) else None
    current, story.status, story.assigned_to_id = _bump(story, claimer=claimer)
    # The rules read the state the bump left. That is the state before it, as far as they can tell:
    # new and in progress are alike to them, and a claimed story is its claimer's.
    policy.check_edit(user, story)
    if not 0 < version < current:
        raise StaleVersion(current - 1)
    story.version = current
    return ChangeLog(story=story, user=user, version=story.version, seen=version)


def _bump(story: Story, *, claimer: int | None) -> tuple[int, str, int | None]:
    """(version, status, assigned_to_id) after bumping `story` by one version, in one statement.

    Raw SQL because QuerySet.update() cannot return rows: through the ORM this was three statements
    (read the state, update, read the version back) and most of an edit's query-building time. Both
    backends Fabula supports have RETURNING (SQLite 3.35 and later; Django 6 needs 3.37).
    """
    meta = Story._meta
    column = {name: connection.ops.quote_name(meta.get_field(name).column) for name in
              ("version", "status", "updated_at", "assigned_to", "id")}  # fmt: skip
    new, in_progress = Story.Status.NEW.value, Story.Status.IN_PROGRESS.value
    claim = (
        f", {column['assigned_to']} = COALESCE({column['assigned_to']}, %s)" if claimer is not None else ""
    )
    table = connection.ops.quote_name(meta.db_table)
    sql = (
        f"UPDATE {table} SET {column['version']} = {column['version']} + 1, "
        f"{column['status']} = CASE WHEN {column['status']} = %s THEN %s ELSE {column['status']} END, "
        f"{column['updated_at']} = %s{claim} WHERE {column['id']} = %s "
        f"RETURNING {column['version']}, {column['status']}, {column['assigned_to']}"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [new, in_progress, now, *([claimer] if claimer is not None else []), story.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise Story.DoesNotExist(f"Story {story.pk} no longer exists.")
    return row


# Changes `u` never undoes: an undo itself (it is redone instead), and a review's decision (the review
# page reverses those).
NOT_UNDOABLE = (Edit.Action.UNDO, Edit.Action.APPROVE, Edit.Action.RETURN)
_BATCH = 500  # ids per IN (...): well inside every backend's limit on query parameters


def undo_candidate(*, story: Story, newest: list[Edit] | None = None, limit: int = 0) -> Edit | None:
    """The change `u` undoes: the newest edit that is neither undone nor itself an undo. `newest` (the
    story's newest `limit` edits, newest first, as the history panel has them) answers without a query
    when the change is among them, or when they are all the story's edits."""
    if newest is not None:
        for edit in newest:
            if edit.undone_by_id is None and edit.action not in NOT_UNDOABLE:
                return edit
        if len(newest) < limit:
            return None
    return (
        Edit.objects.filter(story=story, undone_by__isnull=True)
        .exclude(action__in=NOT_UNDOABLE)
        .order_by("-id")
        .first()
    )


def redo_candidate(*, story: Story, newest: list[Edit] | None = None, limit: int = 0) -> Edit | None:
    """The undo that Ctrl+Shift+Z redoes: the newest undo not yet redone, while nothing but undos and
    redos came after it. A fresh edit after an undo clears the redo stack, as in any editor. `newest`
    answers without a query as in undo_candidate()."""
    if newest is not None:
        for edit in newest:
            if edit.action == Edit.Action.UNDO and edit.undone_by_id is None:
                return edit
            if edit.action not in (Edit.Action.UNDO, Edit.Action.REDO):
                return None
        if len(newest) < limit:
            return None
    undo = (
        Edit.objects.filter(story=story, action=Edit.Action.UNDO, undone_by__isnull=True)
        .order_by("-id")
        .first()
    )
    if undo is None:
        return None
    fresh = Edit.objects.filter(story=story, pk__gt=undo.pk).exclude(
        action__in=[Edit.Action.UNDO, Edit.Action.REDO]
    )
    return None if fresh.exists() else undo


def _rows(model):
    # An annotator's layer is a Story row too, one the default manager hides.
    return model.with_layers if model is Story else model.objects


def _batches(ids: list) -> list[list]:
    return [ids[i : i + _BATCH] for i in range(0, len(ids), _BATCH)]


def _current_fields(entries: list[dict]) -> dict[tuple[str, int], dict]:
    """The fields of every row `entries` name as they are now, one query per model and batch of ids
    (5,000 spans are ten queries, not 5,000). Rows that do not exist are absent."""
    now: dict[tuple[str, int], dict] = {}
    for model_name, (model, names) in _MODELS.items():
        ids = sorted({e["id"] for e in entries if e["model"] == model_name})
        for batch in _batches(ids):
            # values(*names) reads only these columns (checking a status undo must not load a novel's
            # text), keyed by field name with the raw id for a foreign key, as snapshot() stores them.
            for row in _rows(model).filter(pk__in=batch).values("pk", *names):
                now[(model_name, row.pop("pk"))] = row
    return now


def _check_clean(edit: Edit, story: Story, *, verb: str = "undo") -> None:
    if edit.story_id != story.pk:
        raise UndoRefused("That change belongs to another story.")
    if edit.undone_by_id:
        done = "redone" if edit.action == Edit.Action.UNDO else "undone"
        raise UndoRefused(f"“{edit.summary}” was already {done}.")
    if verb == "undo" and edit.action in NOT_UNDOABLE:
        raise UndoRefused(f"“{edit.get_action_display()}” cannot be undone here.")
    if verb == "redo" and edit.action != Edit.Action.UNDO:
        raise UndoRefused(f"“{edit.summary}” is not an undo, so there is nothing to redo.")
    now = _current_fields(edit.after)
    for entry in edit.after:
        fields = now.get((entry["model"], entry["id"]))
        if fields != entry["fields"]:
            what = edit.summary.removeprefix("Undid: ") if verb == "redo" else edit.summary
            raise UndoRefused(
                f"Cannot {verb} “{what}”: a later change touched the same {entry['model']} "
                f"({_describe(entry, fields)}). Undo the later change first, or fix it by hand."
            )


def _describe(entry: dict, now: dict | None) -> str:
    fields = now or entry["fields"] or {}
    return repr(fields.get("text") or fields.get("name") or fields.get("status") or f"#{entry['id']}")


def _restore(story_id: int, entries: list[dict], current_after: list[dict]) -> None:
    """Write `entries` (the edit's `before`) over rows that are as `current_after` says (checked by
    _check_clean); rows absent in `entries` but present after are deleted.

    In bulk, because undoing "accept all 5,431 PERSON" must take well under a second: rows are grouped
    by the values that change, and each group is one UPDATE per batch of ids (an accept-all's undo is
    one group: review_state back to pending); rows that are gone come back in one bulk INSERT.
    """
    wanted = {(e["model"], e["id"]): e["fields"] for e in entries}
    now = {(e["model"], e["id"]): e["fields"] for e in current_after}
    for key in now:
        wanted.setdefault(key, None)
    # A row the edit read but did not write (in `before` only): whatever it holds now is overwritten.
    unknown = [key for key, fields in wanted.items() if fields is not None and key not in now]
    now.update({key: {} for key in _current_fields([{"model": m, "id": pk} for m, pk in unknown])})
    # Parents before children on the way in, children before parents on the way out.
    order = ["story", "character", "entity"]
    for name in order:
        model, _ = _MODELS[name]
        groups: dict[tuple, list[int]] = {}
        missing = []
        for (model_name, pk), fields in wanted.items():
            if model_name != name or fields is None:
                continue
            was = now.get((model_name, pk))
            if was is None and name != "story":  # gone now: it comes back
                missing.append((pk, fields))
                continue
            changed = tuple(sorted((k, _hashable(v)) for k, v in fields.items() if (was or {}).get(k) != v))
            if changed:
                groups.setdefault(changed, []).append(pk)
        for changed, pks in groups.items():
            values = {model._meta.get_field(k).attname: _unhashable(v) for k, v in changed}
            for batch in _batches(pks):
                _rows(model).filter(pk__in=batch).update(**values)
        if missing:
            # A deleted row comes back with its old id, so later snapshots that name it still match.
            model.objects.bulk_create(
                [model(pk=pk, story_id=story_id, **_attnames(model, fields)) for pk, fields in missing],
                batch_size=_BATCH,
            )
    for name in reversed(order):
        pks = [pk for (model_name, pk), fields in wanted.items() if model_name == name and fields is None]
        for batch in _batches(pks):
            _rows(_MODELS[name][0]).filter(pk__in=batch).delete()


def _attnames(model, fields: dict) -> dict:
    return {model._meta.get_field(name).attname: value for name, value in fields.items()}


def _hashable(value):
    """A snapshot value as a dict key (a character's aliases are a list)."""
    return ("__list__", tuple(value)) if isinstance(value, list) else value


def _unhashable(value):
    return list(value[1]) if isinstance(value, tuple) and value and value[0] == "__list__" else value


def _replay(change: ChangeLog, story: Story, edit: Edit, *, verb: str) -> None:
    """Write `edit`'s before-state back (refusing, with nothing written, when a span it brings back has
    a twin again) and make `change` the mirror image of `edit`."""
    try:
        with transaction.atomic():
            _restore(story.pk, edit.before, edit.after)
    except IntegrityError as exc:
        what = edit.summary.removeprefix("Undid: ") if verb == "redo" else edit.summary
        raise UndoRefused(
            f"Cannot {verb} “{what}”: a span with the same bounds and label exists again now."
        ) from exc
    change.before, change.after = edit.after, edit.before
    change.starts = [
        e["fields"]["start"] for e in edit.before + edit.after if e["model"] == "entity" and e["fields"]
    ]
    change.bulk = True


@transaction.atomic
def edit_undo(*, story: Story, edit: Edit | None, version: int, user) -> ChangeLog:
    """Undo `edit` (default: the latest undoable one) if every row it wrote is still as it left it.

    Raises UndoRefused with a reason otherwise, StaleVersion if the page is out of date. The undo is
    itself an Edit (action undo, before/after swapped), and the original is marked undone_by it.
    """
    change = story_change(story=story, version=version, user=user)
    edit = edit or undo_candidate(story=story)
    if edit is None:
        raise UndoRefused("There is nothing to undo on this story.")
    _check_clean(edit, story)
    _replay(change, story, edit, verb="undo")
    change.record(Edit.Action.UNDO, f"Undid: {edit.summary}")
    Edit.objects.filter(pk=edit.pk).update(undone_by=change.edit)
    story.status = Story.with_layers.values_list("status", flat=True).get(pk=story.pk)
    return change


@transaction.atomic
def edit_redo(*, story: Story, edit: Edit | None = None, version: int, user) -> ChangeLog:
    """Redo what the undo `edit` (default: redo_candidate) took back, as a new edit of action redo.

    The same guarantee as undo: if a later change touched a row the undo wrote, UndoRefused says which
    and nothing is written. The undo is marked undone_by the redo, and the redo is undone like any edit.
    """
    change = story_change(story=story, version=version, user=user)
    edit = edit or redo_candidate(story=story)
    if edit is None:
        raise UndoRefused("There is nothing to redo: redo follows an undo, before any new change.")
    _check_clean(edit, story, verb="redo")
    _replay(change, story, edit, verb="redo")
    change.record(Edit.Action.REDO, f"Redid: {edit.summary.removeprefix('Undid: ')}")
    Edit.objects.filter(pk=edit.pk).update(undone_by=change.edit)
    story.status = Story.with_layers.values_list("status", flat=True).get(pk=story.pk)
    return change
