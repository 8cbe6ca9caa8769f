"""API endpoints for what annotations owns: entities, characters, predictions, transitions, labels and
the dashboard's figures, each a thin call into the same service or selector the reader uses.

Every write takes the story `version` the client last saw and answers with the new one; a stale version
is 409 with the current `version` (annotations.services.changes.StaleVersion). Who may do what is
stories.policy's call, made inside the services; the role checks here are the same decorators' rules.
"""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from annotations.models import Character, Entity, Label
from annotations.selectors import dashboard as dashboard_selectors
from annotations.selectors import reader as reader_selectors
from annotations.services import characters as character_services
from annotations.services import editing, review
from annotations.services.changes import ChangeLog, StaleVersion
from annotations.services.predictions import (
    PredictedCharacter,
    PredictedSpan,
    PredictionsRefused,
    predictions_replace,
)
from annotations.services.settling import PendingSuggestions
from core import roles
from core.access import NO_EDITOR_ROLE, NO_REVIEWER_ROLE
from core.api import add_error, auth, responses
from nlp.scoring import LabelScore
from stories import policy
from stories.models import ImportBatch, Story

router = Router(auth=auth(roles.can_edit, NO_EDITOR_ROLE), tags=["entities"])
REVIEWERS = auth(policy.may_review, NO_REVIEWER_ROLE)

Version = Field(..., ge=1, description="The story version the client last saw.")
Settle = Literal["accept", "reject"] | None
SETTLE_HINT = "Send settle: accept or settle: reject to settle the pending suggestions in the same step."


def install_errors(api) -> None:
    add_error(api, StaleVersion, 409, lambda exc: {"version": exc.current})
    add_error(
        api, PendingSuggestions, 409, lambda exc: {"pending": exc.count, "details": {"settle": [SETTLE_HINT]}}
    )
    add_error(api, review.ReviewConflict, 409)
    add_error(api, PredictionsRefused, 409)


def _story(request, story_id: int) -> Story:
    return get_object_or_404(Story.objects.defer("text"), pk=story_id)


def _label(name: str) -> Label:
    label = Label.objects.filter(name=name).first()
    if label is None:
        known = ", ".join(Label.objects.values_list("name", flat=True))
        raise ValidationError({"label": [f"Unknown label {name!r}. Known labels: {known}."]})
    return label


# --- Schemas --------------------------------------------------------------------------------


class EntityOut(Schema):
    id: int
    start: int
    end: int
    text: str
    label: str = Field(..., alias="label_id")
    state: str = Field(..., alias="review_state")
    origin: str
    character: int | None = Field(None, alias="character_id")
    source_model: str


class CharacterOut(Schema):
    id: int
    name: str
    aliases: list[str]
    gender: str
    origin: str
    mentions: int = 0


class ChangeOut(Schema):
    version: int
    status: str
    summary: str
    others_changed: bool = Field(
        False, description="Someone else changed the story since your version: re-read it before going on."
    )
    entity: EntityOut | None = None
    character: CharacterOut | None = None


class StoryStateOut(Schema):
    id: int
    status: str
    version: int
    review_comment: str


class EntityIn(Schema):
    start: int = Field(..., ge=0)
    end: int = Field(..., ge=1)
    label: str = Field(..., min_length=1, max_length=40)
    version: int = Version


class EntityChangeIn(Schema):
    version: int = Version
    label: str | None = Field(None, min_length=1, max_length=40)
    start: int | None = Field(None, ge=0)
    end: int | None = Field(None, ge=1)


class VersionIn(Schema):
    version: int = Version


class BulkIn(Schema):
    version: int = Version
    decision: Literal["accept", "reject"]


class LinkIn(Schema):
    version: int = Version
    character: int | None = Field(None, description="A character of this story; null unlinks.")
    new_name: str = Field("", max_length=300, description="Link to a new character with this name.")


class CharacterIn(Schema):
    version: int = Version
    name: str = Field(..., min_length=1, max_length=300)


class CharacterChangeIn(Schema):
    version: int = Version
    name: str | None = Field(None, min_length=1, max_length=300)
    gender: Literal["female", "male", "nonbinary", "unknown"] | None = None


