"""Stories and the batches that imported them.

`Story.text` is the exact text every entity offset points into: it is written once at import
and never edited (a database trigger refuses a change). `text_length` mirrors its length so the
database can bound entity offsets cheaply (see the trigger in annotations' migrations).

A double-annotated story has one *annotation layer* per annotator: a hidden Story row (`layer_of` the
story, `annotator` its editor) with its own entities, characters and edit log. See `Story` for why.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords


class ImportBatch(models.Model):
    """One run of `ingest` (or an upload on the Import page); its counts are kept true as it goes."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        # Stopped before the end (the database went away, the process was stopped): what was stored
        # is whole, and running the same import again stores the rest.
        INTERRUPTED = "interrupted", "Interrupted"

    name = models.CharField(max_length=200)
    state = models.CharField(max_length=20, choices=State, default=State.RUNNING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    source_paths = models.JSONField(default=list, blank=True)
    imported_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    # [{"path": "...", "reason": "..."}], one per failed file or record.
    errors = models.JSONField(default=list, blank=True)
    pipeline_name = models.CharField(max_length=200, blank=True)
    pipeline_version = models.CharField(max_length=50, blank=True)
    # Uploaded files of a browser import live here until the import ends (blank for the command).
    upload_dir = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return self.name


# Stories, not annotators' layers of them: the condition of `objects` and of the list's indexes.
STORIES = models.Q(layer_of__isnull=True)


class StoryManager(models.Manager):
    """Stories, without annotation layers: every list, queue, count, search and export starts here."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(STORIES)


class Story(models.Model):
    """A text and its annotations; with `layer_of` set, one annotator's layer of that story.

    Why a layer is a Story row rather than a `layer` column on entities, characters and edits: every
    editing service, undo, conflict rule, live update and keyboard flow works on "a story" already, so
    on a layer they work unchanged, and no query of a single-annotator story gains a layer filter (its
    speed cannot change). The costs, all paid here: the text is copied into each layer (it never
    changes, so the copy cannot drift); `objects` hides layers, so lists, queues, counts, search,
    extraction and exports never see them (`with_layers` reaches them, by id, for the reader and the
    change log); and a layer's `sha256` is a key of its own (`layer_sha256`), not its text's, so the
    unique content hash keeps meaning "one story per text" without a conditional constraint (which
    SQLite could only add by rebuilding the table under its triggers).
    The story a layer belongs to keeps the model's draft until adjudication writes the final layer
    into it; from then on it is an ordinary story.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        # Double annotation: every annotator's layer is done; a reviewer settles their differences.
        ADJUDICATION = "adjudication", "Adjudication"
        DONE = "done", "Done"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    title = models.CharField(max_length=300)
    text = models.TextField()
    text_length = models.PositiveIntegerField(editable=False)
    source_name = models.CharField(max_length=500, blank=True)
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.NEW, db_index=True)
    word_count = models.PositiveIntegerField(default=0)
    # Decoding facts: {"encoding": "utf-8", "bom": false, "repairs": [...], "newlines": "crlf", ...}
    meta = models.JSONField(default=dict, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_stories",
    )
    # Optimistic concurrency: every entity edit bumps it; a stale edit is refused with 409.
    version = models.PositiveIntegerField(default=1)
    review_comment = models.TextField(blank=True)
    # Extraction bookkeeping: when the model's draft was last written; when extraction was queued for
    # a worker (cleared once a worker has written it); why it failed, if it did (null: it did not). All three
    # are nullable so that SQLite adds them without rebuilding the table under its triggers.
    extracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    extraction_queued_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    extraction_error = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001
    # How many annotators' layers a double-annotated story has; null for a single-annotator story.
    layer_count = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Set on an annotation layer only: the story it is a layer of, and whose layer it is.
    layer_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False
    )
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryManager()
    with_layers = models.Manager()

    # The text never changes, so history leaves it out rather than copying a novel per status change.
    history = HistoricalRecords(
        excluded_fields=["text", "text_length", "extracted_at", "extraction_queued_at", "extraction_error"]
    )

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "stories"
        # text_length = length(text) and the text's immutability are enforced by triggers (migration
        # 0004), not a CHECK: a CHECK is re-evaluated on every UPDATE, and reading a novel's text on
        # each version bump would make an edit's cost grow with the story's length.
        constraints = [
            models.CheckConstraint(condition=models.Q(text_length__gt=0), name="story_text_not_empty"),
            models.UniqueConstraint(
                fields=["layer_of", "annotator"],
                condition=models.Q(layer_of__isnull=False),
                name="story_one_layer_per_annotator",
            ),
        ]
        # The story list's default order (stories.selectors.story_list's title_key, then id), alone and
        # within a status: with them a page of 100,000 stories reads 25 index entries instead of
        # sorting every row.
        # Partial (`layer_of IS NULL`), as every such query is: `objects` leaves layers out, and an index
        # over every row would make the planner filter them out of the index walk or sort instead.
        indexes = [
            models.Index(Lower("title"), "id", name="story_title_key", condition=STORIES),
            models.Index("status", Lower("title"), "id", name="story_status_title_key", condition=STORIES),
            # The review queue: one status, oldest first.
            models.Index("status", "updated_at", "id", name="story_status_updated", condition=STORIES),
            # A story by id, from the index alone: a search joins its few thousand matches to the stories
            # through it, where an index over every row left PostgreSQL a scan of the whole table.
            models.Index(fields=["id"], name="story_ids", condition=STORIES),
            # The latest change anywhere (stories.selectors.corpus_state), read by every cached dashboard.
            models.Index(fields=["updated_at"], name="story_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_layer(self) -> bool:
        return self.layer_of_id is not None


class StorySearch(models.Model):
    """PostgreSQL's full-text index of one story: its title and text as a tsvector, and its title alone,
    written by a trigger (migrations 0011 and 0014) when a story is stored or renamed, never by Django.
    Empty on SQLite, which searches with LIKE.

    A table of its own, not a column of the story: every edit bumps the story's version and updated_at,
    and an UPDATE that changes an indexed column adds the new row version to every index of the table,
    a novel's few thousand GIN entries included (2-3 ms of a 1 MB story's edit on PostgreSQL).
    """

    story = models.OneToOneField(
        Story, primary_key=True, on_delete=models.CASCADE, related_name="fulltext", editable=False
    )
    vector = SearchVectorField()
    # The title alone, which search ranks by: stored, so ranking thousands of matches parses no title.
    # Nullable so that the column could be added to a full table; the trigger always writes it.
    title_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = "story search entry"
        verbose_name_plural = "story search entries"

    def __str__(self) -> str:
        return f"search entry of story {self.story_id}"


class StoryDeletions(models.Model):
    """How many times stories (or layers) were deleted: one row, bumped by a database trigger on every
    delete from the story table (migration 0013), never by Django.

    The dashboard's cache key (stories.selectors.corpus_state) reads the latest updated_at and the
    highest id, each one index probe; neither changes when a story is deleted, and this counter does.
    Counting the stories would catch it too, but COUNT(*) reads every row.
    """

    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "story deletion counter"

    def __str__(self) -> str:
        return f"{self.count} story deletions"


def layer_sha256(story_sha256: str, annotator_pk: int) -> str:
    """The unique key of an annotator's layer of the story with content hash `story_sha256`."""
    return hashlib.sha256(f"layer {annotator_pk} of {story_sha256}".encode()).hexdigest()


class PipelineSetting(models.Model):
    """The admin-editable choice of spaCy pipeline; blank means settings.SPACY_MODEL. One row."""

    spacy_model = models.CharField(
        max_length=500,
        blank=True,
        help_text="Installed package name or path of a trained pipeline (e.g. models/2026-11-21-1200). "
        "Leave blank to use the SPACY_MODEL setting.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "active spaCy pipeline"

    def __str__(self) -> str:
        return self.spacy_model or "(SPACY_MODEL setting)"
