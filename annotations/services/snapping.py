"""Snap character ranges to token boundaries, reading only a small window around them.

Why spaCy's blank English tokenizer and not a regex: exported spans must line up with the tokens spaCy
makes for training (`Doc.char_span` in strict mode drops misaligned spans). The blank tokenizer has the
same rules as en_core_web_sm ("Mr." stays one token, "Anna's" is "Anna" + "'s", "sun-kissed" splits at
the hyphen), needs no model weights, loads once per process in about 0.1 s, and here only ever sees a
window of ~200 characters, so snapping costs the same on a short story and on a novel.

`warm_up()` loads it before the first request (config/wsgi.py calls it), so no editor's first edit
pays the seconds that importing spaCy takes; under `gunicorn --preload` the workers share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotations.selectors.reader import text_window
from nlp.tokens import tokenizer
from stories.models import Story

PAD = 100


def warm_up() -> None:
    """Import spaCy and build the tokenizer now; tokenising once also loads its lazily built tables."""
    tokenizer()("Mr. Smith's sun-kissed warm-up, at 9:30 a.m.")


@dataclass
class Window:
    offset: int
    text: str
    tokens: list[tuple[int, int]]  # absolute [start, end) of each non-space token

    def slice(self, start: int, end: int) -> str:
        return self.text[start - self.offset : end - self.offset]


def window_around(story: Story, start: int, end: int) -> Window:
    """Tokens near [start, end); the window is cut at whitespace so no token is cut in half."""
    lo, hi = max(0, start - PAD), min(story.text_length, end + PAD)
    text = text_window(story, lo, hi)
    cut_lo, cut_hi = 0, len(text)
    if lo > 0 and (m := re.search(r"\s", text)) and lo + m.end() <= start:
        cut_lo = m.end()
    if hi < story.text_length and (m := re.search(r"\s\S*$", text)) and lo + m.start() >= end:
        cut_hi = m.start()
    doc = tokenizer()(text[cut_lo:cut_hi])
    base = lo + cut_lo
    tokens = [(base + t.idx, base + t.idx + len(t.text)) for t in doc if not t.is_space]
    return Window(offset=lo, text=text, tokens=tokens)


def snap(window: Window, start: int, end: int) -> tuple[int, int] | None:
    """The smallest token-aligned span covering every token the range touches, or None."""
    touched = [t for t in window.tokens if t[1] > start and t[0] < end]
    if not touched:
        return None
    return touched[0][0], touched[-1][1]


def step(window: Window, start: int, end: int, *, side: str, grow: bool) -> tuple[int, int] | None:
    """Move one edge of [start, end) by one token: side "start"/"end", grow outwards or shrink in."""
    starts = [t[0] for t in window.tokens]
    ends = [t[1] for t in window.tokens]
    if side == "start":
        options = [s for s in starts if s < start] if grow else [s for s in starts if start < s < end]
        new = (max(options) if grow else min(options)) if options else None
        return (new, end) if new is not None else None
    options = [e for e in ends if e > end] if grow else [e for e in ends if start < e < end]
    new = (min(options) if grow else max(options)) if options else None
    return (start, new) if new is not None else None