class MergeIn(Schema):
    version: int = Version
    into: int = Field(..., description="The character that absorbs this one.")


class SplitIn(Schema):
    version: int = Version
    alias: str = Field(..., min_length=1, max_length=300)


class SpanIn(Schema):
    start: int = Field(..., ge=0)
    end: int = Field(..., ge=1)
    label: str = Field(..., min_length=1, max_length=40)
    character: int | None = Field(None, ge=0, description="Index into `characters`.")


class PredictedCharacterIn(Schema):
    name: str = Field(..., min_length=1, max_length=300)
    aliases: list[str] = Field(default_factory=list, max_length=100)
    gender: Literal["female", "male", "nonbinary", "unknown"] = "unknown"


class PredictionsIn(Schema):
    version: int = Version
    model: str = Field(..., min_length=1, max_length=100, description="The outside model's name.")
    spans: list[SpanIn] = Field(..., max_length=20000)
    characters: list[PredictedCharacterIn] = Field(default_factory=list, max_length=5000)


class PredictionsOut(Schema):
    version: int
    added: int
    replaced: int
    skipped: int
    characters_added: int
    characters_removed: int


class DoneIn(Schema):
    version: int = Version
    settle: Settle = None


class ApproveIn(Schema):
    settle: Settle = None


class ReturnIn(Schema):
    comment: str = Field(..., min_length=1, max_length=review.COMMENT_MAX_CHARS)


class LabelOut(Schema):
    name: str
    description: str
    color: str
    hotkey: str
    shown: bool
    order: int


# --- Entities -------------------------------------------------------------------------------


def _changed(story: Story, change: ChangeLog) -> dict:
    # story_change() left the new version and status on `story`: no need to read them back.
    entity = change.focus if change.focus is not None and change.focus.pk else None
    character = None
    if change.character_id:
        character = Character.objects.filter(pk=change.character_id).first()
    return {
        "version": story.version,
        "status": story.status,
        "summary": change.edit.summary if change.edit else "Saved",
        "others_changed": change.others_changed,
        "entity": entity,
        "character": _character_out(character, _mentions(story, character)) if character else None,
    }


def _mentions(story: Story, character: Character) -> int:
    stats = reader_selectors.character_stats(story=story, character_id=character.pk)
    return stats.get(character.pk, (0, None))[0]


def _character_out(character: Character, mentions: int) -> dict:
    return {
        "id": character.pk, "name": character.name, "aliases": character.aliases, "gender": character.gender,
        "origin": character.origin, "mentions": mentions,
    }  # fmt: skip


@router.post("/stories/{story_id}/entities", response=responses({201: ChangeOut}), summary="Tag a span")
def entity_create(request, story_id: int, payload: EntityIn):
    """Tag [start, end) with `label`, snapped to tokens as in the reader. Selecting an existing entity
    exactly relabels it."""
    story = _story(request, story_id)
    change = editing.entity_create(
        story=story, start=payload.start, end=payload.end, label=_label(payload.label),
        user=request.user, version=payload.version,
    )  # fmt: skip
    return Status(201, _changed(story, change))


@router.patch(
    "/stories/{story_id}/entities/{entity_id}", response=responses({200: ChangeOut}),
    summary="Change an entity's label or bounds",
)  # fmt: skip
def entity_change(request, story_id: int, entity_id: int, payload: EntityChangeIn):
    """`label` relabels; `start` and `end` (both) move the bounds, snapped to tokens. The entity is
    accepted afterwards. Both at once are two changes, so the version goes up by two."""
    story = _story(request, story_id)
    get_object_or_404(Entity, story=story, pk=entity_id)
    bounds = (payload.start, payload.end)
    if payload.label is None and bounds == (None, None):
        raise ValidationError({"label": ["Send a new label, or new start and end, or both."]})
    if (None in bounds) and bounds != (None, None):
        raise ValidationError({"start": ["Send start and end together to move an entity's bounds."]})
    version, change = payload.version, None
    if payload.label is not None:
        change = editing.entity_relabel(
            story=story, pk=entity_id, label=_label(payload.label), user=request.user, version=version
        )
        version = story.version
    if payload.start is not None:
        change = editing.entity_set_bounds(
            story=story,
            pk=entity_id,
            start=payload.start,
            end=payload.end,
            user=request.user,
            version=version,
        )
    return _changed(story, change)


