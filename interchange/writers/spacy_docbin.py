"""spaCy DocBin (`.spacy`), ready for `spacy train`.

Entities go in `doc.ents` (the outermost wins where entities overlap); every entity, overlapping or not,
is also in `doc.spans["sc"]` (the spancat default); the entities that `doc.ents` could not hold are in
`doc.spans["overlaps"]`; character mentions are in `doc.spans["characters"]` with label_ = the character's
name and kb_id_ = its id. `doc.user_data` holds id, title, meta and characters. Tokens are spaCy's English
tokenizer, split further where an entity edge falls inside a token.

Memory: one DocBin holds all its docs until written. With `shard_size` N the output is a zip of DocBins
of N docs each (`spacy train` accepts a directory of .spacy files), so memory stays flat.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import asdict

import srsly.msgpack as srsly_msgpack
from spacy.tokens import Doc, DocBin, Span

from interchange.selectors.export import ExportStory
from interchange.writers.tokens import aligned_doc, outermost, tokenizer_nlp
from interchange.writers.zipstream import ZipStream


def story_doc(story: ExportStory, warn) -> Doc:
    doc, split = aligned_doc(story.text, story.entities)
    if split:
        warn(f"story {story.id}: split {split} token(s) so that every span edge is a token edge")
    kept, overlapping = outermost(story.entities)
    if overlapping:
        warn(
            f"story {story.id}: {len(overlapping)} overlapping span(s) kept in doc.spans['overlaps'] "
            "instead of doc.ents"
        )

    def make(entity, label=None) -> Span:
        made = doc.char_span(entity.start, entity.end, label=label or entity.label, alignment_mode="strict")
        if made is None:  # pragma: no cover - aligned_doc guarantees token edges
            raise AssertionError(f"story {story.id}: entity {entity.start}-{entity.end} does not align")
        return made

    doc.ents = [make(entity) for entity in kept]
    doc.spans["sc"] = [make(entity) for entity in story.entities]
    doc.spans["overlaps"] = [make(entity) for entity in overlapping]
    names = {character.id: character.name for character in story.characters}
    mentions = []
    for entity in story.entities:
        if entity.character in names:
            made = make(entity, label=names[entity.character])
            made.kb_id_ = str(entity.character)
            mentions.append(made)
    doc.spans["characters"] = mentions
    doc.user_data["id"] = story.id
    doc.user_data["title"] = story.title
    doc.user_data["meta"] = story.meta
    doc.user_data["characters"] = [asdict(character) for character in story.characters]
    return doc


# What `spacy train` reads from an NER corpus. The blank tokenizer sets no tags, lemmas or parses, so
# DocBin's default attributes would store zeros for them: a third of the memory and of the file.
DOCBIN_ATTRS = ["ORTH", "ENT_IOB", "ENT_TYPE"]


def new_docbin() -> DocBin:
    return DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)


class MsgpackRegistrySnapshot:
    """srsly re-reads its msgpack extension registry (package entry points plus a scan of catalogue's
    whole registry) on every msgpack call, and DocBin.add makes ~4 calls per Doc: that lookup was more
    than half the export's time. The registry does not change during an export, so one snapshot, taken
    when the export starts, is served while each DocBin call runs (and the real method restored after)."""

    def __init__(self) -> None:
        self.registries = (srsly_msgpack.msgpack_encoders, srsly_msgpack.msgpack_decoders)
        self.snapshots = [registry.get_all() for registry in self.registries]

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        for registry, snapshot in zip(self.registries, self.snapshots, strict=True):
            registry.get_all = lambda snapshot=snapshot: snapshot
        try:
            yield
        finally:
            for registry in self.registries:
                registry.__dict__.pop("get_all", None)  # back to the class's method


def write(stories: Iterable[ExportStory], *, options, warn) -> Iterator[bytes]:
    tokenizer_nlp()
    registry = MsgpackRegistrySnapshot()

    def add(docbin: DocBin, doc: Doc) -> None:
        with registry.active():
            docbin.add(doc)

    def to_bytes(docbin: DocBin) -> bytes:
        with registry.active():
            return docbin.to_bytes()

    if not options.shard_size:
        docbin = new_docbin()
        for story in stories:
            add(docbin, story_doc(story, warn))
        yield to_bytes(docbin)
        return
    archive = ZipStream()
    docbin, number = new_docbin(), 0
    for story in stories:
        add(docbin, story_doc(story, warn))
        if len(docbin) >= options.shard_size:
            number += 1
            yield from archive.add(f"fabula-{number:05d}.spacy", to_bytes(docbin))
            docbin = new_docbin()
    if len(docbin) or not number:
        number += 1
        yield from archive.add(f"fabula-{number:05d}.spacy", to_bytes(docbin))
    yield from archive.close()


def read_docs(data: bytes) -> list[Doc]:
    """Load a single DocBin's bytes into Docs (used by tests and the round-trip check)."""
    return list(DocBin().from_bytes(data).get_docs(tokenizer_nlp().vocab))


def read_zip(data: bytes) -> list[Doc]:
    import zipfile

    docs: list[Doc] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(archive.namelist()):
            docs.extend(read_docs(archive.read(name)))
    return docs
