"""Reads for reviewers: the queue of stories marked done, and what the editor changed in one story.

`review_queue()` returns stories with per-story change counts computed in the database, page by page.
`review_diff(story=...)` compares the editors' final set with the model's original draft (both live in
the Entity table, see annotations.models) and collects character merges, renames and deletions
from the edit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from annotations.models import Character, Edit, Entity, final_condition, model_draft_condition
from core.pagination import capped_count
from stories.models import Story

# The queue's tabs count this far and then show "1000+".
TAB_COUNT_CAP = 1000

# How much story text to show either side of a changed span.
CONTEXT_CHARS = 60

REVIEW_ACTIONS = (Edit.Action.APPROVE, Edit.Action.RETURN)
QUEUE_STATUSES = (
    Story.Status.ADJUDICATION,
    Story.Status.DONE,
    Story.Status.RETURNED,
    Story.Status.APPROVED,
)

_FINAL = final_condition()
_FROM_MODEL = model_draft_condition()
_ACCEPTED = Q(review_state=Entity.ReviewState.ACCEPTED)
_AS_DRAFTED = Q(label=F("model_label"), start=F("model_start"), end=F("model_end"))
# Each count the queue shows, as a condition on one story's entities.
CHANGE_COUNTS = {
    "span_count": _FINAL,
    # Never decided: with the rule that Done means settled, only stories In progress or returned
    # show a number here, and the reviewer sees it before opening them.
    "pending": Q(review_state=Entity.ReviewState.PENDING),
    "confirmed": _FROM_MODEL & _ACCEPTED & _AS_DRAFTED,
    "added": _FINAL & ~_FROM_MODEL,
    "removed": _FROM_MODEL & Q(review_state=Entity.ReviewState.REJECTED),
    "relabelled": _FINAL & _FROM_MODEL & ~Q(label=F("model_label")),
    "rebounded": _FINAL & _FROM_MODEL & (~Q(start=F("model_start")) | ~Q(end=F("model_end"))),
}


def _count_of_entities(condition: Q) -> Coalesce:
    """A correlated count, not a join with GROUP BY: the database pages the stories first and counts
    only the page's entities, so the queue costs the same at 1,000 stories and at 100,000."""
    rows = Entity.objects.filter(condition, story=OuterRef("pk")).order_by().values("story")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def review_queue(*, status: str = Story.Status.DONE, batch_id: int | None = None) -> QuerySet[Story]:
    """Stories with `status` (default: done, awaiting review), oldest first, with change counts.

    Each story carries: last_editor (who last edited it), character_count, and every CHANGE_COUNTS key.
    """
    last_editor = (
        Edit.objects.filter(story=OuterRef("pk"), user__isnull=False)
        .exclude(action__in=(*REVIEW_ACTIONS, Edit.Action.REVERT))
        .order_by("-id")
        .values("user__username")[:1]
    )
    character_count = (
        Character.objects.filter(story=OuterRef("pk"))
        .order_by()
        .values("story")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    counts = {name: _count_of_entities(condition) for name, condition in CHANGE_COUNTS.items()}
    stories = (
        Story.objects.filter(status=status)
        .select_related("batch", "assigned_to")
        .defer("text", "meta")
        .annotate(last_editor=Subquery(last_editor), character_count=Subquery(character_count), **counts)
        .order_by("updated_at", "id")
    )
    if batch_id:
        stories = stories.filter(batch_id=batch_id)
    return stories


def review_status_counts() -> dict[str, int]:
    """How many stories are in each review-relevant status (for the queue's tabs), each counted up to
    TAB_COUNT_CAP + 1 (the tab then shows "1000+"): a walk of at most that many entries of the
    `story_status_updated` index per status, where an exact count read every story of the status."""
    return {
        status: capped_count(Story.objects.filter(status=status), TAB_COUNT_CAP) for status in QUEUE_STATUSES
    }


def next_in_queue(*, after: Story) -> Story | None:
    """The next story awaiting review after `after`, so a reviewer can keep going."""
    return (
        Story.objects.filter(status=Story.Status.DONE)
        .exclude(pk=after.pk)
        .only("id", "title")
        .order_by("updated_at", "id")
        .first()
    )


@dataclass
class SpanChange:
    entity: Entity
    before: str  # story text just before the span
    after: str  # story text just after it
    model_text: str = ""  # what the model's original bounds covered, for re-bounded spans


@dataclass
class CharacterChange:
    kind: str  # "merge", "rename", "delete", "gender", "split" or "added"
    summary: str
    old_names: list[str] = field(default_factory=list)
    new_name: str = ""
    detail: str = ""  # for "gender": "unknown → female"
    user: str = ""
    when: object = None
    edit_id: int | None = None  # the logged change a reviewer can revert, if there is one


@dataclass
class ReviewDiff:
    added: list[SpanChange] = field(default_factory=list)
    removed: list[SpanChange] = field(default_factory=list)
    relabelled: list[SpanChange] = field(default_factory=list)
    rebounded: list[SpanChange] = field(default_factory=list)
    characters: list[CharacterChange] = field(default_factory=list)
    # Model predictions still pending: the editor neither accepted nor rejected them.
    pending: list[SpanChange] = field(default_factory=list)
    unchanged: int = 0  # model predictions kept exactly as drafted

    @property
    def untouched(self) -> int:
        return len(self.pending)

    @property
    def span_change_count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.relabelled) + len(self.rebounded)

    @property
    def groups(self) -> list[tuple[str, str, list[SpanChange]]]:
        """(key, heading, changes) in display order; the key doubles as CSS class and anchor."""
        return [
            ("added", "Added by the editor", self.added),
            ("removed", "Removed model predictions", self.removed),
            ("relabelled", "Relabelled", self.relabelled),
            ("rebounded", "Re-bounded", self.rebounded),
        ]


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    # Start and stop on whole words unless the span is near the edge of the story.
    if start > CONTEXT_CHARS and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if end + CONTEXT_CHARS < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return before, after


