"""API endpoints for stories as whole records: list, create (idempotent by content hash), one story in the
JSONL export's shape, and the export itself, streamed in every format `manage.py export` writes.

Creating goes through interchange.services.ingest like every other import; the list filters through
stories.filters.StoryFilter like the story list page; a story's record is interchange.writers.jsonl's
`story_record` of the export selector's row, plus its status, version and each entity's id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from core import roles
from core.access import NO_EDITOR_ROLE, NO_REVIEWER_ROLE
from core.api import auth, responses
from interchange.forms.export import ExportForm
from interchange.selectors.export import ExportFilters, export_stories
from interchange.views import export_response
from interchange.writers import FORMAT_NAMES
from interchange.writers.jsonl import story_record
from stories import policy
from stories.api import StoryListQuery, StoryPageOut, story_page
from stories.models import Story
from stories.services import text_sha256
from stories.sources.records import StoryRecord
from stories.sources.titles import derive_title

router = Router(auth=auth(roles.can_edit, NO_EDITOR_ROLE), tags=["stories"])
ADMINS = auth(roles.is_admin, "Only admins can add stories, as with `manage.py ingest`.")
REVIEWERS = auth(policy.may_review, NO_REVIEWER_ROLE)


# --- List ----------------------------------------------------------------------------------


@router.get("/stories", response=responses({200: StoryPageOut}), summary="List stories")
def story_list(request, query: Query[StoryListQuery]):
    """The story list's search, filters and sort, a page at a time."""
    return story_page(request, query, max_page_size=settings.FABULA_API_MAX_PAGE_SIZE)


# --- Create ---------------------------------------------------------------------------------


class NewStoryIn(Schema):
    text: str = Field(..., min_length=1, description="The story's exact text; entity offsets point into it.")
    title: str = Field(
        "", max_length=300, description="Derived from a heading or the opening words if empty."
    )
    meta: dict[str, Any] = Field(default_factory=dict, description="Kept with the story, returned by export.")


class StoriesIn(Schema):
    stories: list[NewStoryIn] = Field(..., min_length=1, max_length=1000)
    batch: str = Field("", max_length=200, description="Name of the import batch these stories join.")
    extract: bool = Field(False, description="Run the spaCy pipeline for a draft of entities and characters.")


class CreatedOut(Schema):
    index: int
    id: int | None
    created: bool
    title: str | None
    status: str | None
    version: int | None
    error: str | None = None


class StoriesOut(Schema):
    created: int
    existing: int
    failed: int
    results: list[CreatedOut]


@router.post(
    "/stories", response=responses({200: StoriesOut, 201: StoriesOut}), summary="Create stories", auth=ADMINS
)
def story_create(request, payload: StoriesIn):
    """Create one or many stories. Idempotent by content hash: a text already in Fabula (or twice in the
    request) is not stored again; its result names the existing story with `created: false`. Admins only,
    like `manage.py ingest`."""
    blank = [i for i, item in enumerate(payload.stories) if not item.text.strip()]
    if blank:
        raise ValidationError({f"stories.{i}.text": ["The text is empty or only whitespace."] for i in blank})
    records, hashes = [], []
    for index, item in enumerate(payload.stories):
        title, how = (item.title.strip(), "given") if item.title.strip() else derive_title(item.text)
        # "restored" is the ingest's own marker for re-imported exports; a client may not set a status.
        meta = {k: v for k, v in item.meta.items() if k != "restored"}
        records.append(
            StoryRecord(text=item.text, title=title, source=f"api[{index}]", meta={**meta, "title_from": how})
        )
        hashes.append(text_sha256(item.text))
    before = set(Story.objects.filter(sha256__in=hashes).values_list("sha256", flat=True))
    # Imported when called: ingest imports spaCy, which a web process loads only when it needs it.
    from interchange.services.ingest import ingest_records

    report = ingest_records(
        records, source_paths=["api"], batch_name=payload.batch, user=request.user, extract=payload.extract
    )
    failed = {error.where: error.reason for error in report.errors}
    found = {
        row["sha256"]: row
        for row in Story.objects.filter(sha256__in=hashes).values(
            "sha256", "pk", "title", "status", "version"
        )
    }
    first = {sha: index for index, sha in reversed(list(enumerate(hashes)))}
    results = []
    for index, sha in enumerate(hashes):
        row = found.get(sha)
        results.append({
            "index": index, "id": row["pk"] if row else None,
            "created": bool(row) and sha not in before and first[sha] == index,
            "title": row["title"] if row else None, "status": row["status"] if row else None,
            "version": row["version"] if row else None, "error": failed.get(f"api[{index}]"),
        })  # fmt: skip
    created = sum(r["created"] for r in results)
    body = {
        "created": created, "existing": sum(1 for r in results if r["id"] and not r["created"]),
        "failed": sum(1 for r in results if r["id"] is None), "results": results,
    }  # fmt: skip
    return Status(201 if created else 200, body)


