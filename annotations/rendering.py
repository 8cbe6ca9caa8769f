"""Turn one chunk of story text plus its entities into escaped reader HTML.

Pure and fast: no database, no templates. Every piece of story text and every attribute value goes
through `escape()` (offsets and ids are formatted as integers), so a story containing `<script>` shows
those characters. A template loop per mark would cost a template node per entity; building strings
here keeps a chunk of a few hundred entities at about a millisecond.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from html import escape  # what django.utils.html.escape() calls, minus its lazy-string wrapper

from django.utils.safestring import SafeString

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
FALLBACK_COLOR = "#cccccc"


def label_style(color: str) -> str:
    """CSS variables for a label colour: the colour and a text colour with enough contrast on it."""
    color = color if _HEX.match(color or "") else FALLBACK_COLOR
    red, green, blue = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return f"--entity:{color};--entity-fg:{'#111111' if luminance > 0.45 else '#ffffff'}"


def _css_string(name: str) -> str:
    """`name` inside a double-quoted CSS string: every character but ASCII letters, digits, `_` and `-`
    as a six-digit CSS escape, so no name (even one made before names were checked) can end the string."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "_-") else f"\\{ord(ch):06x}" for ch in name)


def label_css(labels: Iterable) -> SafeString:
    """One CSS rule per label, served as the label stylesheet (annotations.views.labels): every element
    that carries `data-label` (marks, toolbar buttons, legend and dashboard swatches) takes the label's
    colours from it, so no page needs an inline style."""
    rules = [f'[data-label="{_css_string(label.name)}"]{{{label_style(label.color)}}}' for label in labels]
    return SafeString("\n".join(rules))  # names escaped above, colours checked by label_style's regex


def label_css_version(labels: Iterable) -> str:
    """Changes whenever a label's name or colour does: the stylesheet's URL carries it, so browsers may
    keep the stylesheet for as long as it stays the same."""
    digest = hashlib.sha256(repr(sorted((label.name, label.color) for label in labels)).encode())
    return digest.hexdigest()[:12]


def _segment(text: str, offset: int, start: int, end: int) -> str:
    return f'<span data-start="{start:d}">{escape(text[start - offset : end - offset])}</span>'


def _mark(text: str, offset: int, row, end: int) -> str:
    """One entity. `row` is a values() dict with id, start, end, label_id, review_state, character_id.

    An f-string with escape() on every value that is not an int: format_html() would do the same
    escaping but costs several times more, and a novel's chunk holds hundreds of marks.
    """
    covered = escape(text[row["start"] - offset : end - offset])
    label = escape(row["label_id"])
    state = escape(row["review_state"])
    pending = " entity--pending" if state == "pending" else ""
    character = row["character_id"] or ""
    shown = "suggested" if state == "pending" else "accepted"
    return (
        f'<mark id="entity-{row["id"]:d}" class="entity{pending}" tabindex="-1" role="button" '
        f'data-entity-id="{row["id"]:d}" data-label="{label}" data-start="{row["start"]:d}" '
        f'data-end="{row["end"]:d}" data-state="{state}" data-character="{character}" '
        f'aria-label="{covered}: {label}, {shown}">{covered}</mark>'
    )


def render_paragraphs(
    *, text: str, offset: int, paragraphs: Sequence[tuple[int, int]], rows: Iterable[dict]
) -> SafeString:
    """HTML for `paragraphs` (absolute [start, end) pairs) of `text`, which begins at `offset`.

    `rows` are the entities sorted by start. An entity overlapping an earlier one is skipped in the
    text (the editing services refuse overlaps; only imported data can have them) and one crossing a
    paragraph break is clipped to its first paragraph.
    """
    rows = list(rows)
    parts: list[str] = []
    index = 0
    for p_start, p_end in paragraphs:
        parts.append(f'<p class="para" data-start="{p_start:d}" data-end="{p_end:d}">')
        pos = p_start
        while index < len(rows) and rows[index]["start"] < p_end:
            row = rows[index]
            index += 1
            if row["start"] < pos:
                continue
            if row["start"] > pos:
                parts.append(_segment(text, offset, pos, row["start"]))
            pos = min(row["end"], p_end)
            parts.append(_mark(text, offset, row, pos))
        if pos < p_end:
            parts.append(_segment(text, offset, pos, p_end))
        parts.append("</p>")
    # Every piece of text and attribute above went through escape() (ints are formatted with :d), so
    # the join is safe to mark as such.
    return SafeString("".join(parts))