def _change(text: str, entity: Entity, *, model_text: str = "") -> SpanChange:
    before, after = _context(text, entity.start, entity.end)
    return SpanChange(entity, before, after, model_text)


def _span_changes(story: Story, diff: ReviewDiff) -> None:
    text = story.text
    rows = Entity.objects.filter(story=story).select_related("label", "character").order_by("start", "end")
    for row in rows:
        from_model = row.model_label != ""
        rejected = row.review_state == Entity.ReviewState.REJECTED
        if not from_model:
            if not rejected:
                diff.added.append(_change(text, row))
            continue
        if rejected:
            # Show where the model's span was, not where an editor may have dragged it before rejecting.
            before, after = _context(text, row.model_start, row.model_end)
            model_text = text[row.model_start : row.model_end]
            diff.removed.append(SpanChange(row, before, after, model_text))
            continue
        relabelled = row.label_id != row.model_label
        rebounded = (row.start, row.end) != (row.model_start, row.model_end)
        if relabelled:
            diff.relabelled.append(_change(text, row))
        if rebounded:
            diff.rebounded.append(_change(text, row, model_text=text[row.model_start : row.model_end]))
        if not relabelled and not rebounded:
            if row.review_state == Entity.ReviewState.PENDING:
                diff.pending.append(_change(text, row))
            else:
                diff.unchanged += 1


def _snapshots(rows: object) -> dict[object, dict | None]:
    """{character id: fields or None} from an Edit's before/after list; tolerant of other shapes."""
    found: dict[object, dict | None] = {}
    if not isinstance(rows, list):
        return found
    for row in rows:
        if isinstance(row, dict) and row.get("model") == "character":
            fields = row.get("fields")
            found[row.get("id")] = fields if isinstance(fields, dict) else None
    return found


def _name(fields: dict | None) -> str:
    return str(fields.get("name", "")) if fields else ""


