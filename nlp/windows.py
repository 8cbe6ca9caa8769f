"""Run many stories through one `nlp.pipe` pass, cutting long ones into paragraph windows:
`pipe_windows()` yields one `StoryDocs` per story, with the windows' offsets into the story text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from spacy.language import Language
from spacy.tokens import Doc

from nlp.loading import get_nlp

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def split_windows(text: str, max_chars: int) -> list[tuple[int, str]]:
    """Cut `text` at paragraph breaks into windows of at most ~max_chars; returns (offset, text) pairs.

    A single paragraph longer than max_chars is cut at the last sentence-ish boundary ('. ') or,
    failing that, whitespace, so no window ever splits a word.
    """
    if len(text) <= max_chars:
        return [(0, text)]
    windows: list[tuple[int, str]] = []
    start = 0
    length = len(text)
    while start < length:
        limit = start + max_chars
        if limit >= length:
            windows.append((start, text[start:]))
            break
        cut = -1
        for match in PARAGRAPH_BREAK.finditer(text, start, limit):
            cut = match.end()
        if cut <= start:
            cut = text.rfind(". ", start, limit) + 2
        if cut <= start + 1:
            cut = max(text.rfind(" ", start, limit), text.rfind("\n", start, limit)) + 1
        if cut <= start:
            cut = limit  # one unbroken run of max_chars characters: nothing better exists
        windows.append((start, text[start:cut]))
        start = cut
    return windows


@dataclass
class StoryDocs:
    """The spaCy output for one story: its windows as (character offset, Doc) pairs."""

    context: Any
    text: str
    windows: list[tuple[int, Doc]]


def pipe_windows(
    items: Iterable[tuple[str, Any]],
    *,
    nlp: Language | None = None,
    batch_size: int | None = None,
    n_process: int = 1,
    window_chars: int | None = None,
) -> Iterator[StoryDocs]:
    """Yield one StoryDocs per (text, context) item, in order, from a single streaming nlp.pipe pass.

    spaCy's memory grows with the document, so a story longer than ~SPACY_WINDOW_CHARS (or
    `window_chars`) goes through as paragraph windows whose offsets map back exactly onto its text.
    """
    nlp = nlp or get_nlp()
    batch_size = batch_size or settings.SPACY_BATCH_SIZE
    # spaCy's memory grows with the characters in one batch (about 3.5 KB a character with
    # en_core_web_sm: 32 windows of 50,000 characters peak near 2.5 GB), not with the number of docs.
    # Windows are sized so a batch holds at most SPACY_BATCH_CHARS; NER looks only a few tokens
    # around each word and windows end at paragraph breaks, so smaller windows cost no accuracy.
    window_chars = window_chars or min(
        settings.SPACY_WINDOW_CHARS, max(1_000, settings.SPACY_BATCH_CHARS // batch_size)
    )
    pending: list[tuple[Any, str, int]] = []  # (context, text, number of windows)

    def windows() -> Iterator[tuple[str, tuple[int, int]]]:
        for index, (text, context) in enumerate(items):
            parts = split_windows(text, window_chars)
            pending.append((context, text, len(parts)))
            for offset, part in parts:
                yield part, (index, offset)

    current: list[tuple[int, Doc]] = []
    story_index = 0
    for doc, (index, offset) in nlp.pipe(
        windows(), as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        # nlp.pipe keeps input order, so windows arrive grouped by story.
        if index != story_index:  # pragma: no cover - nlp.pipe guarantees input order
            raise RuntimeError("nlp.pipe returned windows out of order")
        current.append((offset, doc))
        context, text, count = pending[0]
        if len(current) == count:
            pending.pop(0)
            yield StoryDocs(context=context, text=text, windows=current)
            current = []
            story_index += 1
