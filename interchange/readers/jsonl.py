"""JSONL sources: one story per line, `{"text", "title"?, "meta"?}`, optionally with Fabula's annotations.

Contract: `read_jsonl(path, max_bytes)` streams the file line by line and yields a StoryRecord per good
line and a SourceError (with the line number) per bad one. `max_bytes` bounds each story's text, not
the file, so a large export still imports. A line carrying `spans` (Fabula's export shape) keeps its
text byte for byte, since the offsets point into it; a plain line gets the same mojibake and newline
repair as a text file. Other annotated shapes (Prodigy, doccano) are tried first, in LINE_PARSERS' order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from interchange.readers.annotated import parse_doccano, parse_fabula_export, parse_prodigy
from interchange.readers.checks import LineError, check_characters, check_spans, unstorable
from stories.sources.decoding import normalise_newlines, repair_mojibake
from stories.sources.records import SourceError, StoryRecord
from stories.sources.titles import derive_title

# parser(obj, source, line) -> StoryRecord, or None when the line is not in its shape. Tried in order;
# the plain/Fabula parser is last and accepts any object with a "text".
LineParser = Callable[[dict, str, int], StoryRecord | None]
LINE_PARSERS: tuple[LineParser, ...] = (parse_fabula_export, parse_prodigy, parse_doccano)


def read_jsonl(path: Path, max_bytes: int) -> Iterator[StoryRecord | SourceError]:
    source = str(path)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            if not raw.strip():
                continue
            if len(raw) > max_bytes:
                yield SourceError(
                    source, f"line is {len(raw):,} bytes, over the {max_bytes:,}-byte limit", number
                )
                continue
            try:
                yield parse_line(raw, source, number)
            except LineError as error:
                yield SourceError(source, str(error), number)


def parse_line(raw: bytes, source: str, number: int) -> StoryRecord:
    try:
        obj = json.loads(raw)
    except UnicodeDecodeError:
        raise LineError("not UTF-8; JSONL files must be saved as UTF-8") from None
    except json.JSONDecodeError as error:
        raise LineError(
            f"malformed JSON ({error.msg} at column {error.colno}); each line must be one JSON object"
        ) from None
    if not isinstance(obj, dict):
        raise LineError(f'expected a JSON object with a "text", got {type(obj).__name__}')
    if problem := unstorable(obj):
        raise LineError(problem)
    for parser in LINE_PARSERS:
        record = parser(obj, source, number)
        if record is not None:
            return record
    return parse_fabula(obj, source, number)


def parse_fabula(obj: dict, source: str, number: int) -> StoryRecord:
    """Plain `{"text", "title"?, "meta"?}` and Fabula's own export (adds "spans" and "characters")."""
    text = obj.get("text")
    if not isinstance(text, str):
        raise LineError('missing "text": each line needs a "text" string')
    meta = obj.get("meta") or {}
    if not isinstance(meta, dict):
        raise LineError('"meta" must be a JSON object')
    title = obj.get("title")
    if title is not None and not isinstance(title, str):
        raise LineError('"title" must be a string')
    spans = obj.get("spans")
    characters = obj.get("characters")
    if spans is None:
        text, repairs = repair_mojibake(text)
        text, newlines = normalise_newlines(text)
        meta = {**meta, **({"repairs": repairs} if repairs else {})}
        if newlines != "lf":
            meta["newlines"] = newlines
    else:
        spans = check_spans(spans, text)
        characters = check_characters(characters)
    if not text.strip():
        raise LineError('"text" is empty or only whitespace')
    how = "title"
    if not title or not title.strip():
        title, how = derive_title(text, "")
    meta = {**meta, "title_from": how}
    return StoryRecord(
        text=text,
        title=title.strip(),
        source=source,
        line=number,
        meta=meta,
        spans=spans,
        characters=characters,
    )