def _character_change(edit: Edit) -> CharacterChange:
    before, after = _snapshots(edit.before), _snapshots(edit.after)
    user = edit.user.get_username() if edit.user else ""
    change = CharacterChange(
        kind=edit.action, summary=edit.summary, user=user, when=edit.created_at, edit_id=edit.pk
    )
    if edit.action == Edit.Action.CHARACTER_RENAME:
        change.kind = "rename"
        for pk, fields in before.items():
            if _name(fields) and _name(after.get(pk)) and _name(fields) != _name(after.get(pk)):
                change.old_names, change.new_name = [_name(fields)], _name(after.get(pk))
                break
    elif edit.action == Edit.Action.CHARACTER_MERGE:
        change.kind = "merge"
        # The characters that disappeared were merged into the one that is still there.
        change.old_names = [_name(before.get(pk)) for pk, fields in after.items() if fields is None]
        change.old_names = [name for name in change.old_names if name]
        kept = [_name(fields) for fields in after.values() if fields is not None and _name(fields)]
        change.new_name = kept[0] if kept else ""
    elif edit.action == Edit.Action.CHARACTER_DELETE:
        change.kind = "delete"
        change.old_names = [_name(fields) for fields in before.values() if _name(fields)]
    elif edit.action == Edit.Action.CHARACTER_GENDER:
        change.kind = "gender"
        for pk, fields in before.items():
            now = after.get(pk)
            if fields and now and fields.get("gender") != now.get("gender"):
                change.old_names = [_name(now)]
                change.detail = f"{fields.get('gender')} → {now.get('gender')}"
                break
    elif edit.action == Edit.Action.CHARACTER_SPLIT:
        change.kind = "split"
        # The split-off character is the one that did not exist before; the other lost that alias.
        change.new_name = next((_name(f) for pk, f in after.items() if f and before.get(pk) is None), "")
        change.old_names = [_name(f) for pk, f in after.items() if f and before.get(pk) and _name(f)][:1]
    return change


def _character_changes(story: Story, diff: ReviewDiff) -> None:
    edits = (
        Edit.objects.filter(
            story=story,
            undone_by__isnull=True,
            action__in=[
                Edit.Action.CHARACTER_MERGE,
                Edit.Action.CHARACTER_RENAME,
                Edit.Action.CHARACTER_DELETE,
                Edit.Action.CHARACTER_GENDER,
                Edit.Action.CHARACTER_SPLIT,
            ],
        )
        .select_related("user")
        .order_by("id")
    )
    diff.characters = [_character_change(edit) for edit in edits]
    created = {
        _only_id(edit.after): edit
        for edit in Edit.objects.filter(
            story=story, undone_by__isnull=True, action=Edit.Action.CHARACTER_CREATE
        ).select_related("user")
    }
    for character in Character.objects.filter(story=story).exclude(origin=Character.Origin.MODEL):
        edit = created.get(character.pk)
        diff.characters.append(
            CharacterChange(
                kind="added",
                summary=f"Added character {character.name}",
                new_name=character.name,
                when=character.created_at,
                user=edit.user.get_username() if edit and edit.user else "",
                edit_id=edit.pk if edit else None,
            )
        )


def _only_id(rows: object) -> object:
    """The id of the single row an Edit snapshot names (a character create logs exactly one)."""
    return rows[0].get("id") if isinstance(rows, list) and rows and isinstance(rows[0], dict) else None


def review_diff(*, story: Story) -> ReviewDiff:
    """What the editors changed in `story` against the model's original draft, grouped by kind.

    A span both relabelled and re-bounded is listed under both. Undone character edits are ignored.
    """
    diff = ReviewDiff()
    _span_changes(story, diff)
    _character_changes(story, diff)
    return diff


def story_review_history(*, story: Story, limit: int = 20) -> QuerySet[Edit]:
    """The story's most recent approvals and returns, newest first."""
    return Edit.objects.filter(story=story, action__in=REVIEW_ACTIONS).select_related("user")[:limit]
