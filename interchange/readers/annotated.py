"""Annotated JSONL shapes beyond Fabula's plain one: Prodigy, doccano, and Fabula's own export re-imported.

Each parser turns one JSON object into a StoryRecord with `spans` in Fabula's shape, or returns None when
the object is not in its shape (the next parser is tried). `jsonl.LINE_PARSERS` lists them.
Fabula's own export keeps its story metadata and status (`meta["restored"]`), so an export imported into
an empty database exports again identically.
"""

from __future__ import annotations

from interchange.readers.checks import LineError, check_characters, check_spans
from stories.sources.records import StoryRecord
from stories.sources.titles import derive_title

PRODIGY_KEYS = ("_input_hash", "_task_hash", "answer")
STORY_STATUSES = ("new", "in_progress", "done", "approved", "returned")


def _text(obj: dict) -> str:
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise LineError('missing "text": each line needs a non-empty "text" string')
    return text


def _title(obj: dict, text: str) -> tuple[str, str]:
    title = obj.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip(), "title"
    return derive_title(text, "")


def parse_fabula_export(obj: dict, source: str, number: int) -> StoryRecord | None:
    """A line of `manage.py export --format jsonl`: restore the story's own metadata, status and source."""
    meta = obj.get("meta")
    if not (isinstance(meta, dict) and meta.get("layer") and "import" in meta and "sha256" in meta):
        return None
    if not isinstance(obj.get("spans"), list):
        return None
    text = _text(obj)
    status = meta.get("status")
    if status not in STORY_STATUSES:
        raise LineError(f'"meta.status" is {status!r}; use one of {", ".join(STORY_STATUSES)}')
    title, _ = _title(obj, text)
    original = meta["import"] if isinstance(meta["import"], dict) else {}
    return StoryRecord(
        text=text,
        title=title,
        source=source,
        line=number,
        meta={**original, "restored": {"status": status, "source": meta.get("source") or ""}},
        spans=check_spans(obj["spans"], text),
        characters=check_characters(obj.get("characters")),
    )


def parse_prodigy(obj: dict, source: str, number: int) -> StoryRecord | None:
    """Prodigy's `db-out` lines: {"text", "spans": [{"start", "end", "label", ...}], "answer", "meta"}."""
    if not any(key in obj for key in PRODIGY_KEYS):
        return None
    answer = obj.get("answer", "accept")
    if answer != "accept":
        raise LineError(
            f"Prodigy answer is {answer!r}; only accepted examples are imported. Remove the "
            '"reject"/"ignore" lines (or export with prodigy db-out --answer accept)'
        )
    text = _text(obj)
    spans = [
        {key: span[key] for key in ("start", "end", "label", "text") if key in span}
        if isinstance(span, dict)
        else span
        for span in (obj.get("spans") or [])
    ]
    return _tool_record(obj, "prodigy", text, spans, source, number)


def parse_doccano(obj: dict, source: str, number: int) -> StoryRecord | None:
    """doccano sequence labelling: "label": [[start, end, label]] or "entities": [{"start_offset", ...}]."""
    if "spans" in obj or not ("label" in obj or "entities" in obj):
        return None
    text = _text(obj)
    if "entities" in obj:
        raw = obj["entities"]
        if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
            raise LineError('"entities" must be a list of {"start_offset", "end_offset", "label"} objects')
        spans = [
            {"start": e.get("start_offset"), "end": e.get("end_offset"), "label": e.get("label")} for e in raw
        ]
    else:
        raw = obj["label"]
        if not isinstance(raw, list) or not all(isinstance(item, list) and len(item) == 3 for item in raw):
            raise LineError(
                '"label" must be a list of [start, end, label] triples (doccano sequence labelling); '
                "text-classification exports cannot be imported"
            )
        spans = [{"start": item[0], "end": item[1], "label": item[2]} for item in raw]
    return _tool_record(obj, "doccano", text, spans, source, number)


def _tool_record(obj: dict, tool: str, text: str, spans: list, source: str, number: int) -> StoryRecord:
    """A record from another tool's line: its own "meta" kept under the tool's name, spans checked."""
    title, how = _title(obj, text)
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    return StoryRecord(
        text=text,
        title=title,
        source=source,
        line=number,
        meta={tool: meta, "title_from": how},
        spans=check_spans(spans, text),
        characters=[],
    )