@router.post(
    "/stories/{story_id}/entities/{entity_id}/accept", response=responses({200: ChangeOut}),
    summary="Accept a suggestion",
)  # fmt: skip
def entity_accept(request, story_id: int, entity_id: int, payload: VersionIn):
    story = _story(request, story_id)
    get_object_or_404(Entity, story=story, pk=entity_id)
    change = editing.entity_accept(story=story, pk=entity_id, user=request.user, version=payload.version)
    return _changed(story, change)


@router.post(
    "/stories/{story_id}/entities/{entity_id}/reject", response=responses({200: ChangeOut}),
    summary="Reject a suggestion",
)  # fmt: skip
def entity_reject(request, story_id: int, entity_id: int, payload: VersionIn):
    """Reject a pending suggestion; it stays, rejected, so the model's draft is still known."""
    story = _story(request, story_id)
    row = get_object_or_404(Entity, story=story, pk=entity_id)
    if row.review_state != Entity.ReviewState.PENDING:
        raise ValidationError(
            f"“{row.text}” is not a pending suggestion (it is {row.get_review_state_display()}); "
            "delete it instead."
        )
    change = editing.entity_delete(story=story, pk=entity_id, user=request.user, version=payload.version)
    return _changed(story, change)


@router.delete(
    "/stories/{story_id}/entities/{entity_id}", response=responses({200: ChangeOut}),
    summary="Delete an entity",
)  # fmt: skip
def entity_delete(request, story_id: int, entity_id: int, version: int = Query(..., ge=1)):
    """Remove it from the final set, as the reader does: a model's prediction is kept as rejected."""
    story = _story(request, story_id)
    get_object_or_404(Entity, story=story, pk=entity_id)
    change = editing.entity_delete(story=story, pk=entity_id, user=request.user, version=version)
    return _changed(story, change)


@router.post(
    "/stories/{story_id}/labels/{label}/review", response=responses({200: ChangeOut}),
    summary="Accept or reject every pending suggestion of one label",
)  # fmt: skip
def label_review(request, story_id: int, label: str, payload: BulkIn):
    story = _story(request, story_id)
    change = editing.entities_review_label(
        story=story, label=_label(label), accept=payload.decision == "accept",
        user=request.user, version=payload.version,
    )  # fmt: skip
    return _changed(story, change)


@router.post(
    "/stories/{story_id}/entities/{entity_id}/link", response=responses({200: ChangeOut}),
    summary="Link a mention to a character", tags=["characters"],
)  # fmt: skip
def entity_link(request, story_id: int, entity_id: int, payload: LinkIn):
    story = _story(request, story_id)
    get_object_or_404(Entity, story=story, pk=entity_id)
    change = editing.entity_link(
        story=story, pk=entity_id, character_id=payload.character, new_name=payload.new_name,
        user=request.user, version=payload.version,
    )  # fmt: skip
    return _changed(story, change)


# --- Characters ------------------------------------------------------------------------------


@router.get(
    "/stories/{story_id}/characters", response=responses({200: list[CharacterOut]}), tags=["characters"]
)
def character_list(request, story_id: int):
    """The story's characters in reading order (by first mention), as the reader's panel lists them."""
    story = _story(request, story_id)
    return [_character_out(c, c.mention_count) for c in reader_selectors.character_panel(story=story)]


@router.post("/stories/{story_id}/characters", response=responses({201: ChangeOut}), tags=["characters"])
def character_create(request, story_id: int, payload: CharacterIn):
    story = _story(request, story_id)
    change = character_services.character_create(
        story=story, name=payload.name, user=request.user, version=payload.version
    )
    return Status(201, _changed(story, change))


def _character(story: Story, character_id: int) -> Character:
    return get_object_or_404(Character, story=story, pk=character_id)


