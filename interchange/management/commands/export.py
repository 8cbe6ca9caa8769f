"""`manage.py export`: write the filtered stories in one of the export formats, streaming.

Stories are read in chunks and written as they come, so memory stays flat for any size of set. A file
output is written to a temporary name and renamed at the end: an interrupted export leaves nothing
half-written. Lossy adjustments (nested entities in CoNLL, overlaps in doc.ents, split tokens) are reported.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from interchange.forms.export import ExportForm
from interchange.selectors.export import LAYERS, export_stories, export_story_count
from interchange.writers import FORMAT_NAMES, write

BINARY_FORMATS = {"spacy", "brat"}
SHOWN_WARNINGS = 10


class Command(BaseCommand):
    help = "Export annotated stories as jsonl, spacy (DocBin), conll, brat (zip) or csv."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", required=True, choices=FORMAT_NAMES)
        parser.add_argument("--flavor", default="fabula", choices=["fabula", "doccano"], help="jsonl only")
        parser.add_argument(
            "--status", default="approved", help="A story status, or 'all'. Default: approved."
        )
        parser.add_argument("--batch", default="", help="Only stories of this import batch (its name).")
        parser.add_argument("--labels", default="", help="Only these labels, comma-separated: PERSON,GPE")
        parser.add_argument("--since", default="", help="Stories last changed on or after YYYY-MM-DD.")
        parser.add_argument("--until", default="", help="Stories last changed on or before YYYY-MM-DD.")
        parser.add_argument("--ids", default="", help="Only these story ids, comma-separated.")
        parser.add_argument("--layer", default="final", choices=LAYERS, help="final (default) or model.")
        parser.add_argument(
            "--pending",
            default="exclude",
            choices=["exclude", "include"],
            help="Pending suggestions: exclude (default: decided entities only) or include.",
        )
        parser.add_argument(
            "--annotator", default="", metavar="USERNAME", help="Export this annotator's layer of each story."
        )
        parser.add_argument(
            "--votes",
            action="store_true",
            help="jsonl, final layer: each span lists every annotator's label.",
        )
        parser.add_argument("--per-entity", action="store_true", help="csv: one row per entity.")
        parser.add_argument(
            "--shard-size", type=int, default=0, help="spacy: docs per DocBin; output is a .zip of DocBins."
        )
        parser.add_argument("--chunk-size", type=int, default=200, help="Stories fetched per query round.")
        parser.add_argument("-o", "--output", required=True, help="Output file, or - for standard output.")

    def handle(self, *args, **options) -> None:
        form = ExportForm({key: value for key, value in options.items() if value not in (None, "")})
        if not form.is_valid():
            raise CommandError("; ".join(form.error_lines()))
        name, output = options["format"], options["output"]
        zipped = name == "spacy" and (output.endswith(".zip") or options["shard_size"] > 0)
        if zipped and not output.endswith(".zip"):
            raise CommandError("--shard-size writes a zip of DocBins: give an output name ending in .zip.")
        filters = form.filters()
        total = export_story_count(filters=filters)
        warnings: list[str] = [] if total else [f"no story matches these filters (status {filters.status})"]
        if line := form.pending_warning():
            warnings.append(line)
        started = time.monotonic()
        stories = tqdm(
            export_stories(filters=filters, chunk_size=options["chunk_size"]),
            total=total,
            unit="story",
            file=sys.stderr,
            disable=options["verbosity"] == 0 or not sys.stderr.isatty(),
        )
        chunks = write(name, stories, options=form.options(zipped=zipped), warn=warnings.append)
        self._save(chunks, output, binary=name in BINARY_FORMATS)
        self._report(warnings, options["verbosity"])
        if options["verbosity"]:
            self.stderr.write(
                self.style.SUCCESS(
                    f"Exported {total} stor{'y' if total == 1 else 'ies'} as {name} to {output} "
                    f"in {time.monotonic() - started:.1f}s."
                )
            )

    def _save(self, chunks, output: str, *, binary: bool) -> None:
        if output == "-":
            buffer = getattr(self.stdout._out, "buffer", None)
            if buffer is None and binary:
                raise CommandError("This format is binary: write it to a file with -o PATH.")
            for chunk in chunks:
                buffer.write(chunk) if buffer is not None else self.stdout.write(chunk.decode(), ending="")
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Cannot write {output}: the folder {path.parent} does not exist.")
        partial = path.with_name(f".{path.name}.partial")
        try:
            with partial.open("wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    def _report(self, warnings: list[str], verbosity: int) -> None:
        if not warnings or not verbosity:
            return
        shown = warnings if verbosity > 1 else warnings[:SHOWN_WARNINGS]
        for line in shown:
            self.stderr.write(self.style.WARNING(f"warning: {line}"))
        if len(shown) < len(warnings):
            self.stderr.write(self.style.WARNING(f"... and {len(warnings) - len(shown)} more (use -v 2)."))
