"""A title a reader recognises, for a story that may not have one.

Contract: `derive_title(text, source_name)` returns `(title, how)`, `how` being "heading", "file name"
or "opening". The text itself is never changed: a heading stays the first line of `Story.text`,
because entity offsets point into the text exactly as imported.
"""

from __future__ import annotations

import re
from pathlib import PurePath

MAX_TITLE_CHARS = 120
MAX_HEADING_WORDS = 15
OPENING_WORDS = 8
# A file-name word that reads as a word: letters only, not a hex digest like "4e5102402ef939e4".
WORD = re.compile(r"^[^\W\d_]{2,}$")


def derive_title(text: str, source_name: str = "") -> tuple[str, str]:
    heading = heading_of(text)
    if heading:
        return heading, "heading"
    name = title_from_file_name(source_name)
    if name:
        return name, "file name"
    return opening_words(text), "opening"


def heading_of(text: str) -> str | None:
    """The first line, if it is short, has no final full stop and is followed by a blank line."""
    first, newline, rest = text.lstrip("\n").partition("\n")
    first = first.strip()
    if not newline or not first or not rest.strip():
        return None
    following = rest.split("\n", 1)[0]
    if following.strip():
        return None
    if len(first) > MAX_TITLE_CHARS or len(first.split()) > MAX_HEADING_WORDS:
        return None
    if first[-1] in ".,;:" and not first.endswith("..."):
        return None
    return first


def title_from_file_name(source_name: str) -> str | None:
    """ "01_the-nose.txt" -> "The nose"; None for machine names such as "000_4e5102402ef939e4"."""
    stem = PurePath(source_name).stem if source_name else ""
    tokens = [token for token in re.split(r"[\W_]+", stem) if token]
    while tokens and tokens[0].isdigit():  # a leading sequence number is not part of the title
        tokens.pop(0)
    if not any(WORD.match(token) for token in tokens):
        return None
    words = " ".join(tokens)
    return (words[0].upper() + words[1:])[:MAX_TITLE_CHARS]


def opening_words(text: str) -> str:
    """The first words of the story, e.g. "Anna Zhunussova was a Russian ballerina with…"."""
    words = text.split()
    title = " ".join(words[:OPENING_WORDS])
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rstrip()
        return title + "…"
    return title.rstrip(".,;:") + ("…" if len(words) > OPENING_WORDS else "")
