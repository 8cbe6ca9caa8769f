"""Reading stories from source files: paths in, a stream of StoryRecord or SourceError out.

Contract: `iter_records(paths, max_bytes=...)` expands files, folders (recursively: `*.txt` and
`*.jsonl`) and glob patterns and yields, one at a time and in a stable order, a `StoryRecord` per
story or a `SourceError` per file or line that cannot be read. It never raises for bad input and never
holds more than one file (or one JSONL line) in memory. Which reader reads what is the explicit table
below: a file by its suffix, a whole folder by a detector (brat standoff).
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings

from interchange.readers import brat, jsonl
from stories.sources.records import Item, SourceError, name_error
from stories.sources.text import read_text_file

# reader(path, max_bytes) -> records and errors of one file (or folder, for folder readers).
Reader = Callable[[Path, int], Iterator[Item]]

FILE_READERS: dict[str, Reader] = {".txt": read_text_file, ".jsonl": jsonl.read_jsonl}
# Checked in order against each folder before the plain recursive walk; the first match reads it whole.
FOLDER_READERS: tuple[tuple[Callable[[Path], bool], Reader], ...] = (
    (brat.is_brat_folder, brat.read_brat_folder),
)
GLOB_CHARS = frozenset("*?[")


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
    elif explicit or path.suffix.lower() in FILE_READERS:
        yield path  # a file named on the command line is read as text whatever its suffix


def _expand_folder(folder: Path) -> Iterator[Path | SourceError]:
    if any(detect(folder) for detect, _ in FOLDER_READERS):
        yield folder
        return
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in FILE_READERS and _visible(p, folder)
    )
    if not files:
        yield SourceError(str(folder), "folder has no .txt or .jsonl files (searched recursively)")
    yield from files


def _visible(path: Path, root: Path) -> bool:
    """Skip hidden files and folders (.git, editor swap files) under the folder being imported."""
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def _read(path: Path, max_bytes: int) -> Iterator[Item]:
    if not path.is_dir() and (bad_name := name_error(path)):
        yield bad_name
        return
    if path.is_dir():
        for detect, reader in FOLDER_READERS:
            if detect(path):
                yield from reader(path, max_bytes)
                return
    reader = FILE_READERS.get(path.suffix.lower(), read_text_file)
    try:
        yield from reader(path, max_bytes)
    except OSError as error:
        yield SourceError(str(path), f"cannot read it: {error.strerror or error}")
