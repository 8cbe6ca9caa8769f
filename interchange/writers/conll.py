"""CoNLL-2003-style NER: four space-separated columns `TOKEN -X- _ TAG`, IOB2 tags, blank line between
sentences, `-DOCSTART- -X- -X- O` (then a blank line) before each story.

Tokens are spaCy's English tokenizer (split at entity edges); whitespace tokens are left out. Sentences come
from spaCy's sentencizer, except that a sentence never breaks inside an entity. BIO cannot nest: where
entities overlap, the outermost (longest) is kept and the others are reported through `warn`.
`spacy convert -c ner` and seqeval/CoNLL readers take the first and last columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from interchange.selectors.export import ExportStory
from interchange.writers.tokens import aligned_doc, outermost

DOCSTART = "-DOCSTART- -X- -X- O\n\n"


def story_lines(story: ExportStory, warn) -> str:
    kept, overlapping = outermost(story.entities)
    for entity in overlapping:
        warn(
            f"story {story.id}: {entity.label} {entity.start}-{entity.end} {entity.text!r} "
            "overlaps a longer span; BIO cannot nest, so CoNLL keeps the outermost"
        )
    doc, split = aligned_doc(story.text, kept, sentences=True)
    if split:
        warn(f"story {story.id}: split {split} token(s) so that every span edge is a token edge")
    tags = ["O"] * len(doc)
    inside = [False] * len(doc)
    for entity in kept:
        tokens = doc.char_span(entity.start, entity.end, alignment_mode="strict")
        for offset, token in enumerate(tokens):
            tags[token.i] = f"{'B' if offset == 0 else 'I'}-{entity.label}"
            inside[token.i] = offset > 0
    out: list[str] = []
    sentence: list[str] = []
    for token in doc:
        if token.is_sent_start and sentence and not inside[token.i]:
            out.append("\n".join(sentence) + "\n\n")
            sentence = []
        if token.is_space:
            continue
        sentence.append(f"{token.text} -X- _ {tags[token.i]}")
    if sentence:
        out.append("\n".join(sentence) + "\n\n")
    return "".join(out)


def write(stories: Iterable[ExportStory], *, options, warn) -> Iterator[bytes]:
    for story in stories:
        yield (DOCSTART + story_lines(story, warn)).encode()


def read(data: str) -> list[list[tuple[str, str]]]:
    """Parse CoNLL text back into documents of (token, tag) pairs (used by tests and docs examples)."""
    documents: list[list[tuple[str, str]]] = []
    for line in data.splitlines():
        if not line.strip():
            continue
        columns = line.split(" ")
        if columns[0] == "-DOCSTART-":
            documents.append([])
            continue
        documents[-1].append((columns[0], columns[-1]))
    return documents


def entities(text: str, tokens: list[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Map a document's (token, tag) pairs back onto `text`: returns (start, end, label) per entity."""
    found: list[tuple[int, int, str]] = []
    cursor = 0
    current: list | None = None
    for token, tag in tokens:
        start = text.index(token, cursor)
        end = cursor = start + len(token)
        if tag.startswith("B-") or (tag.startswith("I-") and (current is None or current[2] != tag[2:])):
            if current:
                found.append(tuple(current))
            current = [start, end, tag[2:]]
        elif tag.startswith("I-"):
            current[1] = end
        else:
            if current:
                found.append(tuple(current))
            current = None
    if current:
        found.append(tuple(current))
    return found
