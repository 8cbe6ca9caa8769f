"""Checks shared by the annotated readers (JSONL, Prodigy, doccano, brat) on spans against their text,
and on every string a line carries: nothing the database cannot store gets past a reader.

Offsets count Unicode code points, as Python and spaCy do. A tool that counted UTF-16 units or bytes
produces offsets that land inside a character: inside a surrogate pair, or between a letter and the
combining accent that belongs to it. Those spans are refused with a message that says so.
"""

from __future__ import annotations

import re
import unicodedata


class LineError(ValueError):
    """A JSONL line that cannot become a story; the message is shown with the file and line."""


# NUL and the surrogate range, found by one search in C: a Python loop over every character took
# 0.19 s of CPU for 1,000 stories of 2,500 characters, the search 0.01 s.
UNSTORABLE_CHARS = re.compile("[\x00\ud800-\udfff]")


def string_problem(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None. PostgreSQL refuses NUL in text and JSON, and no
    database can store a lone surrogate (half of a UTF-16 pair, e.g. from a JSON `\\ud800` escape):
    UTF-8 has no encoding for it."""
    match = UNSTORABLE_CHARS.search(value)
    if match is None:
        return None
    char, index = match.group(), match.start()
    if char == "\x00":
        return f"a NUL character (\\u0000) at character {index}; remove it"
    return (
        f"a lone surrogate (\\u{ord(char):04x}) at character {index}, half of a UTF-16 pair and "
        "not a character; fix the escape or remove it"
    )


def unstorable(obj, where: str = "") -> str | None:
    """The first string in a parsed JSON value (keys included) that cannot be stored, and why."""
    if isinstance(obj, str):
        problem = string_problem(obj)
        return f"{where or 'the line'} holds {problem}" if problem else None
    if isinstance(obj, dict):
        for key, value in obj.items():
            name = f"{where}.{key}" if where else f'"{key}"'
            if problem := string_problem(key):
                return f"a key in {where or 'the object'} holds {problem}"
            if problem := unstorable(value, name):
                return problem
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            if problem := unstorable(value, f"{where}[{index}]"):
                return problem
    return None


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Me")


def span_cut_problem(text: str, start: int, end: int) -> str | None:
    """Why [start, end) cuts through a character, or None when its edges fall between characters."""
    for edge in (start, end):
        if (
            0 < edge < len(text)
            and "\ud800" <= text[edge - 1] <= "\udbff"
            and "\udc00" <= text[edge] <= "\udfff"
        ):
            return (
                f"offset {edge} falls inside a surrogate pair; offsets must count characters "
                "(code points), not UTF-16 units"
            )
    if start < len(text) and _is_mark(text[start]):
        return (
            f"offset {start} starts on a combining mark (U+{ord(text[start]):04X}) that belongs to the "
            "character before it; move the start one character back"
        )
    if end < len(text) and _is_mark(text[end]):
        return (
            f"offset {end} separates a character from its combining mark (U+{ord(text[end]):04X}); "
            "move the end one character forward"
        )
    return None


def check_spans(spans: object, text: str) -> list[dict]:
    if not isinstance(spans, list):
        raise LineError('"spans" must be a list of {"start", "end", "label"} objects')
    for index, span in enumerate(spans):
        if not isinstance(span, dict):
            raise LineError(f"span {index} is not an object")
        start, end, label = span.get("start"), span.get("end"), span.get("label")
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool):
            raise LineError(f'span {index}: "start" and "end" must be integer character offsets')
        if not isinstance(label, str) or not label:
            raise LineError(f'span {index}: "label" must be a non-empty string')
        if not 0 <= start < end <= len(text):
            raise LineError(
                f"span {index} [{start}, {end}) is outside the text (0..{len(text)}); "
                "offsets count characters, not bytes"
            )
        problem = span_cut_problem(text, start, end)
        if problem:
            raise LineError(f"span {index} [{start}, {end}): {problem}")
        quoted = span.get("text")
        if isinstance(quoted, str) and quoted != text[start:end]:
            raise LineError(
                f"span {index} [{start}, {end}) covers {text[start:end]!r} but says {quoted!r}; "
                "offsets count characters, not bytes"
            )
    return spans


def check_characters(characters: object) -> list[dict]:
    if characters is None:
        return []
    if not isinstance(characters, list) or not all(
        isinstance(c, dict) and isinstance(c.get("name"), str) and c["name"].strip() for c in characters
    ):
        raise LineError('"characters" must be a list of objects with a non-empty "name"')
    return characters
