"""Cues: what the words around one occurrence of a name say about it (`person_cue`, `place_cue`), plus
`name_key` and `common_words`. Pure; shared by consistency.py and name_types.py. Regular expressions: O(n).
"""

from __future__ import annotations

import re
from collections import Counter

from nlp.extraction.names import given_names
from nlp.extraction.types import Span
from nlp.extraction.vocabulary import is_title

SPEECH_VERBS = (
    "said|says|asked|replied|answered|cried|exclaimed|whispered|muttered|shouted|called|added|continued|"
    "returned|rejoined|observed|remarked|thought|laughed|smiled|nodded|sighed|began|went|looked|turned"
)
SPEECH_AFTER = re.compile(rf"\s*,?\s*(?:{SPEECH_VERBS})\b")
SPEECH_BEFORE = re.compile(rf"\b(?:{SPEECH_VERBS})\s+$")
# "Curtis Waring as he entered": a gendered pronoun within a few words after a name points to a person.
PRONOUN_AFTER = re.compile(r"(?:\s+[a-z]+)?\s*,?\s+(?:he|she)\b")
# "Turkey displayed his", "Florence can speak for herself": a person's own pronoun a word or two later.
REFLEXIVE_AFTER = re.compile(r"\s+[a-z]+(?:\s+[a-z]+)?\s+(?:his|himself|herself)\b")
# "poor Florence", "dear old Waymarsh", "little Amy": words that describe people, not places.
PERSON_MODIFIER_BEFORE = re.compile(r"\b(?:poor|dear|dearest|old|little|young)\s+$")
# "“ Charlotte , do n’t you feel": a name opening a quotation, followed by a comma, is someone addressed.
QUOTE_OPEN_BEFORE = re.compile(r"[“\"]\s*$")
COMMA_AFTER = re.compile(r"\s*,")
VOCATIVE_BEFORE = re.compile(r"[,“\"]\s*$")
VOCATIVE_AFTER = re.compile(r"\s*[!?]")


def name_key(text: str, span: Span) -> str:
    """The name without its titles: 'Mr. Darcy' -> 'Darcy'."""
    words = text[span.start : span.end].split()
    while len(words) > 1 and is_title(words[0]):
        words = words[1:]
    return " ".join(words)


def is_given_name(key: str) -> bool:
    """A one-word name found in the `nicknames` package's given names ("Agnes", "Florence")."""
    return " " not in key and key.lower() in given_names()


def person_cue(text: str, span: Span) -> int:
    """How strongly the context says "person": a title (3), a speech verb (2), a he/she right after or
    direct address (1)."""
    if is_title(text[span.start : span.end].split()[0]):
        return 3
    if text[span.start : span.start + 4].lower() == "the ":
        return 0  # "the Moscow Ballet Company, she ..." : a determiner marks an institution, not a person
    if SPEECH_AFTER.match(text, span.end) or SPEECH_BEFORE.search(text, max(0, span.start - 20), span.start):
        return 2
    if PRONOUN_AFTER.match(text, span.end) or REFLEXIVE_AFTER.match(text, span.end):
        return 1
    if PERSON_MODIFIER_BEFORE.search(text, max(0, span.start - 10), span.start):
        return 1
    if QUOTE_OPEN_BEFORE.search(text, max(0, span.start - 3), span.start) and COMMA_AFTER.match(
        text, span.end
    ):
        return 1
    # Direct address ("Why , Emil !", "I 'm not well , Florence ."): people are spoken to, places are not.
    return (
        1
        if VOCATIVE_BEFORE.search(text, max(0, span.start - 4), span.start)
        and VOCATIVE_AFTER.match(text, span.end)
        else 0
    )


PLACE_BEFORE = re.compile(r"\b(?:in|at|near|into|towards|through|across)\s+$")
POSSESSIVE_AFTER = re.compile(r"\s?['’]s?\b")
FACILITY_HEADS = {
    "hall", "house", "park", "street", "lane", "road", "square", "abbey", "church", "castle", "inn", "court",
    "grove", "drive", "mall", "hill", "lodge", "manor", "place", "bridge", "gate", "cottage", "farm",
    "chapel", "cathedral", "palace", "tower", "station", "hotel", "theatre", "school", "college", "avenue",
}  # fmt: skip


def place_cue(text: str, span: Span) -> str | None:
    """ "in Raveloe" / "at Kellynch Hall" / "Riverside Drive": evidence for a place, not a person."""
    words = text[span.start : span.end].split()
    if len(words) > 1 and words[-1].lower() in FACILITY_HEADS and not is_title(words[0]):
        return "FAC"
    if PLACE_BEFORE.search(text, max(0, span.start - 12), span.start) and not POSSESSIVE_AFTER.match(
        text, span.end
    ):
        return "GPE"
    return None


LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]*\b")


def common_words(text: str, names: set[str]) -> Counter:
    """How often each of these one-word names occurs in lower case in the story."""
    wanted = {name.lower(): name for name in names}
    counts: Counter = Counter()
    for match in LOWER_WORD.finditer(text):
        name = wanted.get(match.group())
        if name:
            counts[name] += 1
    return counts
