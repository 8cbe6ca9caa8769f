"""Chapters and the text that is not prose: `find_chapters(text)` gives a story's chapter and part headings
as `Chapter(title, start, end)` (end = where the next heading starts, or the text's end);
`not_prose(text)` gives the ranges that hold no story (headings, tables of contents, Project Gutenberg's
header and licence), which extraction keeps free of entities. Pure string work, O(n).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

ROMAN = r"[IVXLCDM]+"
NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|first|"
    r"second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last"
)
NUMBER = rf"(?:{ROMAN}|\d+|(?:{NUMBER_WORDS})(?:[- ](?:{NUMBER_WORDS}))*)"
HEADING_WORD = r"chapter|part|book|volume|canto|letter|act|prologue|epilogue|preface|introduction"
# "CHAPTER I.", "Chapter 12: The Ball", "PART TWO", "BOOK III. THE WAR", "I.", "XIV", "Prologue".
HEADING = re.compile(
    rf"^[ \t]*(?:(?:{HEADING_WORD})\b\.?(?:[ \t]+{NUMBER}\b)?|{ROMAN}\b|\d{{1,3}}\b)"
    rf"[.:]?(?:[ \t]*[.:—–-]?[ \t]*(?P<rest>[^\n]{{0,80}}))?$",
    re.IGNORECASE | re.MULTILINE,
)
# Words that mark the heading as one, not a sentence that happens to start with "Part" or "I".
STRICT_WORDS = re.compile(rf"^[ \t]*(?:{HEADING_WORD})\b", re.IGNORECASE)
GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG[^\n]*$", re.MULTILINE | re.I)
GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG[^\n]*$", re.MULTILINE | re.I)
CONTENTS = re.compile(r"^[ \t]*(?:table of )?contents\.?[ \t]*$", re.MULTILINE | re.IGNORECASE)
MIN_CHAPTER_CHARS = 200  # shorter than this after a heading: a table of contents line, not a chapter


@dataclass(frozen=True)
class Chapter:
    title: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return asdict(self)


def _blank_line_around(text: str, start: int, end: int) -> bool:
    """A heading stands on a line of its own: a blank line (or the text's edge) before or after it."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    return start == 0 or before.endswith("\n\n") or after.startswith("\n\n") or end >= len(text) - 1


def _candidates(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, strict) for every line that looks like a heading; strict = it names itself
    ("Chapter", "Part"), not only a numeral."""
    found = []
    for match in HEADING.finditer(text):
        start, end = match.start(), match.end()
        line = match.group()
        while start < end and text[start] in " \t":
            start += 1
        rest = (match.group("rest") or "").strip()
        strict = bool(STRICT_WORDS.match(line))
        if not strict and rest and not rest.isupper():
            continue  # "I said so." is a sentence; "I. THE BALL" a heading
        if rest.endswith((",", ";")) or (rest and rest[-1:].islower() and not strict):
            continue
        if _blank_line_around(text, match.start(), end):
            found.append((start, end, strict))
    return found


def prose_bounds(text: str) -> tuple[int, int]:
    """Where the story itself starts and ends: inside Project Gutenberg's markers if it has them."""
    start, end = 0, len(text)
    if opening := GUTENBERG_START.search(text):
        start = opening.end()
    if closing := GUTENBERG_END.search(text, start):
        end = closing.start()
    return start, end


def find_chapters(text: str) -> list[Chapter]:
    """The story's chapters, in order. Fewer than two headings is no chapter structure (an empty list).

    Bare numerals ("I.", "12") count only when the story has at least three of them and no headings that
    name themselves; headings that follow each other closely (a table of contents) are not chapters.
    """
    low, high = prose_bounds(text)
    found = [c for c in _candidates(text) if low <= c[0] < high]
    strict = [c for c in found if c[2]]
    chosen = strict if strict else (found if len(found) >= 3 else [])
    # A table of contents lists the headings close together: keep only headings followed by a chapter.
    chapters: list[tuple[int, int]] = []
    for k, (start, end, _) in enumerate(chosen):
        following = chosen[k + 1][0] if k + 1 < len(chosen) else high
        if following - end >= MIN_CHAPTER_CHARS:
            chapters.append((start, end))
    if len(chapters) < 2:
        return []
    out = []
    for k, (start, end) in enumerate(chapters):
        title = " ".join(text[start:end].split())
        out.append(
            Chapter(title=title, start=start, end=chapters[k + 1][0] if k + 1 < len(chapters) else high)
        )
    return out


def not_prose(text: str, chapters: list[Chapter] | None = None) -> list[tuple[int, int]]:
    """Sorted ranges with no story in them: the Gutenberg header and licence, the heading lines, and a
    table of contents (from a "Contents" line, or the first heading, to the first chapter)."""
    low, high = prose_bounds(text)
    ranges = []
    if low:
        ranges.append((0, low))
    if high < len(text):
        ranges.append((high, len(text)))
    chapters = find_chapters(text) if chapters is None else chapters
    first = chapters[0].start if chapters else None
    contents = CONTENTS.search(text, low, high)
    if contents and first is not None and contents.start() < first:
        ranges.append((contents.start(), first))
    headings = {(start, end) for start, end, _ in _candidates(text) if low <= start < high}
    for chapter in chapters:
        line_end = text.find("\n", chapter.start)
        headings.add((chapter.start, line_end if line_end != -1 else len(text)))
    ranges.extend(headings)
    return _merge(ranges)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
