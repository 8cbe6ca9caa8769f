"""What a reader yields: a `StoryRecord` per story, or a `SourceError` per file or line that has none.

Plain data, shared by the plain-text reader here and every annotated format in `interchange.readers`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class StoryRecord:
    """One story as read from a source, before it touches the database.

    `spans` and `characters` are None for plain text; an annotated source fills them with dicts in
    Fabula's export shape ({"start", "end", "label", "character"?}, {"id"?, "name", "aliases", "gender"}).
    """

    text: str
    title: str
    source: str
    line: int | None = None
    meta: dict = field(default_factory=dict)
    spans: list[dict] | None = None
    characters: list[dict] | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass(frozen=True)
class SourceError:
    """A file, folder or line that yields no story, with a reason the admin can act on."""

    path: str
    reason: str
    line: int | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


Item = StoryRecord | SourceError


def display_path(path: Path | str) -> str:
    """`path` as text that can be printed and stored: name bytes that are not UTF-8 shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def name_error(path: Path) -> SourceError | None:
    """A SourceError for a path whose name is not valid UTF-8 (Python keeps such bytes as surrogates,
    which no database can store as the story's source), else None."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return SourceError(
            display_path(path),
            "the file name is not valid UTF-8; rename the file (e.g. `convmv -f latin1 -t utf-8 --notest`) "
            "and import it again",
        )
    return None
