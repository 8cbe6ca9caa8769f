"""One story per plain-text file: size limit, decoding and a derived title, or a `SourceError`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from stories.sources.decoding import DecodeError, decode_bytes
from stories.sources.records import Item, SourceError, StoryRecord
from stories.sources.titles import derive_title


def read_text_file(path: Path, max_bytes: int) -> Iterator[Item]:
    """Yield the file's one story, or one error that says what to change."""
    size = path.stat().st_size
    if size > max_bytes:
        yield SourceError(
            str(path),
            f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; split it or raise --max-bytes",
        )
        return
    try:
        decoded = decode_bytes(path.read_bytes())
    except DecodeError as error:
        yield SourceError(str(path), str(error))
        return
    title, how = derive_title(decoded.text, path.name)
    yield StoryRecord(
        text=decoded.text, title=title, source=str(path), meta={**decoded.meta, "title_from": how}
    )
