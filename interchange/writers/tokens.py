"""Token alignment shared by the token-based formats (spaCy DocBin, CoNLL).

An entity whose edge falls inside a spaCy token would be lost by `Doc.char_span` (it returns None). Rather
than expand or drop it, `aligned_doc()` splits such tokens at every entity edge, so every exported entity
maps onto whole tokens exactly; the count of split tokens is returned so writers can warn.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from interchange.selectors.export import ExportEntity


@functools.cache
def tokenizer_nlp() -> Language:
    """A blank English pipeline plus a sentencizer: cheap, deterministic, and what `spacy train` re-tokenises
    consistently with. The trained pipeline's parser is not needed for sentence boundaries in an export."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def aligned_doc(text: str, entities: Iterable[ExportEntity], *, sentences: bool = False) -> tuple[Doc, int]:
    """Tokenise `text` so that every entity edge is a token edge; returns (doc, number of tokens split)."""
    nlp = tokenizer_nlp()
    doc = nlp.make_doc(text)
    entities = list(entities)
    if all(doc.char_span(entity.start, entity.end) is not None for entity in entities):
        # The usual case: every entity already sits on token edges, so there is nothing to split.
        return (nlp.get_pipe("sentencizer")(doc) if sentences else doc), 0
    edges = {edge for entity in entities for edge in (entity.start, entity.end)}
    words: list[str] = []
    spaces: list[bool] = []
    split = 0
    for token in doc:
        start, end = token.idx, token.idx + len(token.text)
        cuts = sorted(edge for edge in edges if start < edge < end)
        if cuts:
            split += 1
        bounds = [start, *cuts, end]
        for index, (left, right) in enumerate(itertools.pairwise(bounds)):
            words.append(text[left:right])
            spaces.append(bool(token.whitespace_) and index == len(bounds) - 2)
    if split:
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
    if doc.text != text:  # pragma: no cover - guards the invariant every offset relies on
        raise AssertionError("re-tokenised text differs from the story text")
    if sentences:
        doc = nlp.get_pipe("sentencizer")(doc)
    return doc, split


def outermost(entities: Iterable[ExportEntity]) -> tuple[list[ExportEntity], list[ExportEntity]]:
    """Split entities into (kept, overlapping): longest first, then earliest, so nested mentions yield to the
    outermost one. Both lists come back in text order."""
    kept: list[ExportEntity] = []
    dropped: list[ExportEntity] = []
    taken: list[tuple[int, int]] = []
    for entity in sorted(entities, key=lambda e: (-(e.end - e.start), e.start, e.label)):
        if any(entity.start < end and start < entity.end for start, end in taken):
            dropped.append(entity)
        else:
            kept.append(entity)
            taken.append((entity.start, entity.end))
    order = lambda e: (e.start, -e.end, e.label)  # noqa: E731
    return sorted(kept, key=order), sorted(dropped, key=order)
