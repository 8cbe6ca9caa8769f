"""Mention boundaries: `trim_person` cuts words that are no name off a PERSON span ("Stephen answered"),
`extend_modifiers` widens PERSON spans over the describing words of their noun phrase ("old Pontifex"),
as LitBank and ACE do. Pure string work, O(n).
"""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS

from nlp.extraction.types import Span
from nlp.extraction.vocabulary import (
    LEADING_PARTICLES,
    LOWER_NAME_PARTICLES,
    TITLES,
    is_title,
    sentence_initial,
)

# Adjectives that describe a person by age, smallness or death and are written before the name without a
# determiner ("old Pontifex", "young Linwood", "little Amy"). "poor" and "dear" are left out: LitBank tags
# "poor Florence" and "my dear Watson" both ways, and mostly without the word.
BARE_MODIFIERS = {"old", "young", "little", "late"}
# "that" is left out: "I say again , that old Pontifex" is a conjunction far more often than a determiner.
DETERMINERS = {"the", "this", "my", "our", "your"}
POSSESSIVES = {"my", "your", "his", "her", "its", "our", "their", "the", "a", "an"}
# Adjectives that commonly describe people, for the determiner pattern ("the amiable Miss Sedley"); other
# words qualify by an adjective ending or a hyphen. Nouns ("the poet Syme", "the day Dorothea") do not.
DESCRIPTIVE = {
    "old", "young", "little", "late", "said", "same", "second", "great", "good", "future", "handsome",
    "pretty", "fair", "gentle", "noble", "brave", "wise", "big", "tall", "fat", "first", "third", "last",
    "elder", "eldest", "younger", "youngest", "wicked", "happy", "unhappy", "silly", "ugly", "lovely",
    "plain", "sweet", "kind", "grand", "proud", "rich", "honest", "worthy", "envious", "unfortunate",
}  # fmt: skip
ADJECTIVE_ENDINGS = (
    "ed",
    "ing",
    "ful",
    "ous",
    "ive",
    "able",
    "ible",
    "ent",
    "ant",
    "al",
    "ic",
    "less",
    "ish",
)
# Opening a sentence or line, "Dear" is part of the address: "Dear Judy :" (but "my dear Watson" is not).
OPENING_MODIFIERS = {"dear", "dearest"}
WORD_BEFORE = re.compile(r"(?:^|(?<=[\s“\"‘(]))([A-Za-z][a-z’'-]*) $")
HEADING_WORDS = {"chapter", "book", "part", "letter", "volume", "canto", "act", "scene"}
ROMAN = re.compile(r"[IVXLC]+\.?|\d+\.?")
MAX_MODIFIERS = 3


def _word_before(text: str, start: int) -> tuple[int, str] | None:
    """(start, word) of the word directly before `start`, separated by exactly one space on the same line."""
    match = WORD_BEFORE.search(text, max(0, start - 30), start)
    return (match.start(1), match.group(1)) if match else None


def _is_modifier(word: str) -> bool:
    """A lowercase word that can sit between a determiner and a name: "amiable", "late", "good-natured"."""
    if not word.islower() or word in STOP_WORDS:
        return False
    return word in DESCRIPTIVE or "-" in word or word.endswith(ADJECTIVE_ENDINGS)


def extended_start(text: str, span: Span) -> int:
    """Where the noun phrase of this PERSON span starts (its own start if nothing describes it)."""
    previous = _word_before(text, span.start)
    if previous is None:
        return span.start
    position, word = previous
    if word.lower() in OPENING_MODIFIERS and word[:1].isupper() and sentence_initial(text, position):
        return position  # "Dear Judy :", "Poor Jo !"
    if word.islower() and word in TITLES and not is_title(text[span.start : span.end].split()[0]):
        # "uncle Charles", "squire Allworthy": a title in lower case; "her sister Celia" names a relation.
        owner = _word_before(text, position)
        return position if owner is None or owner[1].lower() not in POSSESSIVES else span.start
    modifiers: list[int] = []
    while previous and len(modifiers) < MAX_MODIFIERS and _is_modifier(previous[1]):
        modifiers.append(previous[0])
        previous = _word_before(text, previous[0])
    if previous and previous[1].lower() in DETERMINERS and not sentence_initial(text, previous[0]):
        if modifiers:
            return previous[0]  # "the late John Jacob Astor", "my little Lizzy"
        surface = text[span.start : span.end]
        if previous[1] == "the" and " " not in surface and surface.endswith("s"):
            return previous[0]  # a family or people: "the Gauls", "the Bennets"
    # Without a determiner only the closed set counts ("old Pontifex"), from the name outwards.
    start = span.start
    for position in modifiers:
        if text[position : text.index(" ", position)] not in BARE_MODIFIERS:
            break
        start = position
    return start


def extend_modifiers(text: str, spans: list[Span]) -> list[Span]:
    """Widen PERSON spans over their modifiers, never into the previous span."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if span.label == "PERSON":
            start = extended_start(text, span)
            if out and start < out[-1].end:
                start = span.start
            span = Span(start, span.end, span.label, span.fixed)
        out.append(span)
    return out


def trim_person(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut leading and trailing words that cannot be part of a name off a PERSON span.

    Lower-case words at the edges ("Stephen answered", "demesne Buck") are not names, except particles
    ("Ludwig van Beethoven" keeps "van" inside, never at an edge anyway); a number ("1 Mrs Gildea") is not
    either; and a capitalised function word opening a sentence ("Sometimes Dick", "Then Anna") is only
    capitalised because it opens the sentence.
    """
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    words = [(start + a, start + b) for a, b in words]
    heading = False
    while len(words) > 1:
        word = text[words[0][0] : words[0][1]]
        lowered = word.lower()
        if lowered in HEADING_WORDS or (heading and ROMAN.fullmatch(word)):
            heading = True  # "CHAPTER I. Down", "LETTER II MR. VILLARS": a heading runs into the name
            words.pop(0)
            continue
        if (
            (word.islower() and word not in TITLES and word not in LEADING_PARTICLES)
            or word.isdigit()
            or (lowered in STOP_WORDS and lowered not in TITLES and sentence_initial(text, words[0][0]))
        ):
            words.pop(0)
        else:
            break
    while len(words) > 1:
        word = text[words[-1][0] : words[-1][1]]
        before = text[words[-2][0] : words[-2][1]]
        if (word.islower() and word not in LOWER_NAME_PARTICLES) or (
            word.isupper() and len(word) > 1 and not before.isupper()
        ):  # "Mrs. Todd LATER": a capitalised heading runs on after the name
            words.pop()
        else:
            break
    return words[0][0], words[-1][1]


def name_only(text: str, spans: list[Span]) -> list[Span]:
    """The name without the lower-case words the model put before it ("sister Olga", "venerable Madame
    Petrova" -> "Olga", "Madame Petrova"): a person's span starts at its first capitalised word."""
    out = []
    for span in spans:
        if span.label == "PERSON":
            surface = text[span.start : span.end]
            match = re.search(r"(?:^|(?<=\s))[A-Z]", surface)
            if match and match.start() > 0:
                span = Span(span.start + match.start(), span.end, span.label, span.fixed)
        out.append(span)
    return out