@router.patch(
    "/stories/{story_id}/characters/{character_id}", response=responses({200: ChangeOut}), tags=["characters"]
)
def character_change(request, story_id: int, character_id: int, payload: CharacterChangeIn):
    """Rename (the old name becomes an alias) and/or set the gender; each is one change."""
    story = _story(request, story_id)
    _character(story, character_id)
    if payload.name is None and payload.gender is None:
        raise ValidationError({"name": ["Send a new name, a gender, or both."]})
    version, change = payload.version, None
    if payload.name is not None:
        change = character_services.character_rename(
            story=story, pk=character_id, name=payload.name, user=request.user, version=version
        )
        version = story.version
    if payload.gender is not None:
        change = character_services.character_set_gender(
            story=story, pk=character_id, gender=payload.gender, user=request.user, version=version
        )
    return _changed(story, change)


@router.post(
    "/stories/{story_id}/characters/{character_id}/merge",
    response=responses({200: ChangeOut}),
    tags=["characters"],
)
def character_merge(request, story_id: int, character_id: int, payload: MergeIn):
    """Merge this character into `into`: its mentions move, its names become aliases, it is deleted."""
    story = _story(request, story_id)
    _character(story, character_id)
    _character(story, payload.into)
    change = character_services.character_merge(
        story=story, source_pk=character_id, target_pk=payload.into, user=request.user,
        version=payload.version,
    )  # fmt: skip
    return _changed(story, change)


@router.post(
    "/stories/{story_id}/characters/{character_id}/split",
    response=responses({200: ChangeOut}),
    tags=["characters"],
)
def character_split(request, story_id: int, character_id: int, payload: SplitIn):
    story = _story(request, story_id)
    _character(story, character_id)
    change = character_services.character_split(
        story=story, pk=character_id, alias=payload.alias, user=request.user, version=payload.version
    )
    return _changed(story, change)


@router.delete(
    "/stories/{story_id}/characters/{character_id}", response=responses({200: ChangeOut}), tags=["characters"]
)
def character_delete(request, story_id: int, character_id: int, version: int = Query(..., ge=1)):
    """Delete the character; its mentions stay as entities, unlinked."""
    story = _story(request, story_id)
    _character(story, character_id)
    change = character_services.character_delete(
        story=story, pk=character_id, user=request.user, version=version
    )
    return _changed(story, change)


# --- Predictions from an outside model -------------------------------------------------------


@router.post(
    "/stories/{story_id}/predictions", response=responses({200: PredictionsOut}),
    summary="Store an outside model's suggestions", tags=["predictions"],
)  # fmt: skip
def predictions(request, story_id: int, payload: PredictionsIn):
    """Spans (and optionally characters) become pending suggestions tagged with `model`. They replace
    that model's earlier pending suggestions on the story and never touch what editors decided: spans
    that overlap or repeat a kept entity are skipped (counted in `skipped`)."""
    story = _story(request, story_id)
    result = predictions_replace(
        story=story,
        model_name=payload.model,
        spans=[PredictedSpan(s.start, s.end, s.label, s.character) for s in payload.spans],
        characters=[PredictedCharacter(c.name, tuple(c.aliases), c.gender) for c in payload.characters],
        user=request.user,
        version=payload.version,
    )
    return {
        "version": result.story.version, "added": result.added, "replaced": result.removed,
        "skipped": result.skipped, "characters_added": result.characters_added,
        "characters_removed": result.characters_removed,
    }  # fmt: skip


# --- Transitions -----------------------------------------------------------------------------


def _state(story: Story) -> dict:
    story.refresh_from_db(fields=["status", "version", "review_comment"])
    return {
        "id": story.pk,
        "status": story.status,
        "version": story.version,
        "review_comment": story.review_comment,
    }


@router.post(
    "/stories/{story_id}/done",
    response=responses({200: StoryStateOut}),
    summary="Mark done",
    tags=["transitions"],
)
def story_done(request, story_id: int, payload: DoneIn):
    """Ready for review. Pending suggestions refuse it (409 with `pending`) unless `settle` says to
    accept or reject the rest in the same step."""
    story = _story(request, story_id)
    editing.story_mark_done(story=story, user=request.user, version=payload.version, settle=payload.settle)
    return _state(story)


