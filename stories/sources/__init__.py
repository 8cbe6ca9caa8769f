"""Reading stories from source files: paths in, a stream of StoryRecord or SourceError out.

Contract: `iter_records(paths, max_bytes=...)` expands files, folders (recursively: `*.txt` and
`*.jsonl`) and glob patterns and yields, one at a time and in a stable order, a `StoryRecord` per
story or a `SourceError` per file or line that cannot be read. It never raises for bad input and never
holds more than one file (or one JSONL line) in memory. Readers for other formats register a file
kind here (`register_reader`), and folder formats such as brat a detector (`register_folder_reader`).
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from stories.sources.decoding import DecodeError, decode_bytes
from stories.sources.titles import derive_title


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
# reader(path, max_bytes) -> records and errors of one file (or folder, for folder readers).
Reader = Callable[[Path, int], Iterator[Item]]

READERS: dict[str, Reader] = {}
SUFFIX_KINDS: dict[str, str] = {}
# Checked in order against each folder before the plain recursive walk; first match reads it whole.
FOLDER_READERS: list[tuple[str, Callable[[Path], bool], Reader]] = []
GLOB_CHARS = frozenset("*?[")


def register_reader(kind: str, reader: Reader, *, suffixes: Iterable[str] = ()) -> None:
    """Read files with these suffixes (".txt") with `reader`; a later registration replaces one."""
    READERS[kind] = reader
    for suffix in suffixes:
        SUFFIX_KINDS[suffix.lower()] = kind


def register_folder_reader(kind: str, detect: Callable[[Path], bool], reader: Reader) -> None:
    """Read a whole folder with `reader` when `detect(folder)` says it is in this format (e.g. brat)."""
    FOLDER_READERS[:] = [entry for entry in FOLDER_READERS if entry[0] != kind]
    FOLDER_READERS.append((kind, detect, reader))


def iter_records(paths: Iterable[str | Path], *, max_bytes: int | None = None) -> Iterator[Item]:
    max_bytes = max_bytes or settings.INGEST_MAX_BYTES
    seen: set[Path] = set()
    for raw in paths:
        for path in _expand(str(raw)):
            if isinstance(path, SourceError):
                yield path
                continue
            key = path.resolve()
            if key in seen:  # the same file named twice (a folder and a glob inside it)
                continue
            seen.add(key)
            yield from _read(path, max_bytes)


def _expand(raw: str) -> Iterator[Path | SourceError]:
    path = Path(raw).expanduser()
    if not path.exists() and GLOB_CHARS & set(raw):
        matches = sorted(glob.glob(str(path), recursive=True))
        if not matches:
            yield SourceError(raw, "no file matches this pattern")
        for match in matches:
            yield from _expand_existing(Path(match), explicit=False)
        return
    if not path.exists():
        yield SourceError(raw, "no such file or folder; check the path")
        return
    yield from _expand_existing(path, explicit=True)


def _expand_existing(path: Path, *, explicit: bool) -> Iterator[Path | SourceError]:
    if path.is_dir():
        yield from _expand_folder(path)
    elif explicit or path.suffix.lower() in SUFFIX_KINDS:
        yield path  # a file named on the command line is read as text whatever its suffix


def _expand_folder(folder: Path) -> Iterator[Path | SourceError]:
    if any(detect(folder) for _, detect, _ in FOLDER_READERS):
        yield folder
        return
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIX_KINDS and _visible(p, folder)
    )
    if not files:
        yield SourceError(str(folder), "folder has no .txt or .jsonl files (searched recursively)")
    yield from files


def _visible(path: Path, root: Path) -> bool:
    """Skip hidden files and folders (.git, editor swap files) under the folder being imported."""
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def _read(path: Path, max_bytes: int) -> Iterator[Item]:
    if path.is_dir():
        for _, detect, reader in FOLDER_READERS:
            if detect(path):
                yield from reader(path, max_bytes)
                return
    reader = READERS.get(SUFFIX_KINDS.get(path.suffix.lower(), "text"), read_text_file)
    try:
        yield from reader(path, max_bytes)
    except OSError as error:
        yield SourceError(str(path), f"cannot read it: {error.strerror or error}")


def read_text_file(path: Path, max_bytes: int) -> Iterator[Item]:
    """One story per plain-text file."""
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


register_reader("text", read_text_file, suffixes=[".txt"])

# Each reader module registers itself and needs the names above: jsonl (plain and Fabula lines),
# annotated (Prodigy, doccano and re-imported exports), brat (standoff folders).
from stories.sources import annotated, brat, jsonl  # noqa: E402

__all__ = [
    "SourceError",
    "annotated",
    "brat",
    "StoryRecord",
    "iter_records",
    "jsonl",
    "register_folder_reader",
    "register_reader",
]
