"""Export formats: one module per format, each a streaming writer over `ExportStory` rows.

Every writer has the signature `write(stories, *, options, warn) -> Iterator[bytes]`: it consumes the
story iterator lazily and yields output as it goes, so memory stays flat however many stories there are.
`warn(message)` receives one line per lossy or adjusted entity (never silently dropped).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from interchange.selectors.export import ExportStory

Warn = Callable[[str], None]


@dataclass(frozen=True)
class ExportOptions:
    flavor: str = "fabula"  # jsonl: "fabula" or "doccano"
    per_entity: bool = False  # csv: one row per entity instead of per character
    shard_size: int = 0  # spacy: 0 = one DocBin; N = a zip of DocBins of N docs each


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str
    content_type: str
    module: str  # imported only when used: spaCy costs seconds to import, and jsonl/csv never need it

    def writer(self) -> Callable[..., Iterator[bytes]]:
        return importlib.import_module(self.module).write


FORMATS = {
    "jsonl": ExportFormat("jsonl", ".jsonl", "application/x-ndjson", "interchange.writers.jsonl"),
    "spacy": ExportFormat("spacy", ".spacy", "application/octet-stream", "interchange.writers.spacy_docbin"),
    "conll": ExportFormat("conll", ".conll", "text/plain; charset=utf-8", "interchange.writers.conll"),
    "brat": ExportFormat("brat", ".zip", "application/zip", "interchange.writers.brat"),
    "csv": ExportFormat("csv", ".csv", "text/csv; charset=utf-8", "interchange.writers.csv"),
}
FORMAT_NAMES = tuple(FORMATS)
# Formats with no place for a span's review state: an included pending suggestion looks accepted there.
STATELESS = {"spacy": "spaCy DocBin", "conll": "CoNLL", "brat": "brat"}


def pending_warning(name: str, *, flavor: str, pending: str) -> str | None:
    """The one warning line for `--pending include` in a format that cannot say which spans are pending."""
    if pending != "include":
        return None
    if name == "jsonl" and flavor == "doccano":
        title = "doccano JSONL"
    elif name in STATELESS:
        title = STATELESS[name]
    else:
        return None
    return (
        f"--pending include: pending suggestions are in this {title} export, and {title} cannot mark them, "
        "so they look accepted. Use jsonl or csv to keep each span's state."
    )


def get_format(name: str) -> ExportFormat:
    return FORMATS[name]


def write(
    name: str, stories: Iterable[ExportStory], *, options: ExportOptions, warn: Warn
) -> Iterator[bytes]:
    return get_format(name).writer()(stories, options=options, warn=warn)
