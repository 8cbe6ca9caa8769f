"""Labels, entity annotations, characters, the edit log, and learned patterns.

An `Entity` is a character-offset span `[start, end)` into `Story.text`. Model predictions are
never deleted by editors: a rejected prediction keeps its row with `review_state=rejected`, and
`model_start/model_end/model_label` keep what the model first said even after a relabel or resize.
So "the model's original predictions" and "the editors' final set" are both queries over one table.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from stories.models import Story

# Whitespace an entity may not start or end on. The check constraints below test each one.
SPAN_EDGE_WHITESPACE = (" ", "\n", "\t", "\r", "\xa0", "\u2009", "\u200a", "\u202f", "\u3000")


class Origin(models.TextChoices):
    """Where an entity or a character came from; one vocabulary for both."""

    MODEL = "model", "Model"
    EDITOR = "editor", "Editor"
    IMPORTED = "imported", "Imported"


LABEL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")
LABEL_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def validate_label_name(value: str) -> None:
    """A name that is safe everywhere it goes: URLs, CSS selectors, CoNLL tags, brat type names."""
    if not LABEL_NAME.fullmatch(value or ""):
        raise ValidationError(
            "A label name is 1 to 40 characters: a letter, then letters, digits, _ or - "
            "(e.g. PERSON, WORK_OF_ART); got %(value)r.",
            code="invalid_label_name",
            params={"value": value},
        )


def validate_label_color(value: str) -> None:
    if not LABEL_COLOR.fullmatch(value or ""):
        raise ValidationError(
            "A label colour is # and six hex digits, e.g. #1d5fbf; got %(value)r.",
            code="invalid_label_color",
            params={"value": value},
        )


class Label(models.Model):
    name = models.CharField(
        max_length=40, unique=True, validators=[validate_label_name],
        help_text="Code used in exports, e.g. PERSON: a letter, then letters, digits, _ or -.",
    )  # fmt: skip
    description = models.CharField(max_length=200, blank=True)
    color = models.CharField(
        max_length=7,
        default="#cccccc",
        validators=[validate_label_color],
        help_text="Background colour, #rrggbb.",
    )
    hotkey = models.CharField(max_length=1, blank=True, help_text="One key, 1–9 or a letter.")
    shown = models.BooleanField(default=True, help_text="Shown in the editor by default.")
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hotkey"], condition=~Q(hotkey=""), name="label_hotkey_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Character(models.Model):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NONBINARY = "nonbinary", "Non-binary"
        UNKNOWN = "unknown", "Unknown"

    Origin = Origin

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="characters")
    name = models.CharField(max_length=300)
    aliases = models.JSONField(default=list, blank=True)
    gender = models.CharField(max_length=10, choices=Gender, default=Gender.UNKNOWN)
    origin = models.CharField(max_length=10, choices=Origin, default=Origin.MODEL)
    # The outside model that suggested it through the API; blank for Fabula's own pipeline and editors.
    source_model = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["story", "id"]

    def __str__(self) -> str:
        return self.name


def edge_whitespace_free() -> Q:
    """A condition true when `text` neither starts nor ends with whitespace."""
    condition = Q()
    for char in SPAN_EDGE_WHITESPACE:
        condition &= ~Q(text__startswith=char) & ~Q(text__endswith=char)
    return condition


def final_condition(relation: str = "") -> Q:
    """The editors' final set, as a condition; `relation` ("entities__") reaches it from a story."""
    return ~Q(**{f"{relation}review_state": "rejected"})


def model_draft_condition(relation: str = "") -> Q:
    """Rows the model predicted, as a condition; `relation` as for final_condition()."""
    return ~Q(**{f"{relation}model_label": ""})


class EntityQuerySet(models.QuerySet):
    """The three sets every read starts from, written once."""

    def final(self) -> EntityQuerySet:
        """The editors' final set: everything not rejected (accepted, imported, and pending)."""
        return self.filter(final_condition())

    def model_draft(self) -> EntityQuerySet:
        """What the model predicted, whatever became of it (model_* keep its original span and label)."""
        return self.filter(model_draft_condition())

    def pending(self) -> EntityQuerySet:
        """Suggestions nobody has decided yet."""
        return self.filter(review_state=Entity.ReviewState.PENDING)


