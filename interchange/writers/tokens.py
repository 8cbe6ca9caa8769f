"""Token alignment shared by the token-based formats (spaCy DocBin, CoNLL).

An entity whose edge falls inside a spaCy token would be lost by `Doc.char_span` (it returns None). Rather
than expand or drop it, `aligned_doc()` splits such tokens at every entity edge, so every exported entity
maps onto whole tokens exactly; the count of split tokens is returned so writers can warn.
"""

from __future__ import annotations

import bisect
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
    # Sorted once and searched per token: scanning every edge for every token made a novel's export
    # take minutes (250,000 tokens times 14,000 edges).
    edges = sorted({edge for entity in entities for edge in (entity.start, entity.end)})
    words: list[str] = []
    spaces: list[bool] = []
    split = 0
    for token in doc:
        start, end = token.idx, token.idx + len(token.text)
        cuts = edges[bisect.bisect_right(edges, start) : bisect.bisect_left(edges, end)]
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
    # The kept intervals never overlap, so sorted by start, only the neighbours of a new interval can
    # overlap it: a bisect instead of a scan of everything kept so far.
    starts: list[int] = []
    ends: list[int] = []
    for entity in sorted(entities, key=lambda e: (-(e.end - e.start), e.start, e.label)):
        at = bisect.bisect_left(starts, entity.start)
        before = at > 0 and ends[at - 1] > entity.start
        after = at < len(starts) and starts[at] < entity.end
        if before or after:
            dropped.append(entity)
        else:
            kept.append(entity)
            starts.insert(at, entity.start)
            ends.insert(at, entity.end)
    order = lambda e: (e.start, -e.end, e.label)  # noqa: E731
    return sorted(kept, key=order), sorted(dropped, key=order)