@router.post(
    "/stories/{story_id}/approve", response=responses({200: StoryStateOut}), summary="Approve",
    auth=REVIEWERS, tags=["transitions"],
)  # fmt: skip
def story_approve(request, story_id: int, payload: ApproveIn):
    """Reviewers: approve a done story; pending suggestions refuse it unless `settle` is given."""
    story = get_object_or_404(Story.objects.defer("text"), pk=story_id)
    return _state(review.story_approve(story=story, user=request.user, settle=payload.settle))


@router.post(
    "/stories/{story_id}/return", response=responses({200: StoryStateOut}), summary="Return", auth=REVIEWERS,
    tags=["transitions"],
)  # fmt: skip
def story_return(request, story_id: int, payload: ReturnIn):
    """Reviewers: send a done or approved story back to its editor with a comment they will see."""
    story = get_object_or_404(Story.objects.defer("text"), pk=story_id)
    return _state(review.story_return(story=story, user=request.user, comment=payload.comment))


@router.post(
    "/stories/{story_id}/reopen",
    response=responses({200: StoryStateOut}),
    summary="Reopen",
    tags=["transitions"],
)
def story_reopen(request, story_id: int):
    """Admins: move an approved story back to In progress."""
    story = get_object_or_404(Story.objects.defer("text"), pk=story_id)
    return _state(review.story_reopen(story=story, user=request.user))


# --- Labels and figures ----------------------------------------------------------------------


@router.get("/labels", response=responses({200: list[LabelOut]}), tags=["labels"])
def label_list(request):
    return list(Label.objects.all())


class ScoreOut(Schema):
    label: str
    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None


class ConfusionOut(Schema):
    kind: str
    predicted: str | None
    gold: str | None
    count: int


class StatusCountOut(Schema):
    status: str
    name: str
    count: int


class WorkOut(Schema):
    user: str
    edits: int
    stories_done: int
    approvals: int
    returns: int


class LabelCountOut(Schema):
    label: str
    final: int
    model: int


class DashboardOut(Schema):
    evaluated_status: str
    stories: int
    pending_left_out: int
    scores: list[ScoreOut]
    overall: ScoreOut
    confusions: list[ConfusionOut]
    statuses: list[StatusCountOut]
    work: list[WorkOut]
    labels: list[LabelCountOut]


def _score(score: LabelScore) -> dict:
    return {
        "label": score.label, "tp": score.tp, "fp": score.fp, "fn": score.fn,
        "precision": score.precision, "recall": score.recall, "f1": score.f1,
    }  # fmt: skip


@router.get("/dashboard", response=responses({200: DashboardOut}), tags=["figures"], auth=REVIEWERS)
def dashboard(
    request,
    status: Literal["all", "new", "in_progress", "done", "approved", "returned"] = "approved",
    batch: int | None = Query(None, description="An import batch id."),
):
    """The dashboard's figures as JSON: model-vs-final scores per label (of stories with `status`),
    stories by status, work per user, spans per label."""
    batch_row = get_object_or_404(ImportBatch, pk=batch) if batch is not None else None
    stories = dashboard_selectors.evaluation_stories(status=status, batch=batch_row)
    result = dashboard_selectors.evaluation_compute(stories=stories)
    return {
        "evaluated_status": status,
        "stories": result.stories,
        "pending_left_out": dashboard_selectors.pending_left_out(stories=stories),
        "scores": [_score(s) for s in result.labels],
        "overall": _score(result.overall),
        "confusions": [
            {"kind": c.kind, "predicted": c.predicted, "gold": c.gold, "count": c.count}
            for c in result.confusions
        ],
        "statuses": [
            {"status": value, "name": name, "count": n}
            for value, name, n in dashboard_selectors.status_counts(batch=batch_row)
        ],
        "work": [
            {
                "user": row["user__username"],
                "edits": row["edits"],
                "stories_done": row["stories_done"],
                "approvals": row["approvals"],
                "returns": row["returns"],
            }
            for row in dashboard_selectors.editor_work(batch=batch_row)
        ],  # fmt: skip
        "labels": [
            {"label": row["label"], "final": row["final"], "model": row["model"]}
            for row in dashboard_selectors.label_frequencies(batch=batch_row)
        ],
    }