class Entity(models.Model):
    Origin = Origin

    class ReviewState(models.TextChoices):
        PENDING = "pending", "Suggested"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="entities")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # The covered text, story.text[start:end]; stored so the database can check the span's edges.
    text = models.TextField()
    label = models.ForeignKey(
        Label, to_field="name", db_column="label", on_delete=models.PROTECT, related_name="entities"
    )
    character = models.ForeignKey(
        Character, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    origin = models.CharField(max_length=10, choices=Origin, default=Origin.MODEL)
    review_state = models.CharField(
        max_length=10, choices=ReviewState, default=ReviewState.PENDING, db_index=True
    )
    # What the model originally predicted; null for spans an editor or an import created.
    model_start = models.PositiveIntegerField(null=True, blank=True)
    model_end = models.PositiveIntegerField(null=True, blank=True)
    model_label = models.CharField(max_length=40, blank=True)
    # The outside model that suggested it through the API (its later predictions replace its pending
    # ones); blank for Fabula's own pipeline, editors and imports.
    source_model = models.CharField(max_length=100, blank=True, db_index=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        ordering = ["story", "start", "end"]
        verbose_name_plural = "entities"
        indexes = [models.Index(fields=["story", "start"], name="entity_story_start")]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="entity_start_nonnegative"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="entity_start_before_end"),
            models.CheckConstraint(
                condition=Exact(Length("text"), F("end") - F("start")),
                name="entity_text_matches_offsets",
            ),
            models.CheckConstraint(condition=edge_whitespace_free(), name="entity_no_edge_whitespace"),
            models.UniqueConstraint(
                fields=["story", "start", "end", "label"], name="entity_unique_span_label"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label_id} [{self.start}, {self.end}) {self.text!r}"


class Edit(models.Model):
    """One editor or reviewer action on a story, with enough before/after state to undo it.

    `before` and `after` are lists of row snapshots ({"model": "entity"|"character", "id": ..,
    "fields": {...}}; `fields` is null for a row that did not exist). One action that touches many
    rows (a merge, "apply to all") is one Edit, so it undoes as one.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created span"
        RELABEL = "relabel", "Changed label"
        RESIZE = "resize", "Changed bounds"
        DELETE = "delete", "Deleted span"
        ACCEPT = "accept", "Accepted suggestion"
        REJECT = "reject", "Rejected suggestion"
        LINK = "link", "Linked character"
        APPLY_ALL = "apply_all", "Applied to all mentions"
        CHARACTER_CREATE = "character_create", "Created character"
        CHARACTER_RENAME = "character_rename", "Renamed character"
        CHARACTER_MERGE = "character_merge", "Merged characters"
        CHARACTER_SPLIT = "character_split", "Split alias"
        CHARACTER_GENDER = "character_gender", "Set gender"
        CHARACTER_DELETE = "character_delete", "Deleted character"
        STATUS = "status", "Changed status"
        APPROVE = "approve", "Approved"
        RETURN = "return", "Returned"
        UNDO = "undo", "Undid a change"
        REDO = "redo", "Redid a change"
        REVERT = "revert", "Reverted to the model's draft"
        PREDICT = "predict", "Stored an outside model's suggestions"
        LAYER_IMPORT = "layer_import", "Imported an annotator's layer"
        ADJUDICATE = "adjudicate", "Adjudicated"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="edits")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="edits"
    )
    action = models.CharField(max_length=20, choices=Action)
    summary = models.CharField(max_length=500, blank=True)
    before = models.JSONField(default=list, blank=True)
    after = models.JSONField(default=list, blank=True)
    story_version = models.PositiveIntegerField(default=0, help_text="The story's version after this edit.")
    undone_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undoes"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["story", "-id"], name="edit_story_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on story {self.story_id}"


class LearnedPattern(models.Model):
    """A text that editors consistently tag with one label; it pre-annotates later extractions."""

    class Source(models.TextChoices):
        LEARNED = "learned", "Learned from corrections"
        MANUAL = "manual", "Added by an admin"
        SEED = "seed", "Shipped rule"

    text = models.CharField(max_length=300)
    label = models.ForeignKey(Label, to_field="name", db_column="label", on_delete=models.CASCADE)
    enabled = models.BooleanField(default=True)
    source = models.CharField(max_length=10, choices=Source, default=Source.LEARNED)
    # Where it came from: {"stories": [ids], "edits": n, "agreement": 0.95}
    evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["text"]
        constraints = [
            models.UniqueConstraint(fields=["text", "label"], name="learned_pattern_unique_text_label")
        ]

    def __str__(self) -> str:
        return f"{self.text!r} → {self.label_id}"


class Presence(models.Model):
    """Who has a story open in the reader: each open page touches its row every few seconds.

    In the database, not a process cache, so every web worker sees every reader.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presences")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["story", "user"], name="presence_one_per_reader")]
        indexes = [models.Index(fields=["story", "seen_at"], name="presence_story_seen")]


class AdjudicationDecision(models.Model):
    """A reviewer's settlement of one place where annotators' layers differ, kept so the adjudication
    page knows what is settled. The change itself is an Edit of the story (`edit`), like any other.

    `key` names the place: "start-end" of the disagreeing spans' extent, or a character's folded name.
    `choice` is the username whose version was taken, or "" when the reviewer kept the final layer as
    they edited it.
    """

    class Kind(models.TextChoices):
        SPAN = "span", "Span"
        CHARACTER = "character", "Character"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="adjudication_decisions")
    kind = models.CharField(max_length=10, choices=Kind)
    key = models.CharField(max_length=300)
    choice = models.CharField(max_length=150, blank=True)
    edit = models.ForeignKey(Edit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["story", "kind", "key"], name="adjudication_one_decision_per_place"
            )
        ]
