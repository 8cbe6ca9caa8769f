"""Persisting the model's draft: an Extraction becomes Entity and Character rows in bulk.

Contract: `extraction_rows()` turns one story's Extraction into unsaved rows (model predictions,
pending), dropping spans the database would refuse; `rows_save()` writes them with two
bulk_creates, and `rows_save_all()` many stories' rows in two inserts. `reextract()` re-runs the
model over stories and replaces only predictions no editor touched: rows an editor created, changed,
accepted, rejected or logged in an Edit are kept, and so are the characters they mention and every
character an editor created or changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connections, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from annotations.models import SPAN_EDGE_WHITESPACE, Character, Edit, Entity, Label
from annotations.services.pipeline import drafting_nlp
from core.bulk import insert_rows
from nlp.chapters import find_chapters
from nlp.layers import layers_of
from stories.models import Story

if TYPE_CHECKING:
    from nlp.extraction import Extraction

EDGE_WHITESPACE = "".join(SPAN_EDGE_WHITESPACE)


def known_labels() -> frozenset[str]:
    return frozenset(Label.objects.values_list("name", flat=True))


@dataclass
class Rows:
    characters: list[Character]
    entities: list[Entity]
    # entity index -> character index, resolved to ids once the characters have them
    links: dict[int, int]
    skipped: int = 0


def extraction_rows(
    *,
    story: Story,
    extraction: Extraction,
    labels: frozenset[str],
    taken: frozenset[tuple[int, int, str]] = frozenset(),
) -> Rows:
    """Unsaved rows for `extraction`; spans with an unknown label, bad bounds, whitespace at an edge,
    a repeat, or a (start, end, label) in `taken` are skipped (counted in `skipped`)."""
    text = story.text
    seen = set(taken)
    entities: list[Entity] = []
    links: dict[int, int] = {}
    skipped = 0
    for span in extraction.spans:
        key = (span.start, span.end, span.label)
        covered = text[span.start : span.end]
        if (
            span.label not in labels
            or key in seen
            or not 0 <= span.start < span.end <= len(text)
            or covered != covered.strip(EDGE_WHITESPACE)
        ):
            skipped += 1
            continue
        seen.add(key)
        if span.character is not None and 0 <= span.character < len(extraction.characters):
            links[len(entities)] = span.character
        entities.append(
            Entity(
                story=story,
                start=span.start,
                end=span.end,
                text=covered,
                label_id=span.label,
                origin=Entity.Origin.MODEL,
                review_state=Entity.ReviewState.PENDING,
                model_start=span.start,
                model_end=span.end,
                model_label=span.label,
            )
        )
    characters = [
        Character(
            story=story,
            name=row.name[:300],
            aliases=list(row.aliases),
            gender=row.gender if row.gender in Character.Gender.values else Character.Gender.UNKNOWN,
            origin=Character.Origin.MODEL,
        )
        for row in extraction.characters
    ]
    return Rows(characters=characters, entities=entities, links=links, skipped=skipped)


def rows_save(rows: Rows, *, reuse: dict[int, Character] | None = None) -> None:
    """Insert the rows: characters first (bulk_create returns their ids), then linked annotations.

    `reuse` maps a character index to an existing character to link instead of creating a new one.
    """
    reuse = reuse or {}
    fresh = [(i, c) for i, c in enumerate(rows.characters) if i not in reuse]
    Character.objects.bulk_create([c for _, c in fresh])
    by_index = {**dict(fresh), **reuse}
    for entity_index, character_index in rows.links.items():
        rows.entities[entity_index].character = by_index[character_index]
    Entity.objects.bulk_create(rows.entities)


def rows_save_all(many: list[Rows]) -> None:
    """rows_save() for many stories' rows at once: two inserts in all, however many stories. The
    entities get no ids back (an import never reads them)."""
    Character.objects.bulk_create([c for rows in many for c in rows.characters])
    for rows in many:
        for entity_index, character_index in rows.links.items():
            rows.entities[entity_index].character = rows.characters[character_index]
    insert_entities([e for rows in many for e in rows.entities])


def insert_entities(entities: list[Entity]) -> None:
    """INSERT unsaved entities in one statement (COPY on PostgreSQL), without reading their ids back:
    core.bulk.insert_rows, since bulk_create's per-value compiling was most of a short story's write."""
    insert_rows(Entity, entities)


@dataclass
class ReextractReport:
    stories: int = 0
    removed: int = 0
    kept: int = 0
    added: int = 0
    characters_removed: int = 0
    characters_added: int = 0
    # Done and Approved stories promise that nothing in them is pending; new suggestions would break it.
    settled_skipped: int = 0


def store_chapters(story: Story) -> bool:
    """Record the story's chapter headings in Story.meta["chapters"] (stories imported before chapters
    were found get them on their next extract); True if they changed."""
    chapters = [c.as_dict() for c in find_chapters(story.text)]
    if (story.meta or {}).get("chapters", []) == chapters:
        return False
    meta = {**(story.meta or {}), "chapters": chapters}
    if not chapters:
        meta.pop("chapters")
    Story.objects.filter(pk=story.pk).update(meta=meta)
    story.meta = meta
    return True


def reextract(
    *,
    stories: QuerySet[Story],
    batch_size: int | None = None,
    n_process: int = 1,
    progress: Callable[[Story], None] | None = None,
    report: ReextractReport | None = None,
) -> ReextractReport:
    """Re-run the active pipeline over `stories`; each story is rewritten in its own transaction.

    Done and Approved stories are left as they are and counted in `settled_skipped`.
    """
    from nlp.windows import pipe_windows  # imports spaCy, which commands that only store never need

    report = report or ReextractReport()
    settled = stories.filter(status__in=[Story.Status.DONE, Story.Status.APPROVED])
    report.settled_skipped += settled.count()
    for story in _in_chunks(settled):
        store_chapters(story)  # headings are no suggestion: settled stories get their chapter menu too
    stories = stories.exclude(pk__in=settled.values("pk"))
    labels = known_labels()
    nlp = drafting_nlp()
    items = ((story.text, story) for story in _in_chunks(stories))
    if n_process > 1 and not connections["default"].in_atomic_block:
        connections.close_all()  # forked spaCy workers must not inherit the connection (see ingest)
    for story_docs in pipe_windows(items, nlp=nlp, n_process=n_process, batch_size=batch_size):
        story = story_docs.context
        extraction = extract(story_docs, layers_of(nlp))
        store_chapters(story)
        replace_untouched(story=story, extraction=extraction, labels=labels, report=report)
        report.stories += 1
        if progress:
            progress(story)
    return report


def extract(story_docs, layers=None) -> Extraction:
    """nlp.extraction.extract, imported on first use: it imports spaCy."""
    from nlp.extraction import extract as run

    return run(story_docs) if layers is None else run(story_docs, layers)


def _in_chunks(stories: QuerySet[Story], size: int = 100) -> Iterator[Story]:
    """Stories by id, a chunk at a time: memory stays flat, and no cursor stays open on the table
    this run writes to (SQLite gives a connection's queries no isolation from its own writes)."""
    ids = list(stories.order_by("pk").values_list("pk", flat=True))
    for offset in range(0, len(ids), size):
        yield from Story.objects.filter(pk__in=ids[offset : offset + size]).order_by("pk")


def edited_ids(story: Story, *, ignore: tuple[str, ...] = ()) -> tuple[set[int], set[int]]:
    """Ids of the annotations and characters that appear in any Edit snapshot of the story, leaving out
    edits whose action is in `ignore`."""
    annotations: set[int] = set()
    characters: set[int] = set()
    edits = Edit.objects.filter(story=story).exclude(action__in=ignore)
    for before, after in edits.values_list("before", "after"):
        for entry in (before or []) + (after or []):
            target = annotations if entry.get("model") == "entity" else characters
            if entry.get("model") in ("entity", "character") and entry.get("id") is not None:
                target.add(entry["id"])
    return annotations, characters


@transaction.atomic
def replace_untouched(
    *, story: Story, extraction: Extraction, labels: frozenset[str], report: ReextractReport
) -> None:
    """Rewrite the model's draft of one story in one transaction, keeping every editor's row."""
    if not Entity.objects.filter(story=story).exists() and not Character.objects.filter(story=story).exists():
        # Nothing to keep or replace (a story stored for the workers): two queries instead of seven.
        rows = extraction_rows(story=story, extraction=extraction, labels=labels)
        rows_save(rows)
        stamp = {"extracted_at": timezone.now()}
        if rows.entities:
            stamp["version"] = F("version") + 1
            stamp["updated_at"] = timezone.now()
        Story.objects.filter(pk=story.pk).update(**stamp)
        report.added += len(rows.entities)
        report.characters_added += len(rows.characters)
        return
    edited_entities, edited_characters = edited_ids(story)
    untouched = (
        Entity.objects.filter(
            story=story,
            origin=Entity.Origin.MODEL,
            review_state=Entity.ReviewState.PENDING,
            updated_by__isnull=True,
            start=F("model_start"),
            end=F("model_end"),
            label_id=F("model_label"),
        )
        .exclude(pk__in=edited_entities)
        .values_list("pk", flat=True)
    )
    removable = set(untouched)
    kept = list(
        Entity.objects.filter(story=story)
        .exclude(pk__in=removable)
        .values("pk", "start", "end", "label", "model_start", "model_end", "model_label", "character")
    )
    # A new prediction must not duplicate a kept row, nor bring back what an editor moved or rejected.
    taken = {(k["start"], k["end"], k["label"]) for k in kept}
    taken |= {(k["model_start"], k["model_end"], k["model_label"]) for k in kept if k["model_label"]}
    kept_character_ids = {k["character"] for k in kept if k["character"]} | edited_characters
    kept_characters = list(
        Character.objects.filter(story=story).exclude(
            origin=Character.Origin.MODEL, pk__in=_model_character_ids(story) - kept_character_ids
        )
    )
    removable_characters = Character.objects.filter(story=story, origin=Character.Origin.MODEL).exclude(
        pk__in=[c.pk for c in kept_characters]
    )

    Entity.objects.filter(pk__in=removable).delete()
    report.characters_removed += removable_characters.delete()[1].get("annotations.Character", 0)
    rows = extraction_rows(story=story, extraction=extraction, labels=labels, taken=frozenset(taken))
    reuse = _match_kept_characters(rows.characters, kept_characters)
    rows_save(rows, reuse=reuse)
    stamp = {"extracted_at": timezone.now()}
    if removable or rows.entities:
        # Open editor pages hold the old spans; the version bump makes their next save re-read, and
        # updated_at tells cached dashboard figures that this story changed.
        stamp["version"] = F("version") + 1
        stamp["updated_at"] = timezone.now()
    Story.objects.filter(pk=story.pk).update(**stamp)
    report.removed += len(removable)
    report.kept += len(kept)
    report.added += len(rows.entities)
    report.characters_added += len(rows.characters) - len(reuse)


def _model_character_ids(story: Story) -> set[int]:
    return set(
        Character.objects.filter(story=story, origin=Character.Origin.MODEL).values_list("pk", flat=True)
    )


def _match_kept_characters(new: list[Character], kept: list[Character]) -> dict[int, Character]:
    """Link a new character to a kept one that shares a name, so an editor's character isn't doubled."""
    by_name: dict[str, Character] = {}
    for character in kept:
        for name in [character.name, *character.aliases]:
            by_name.setdefault(name.casefold(), character)
    reuse = {}
    for index, character in enumerate(new):
        for name in [character.name, *character.aliases]:
            if name.casefold() in by_name:
                reuse[index] = by_name[name.casefold()]
                break
    return reuse
