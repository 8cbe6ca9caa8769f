"""`ingest FILE --annotator USERNAME`: annotated JSONL stored as that user's layer of the stories it matches.

Each line (Fabula's, doccano's or Prodigy's shape, as interchange.readers reads them) is matched to a
stored story by content hash; its spans and characters replace the user's layer of that story, which
then counts as done. Each line is its own transaction: a bad line fails alone, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from annotations.services.extraction import known_labels
from annotations.services.layers import layer_replace
from interchange.readers.jsonl import read_jsonl
from interchange.services.imported_entities import (
    ImportLabels,
    RecordRejected,
    imported_characters,
    imported_entities,
)
from stories.models import Story
from stories.services import text_sha256
from stories.sources.records import SourceError, StoryRecord


@dataclass
class LayerImportReport:
    layers: int = 0
    spans: int = 0
    failed: list[str] = field(default_factory=list)  # "where: why", one per line that was not stored
    stories: list[int] = field(default_factory=list)


def _matching_story(record: StoryRecord) -> Story:
    story = Story.objects.filter(sha256=text_sha256(record.text)).first()
    if story is None:
        raise RecordRejected(
            "no stored story has this text; import the stories first (ingest FILE), then their layers "
            "(ingest FILE --annotator USERNAME)"
        )
    if story.text != record.text:
        raise RecordRejected(
            f"the text matches story {story.pk} “{story.title}” only up to whitespace, so the offsets would "
            "not point at the same characters; export the text from Fabula and annotate that"
        )
    return story


def _store(record: StoryRecord, annotator, labels: ImportLabels, by) -> tuple[int, int]:
    if record.spans is None:
        raise RecordRejected(
            'the line has no annotations ("spans", "label" or "entities"); nothing to import'
        )
    story = _matching_story(record)
    characters, by_ref = imported_characters(story, record)
    entities, links = imported_entities(story, record, labels, by_ref)
    layer_replace(
        story=story, annotator=annotator, entities=entities, characters=characters, links=links, by=by
    )
    return story.pk, len(entities)


def layers_ingest(
    paths: list[str],
    *,
    annotator,
    label_map: dict[str, str] | None = None,
    create_labels: bool = False,
    max_bytes: int,
    by=None,
) -> LayerImportReport:
    """Import every annotated line of the JSONL files `paths` as `annotator`'s layer; see the module."""
    report = LayerImportReport()
    labels = ImportLabels(known=known_labels(), label_map=label_map or {}, create=create_labels)
    for name in paths:
        path = Path(name)
        if not path.is_file() or path.suffix.lower() != ".jsonl":
            report.failed.append(f"{name}: a layer is imported from a .jsonl file; this is not one")
            continue
        for item in read_jsonl(path, max_bytes):
            if isinstance(item, SourceError):
                report.failed.append(f"{item.where}: {item.reason}")
                continue
            try:
                with transaction.atomic():
                    story_id, spans = _store(item, annotator, labels, by)
            except RecordRejected as error:
                report.failed.append(f"{item.where}: {error}")
                continue
            except Exception as error:  # a database refusal (e.g. the story is past its layers)
                messages = getattr(error, "messages", None) or [str(error)]
                report.failed.append(f"{item.where}: {' '.join(messages)}")
                continue
            report.layers += 1
            report.spans += spans
            report.stories.append(story_id)
    return report