# --- One story ------------------------------------------------------------------------------


class SpanOut(Schema):
    id: int
    start: int
    end: int
    label: str
    text: str
    origin: str
    character: int | None
    state: str


class StoryCharacterOut(Schema):
    id: int
    name: str
    aliases: list[str]
    gender: str
    mentions: int


class StoryOut(Schema):
    id: int
    title: str
    text: str
    status: str
    version: int
    assigned_to: str | None
    review_comment: str
    spans: list[SpanOut]
    characters: list[StoryCharacterOut]
    meta: dict[str, Any]


@router.get("/stories/{story_id}", response=responses({200: StoryOut}), summary="One story")
def story_detail(request, story_id: int):
    """The story in the JSONL export's shape (accepted and pending entities, characters, metadata) with
    its status, version and each entity's id, for the edit endpoints."""
    state = (
        Story.objects.filter(pk=story_id)
        .values("version", "status", "review_comment", "assigned_to__username")
        .first()
    )
    if state is None:
        raise Http404(f"There is no story {story_id}.")
    filters = ExportFilters(status="all", ids=(story_id,), pending="include")
    row = next(iter(export_stories(filters=filters, chunk_size=1)))
    record = story_record(row)
    for span, entity in zip(record["spans"], row.entities, strict=True):
        span["id"] = entity.id
    record.update(
        status=state["status"],
        version=state["version"],
        review_comment=state["review_comment"],
        assigned_to=state["assigned_to__username"],
    )
    return record


# --- Export ---------------------------------------------------------------------------------


class ExportQuery(Schema):
    format: Literal[FORMAT_NAMES] = "jsonl"  # type: ignore[valid-type]
    flavor: Literal["fabula", "doccano"] = "fabula"
    status: Literal["all", "new", "in_progress", "done", "approved", "returned"] = "approved"
    batch: str = Field("", max_length=200)
    labels: str = Field("", max_length=2000, description="Comma-separated, e.g. PERSON,GPE.")
    since: dt.date | None = None
    until: dt.date | None = None
    ids: str = Field("", max_length=20000, description="Comma-separated story ids.")
    layer: Literal["final", "model"] = "final"
    pending: Literal["exclude", "include"] = "exclude"
    per_entity: bool = False
    shard_size: int = Field(0, ge=0, le=100000)


EXPORT_TYPES = [
    "application/x-ndjson",
    "application/octet-stream",
    "application/zip",
    "text/plain",
    "text/csv",
]


@router.get(
    "/export",
    response=responses({200: None}),
    summary="Export stories, streamed",
    tags=["export"],
    auth=REVIEWERS,
    openapi_extra={
        "responses": {
            200: {"description": "The export file, streamed.", "content": {t: {} for t in EXPORT_TYPES}}
        }
    },
)
def export(request, query: Query[ExportQuery]):
    """The same formats and options as `manage.py export` (docs/export-formats.md). Reviewers only."""
    data = {k: v for k, v in query.dict().items() if v not in (None, "", False)}
    form = ExportForm(data)
    if not form.is_valid():
        raise ValidationError({name: [str(m) for m in errors] for name, errors in form.errors.items()})
    return export_response(form)
