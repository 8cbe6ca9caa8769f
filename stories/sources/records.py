"""What a reader yields: a `StoryRecord` per story, or a `SourceError` per file or line that has none.

Plain data, shared by the plain-text reader here and every annotated format in `interchange.readers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
