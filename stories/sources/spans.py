"""Checks shared by the annotated readers (JSONL, brat) on a span's offsets against its text.

Offsets count Unicode code points, as Python and spaCy do. A tool that counted UTF-16 units or bytes
produces offsets that land inside a character: inside a surrogate pair, or between a letter and the
combining accent that belongs to it. Those spans are refused with a message that says so.
"""

from __future__ import annotations

import unicodedata


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
