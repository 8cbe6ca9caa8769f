"""Gender from the story's own pronouns and titles, never from first names (the sample's Noah is "she"):
`mention_pronouns` finds each mention's pronoun, `gender_of` turns a character's votes into
female/male/unknown. One regex pass: O(n log n).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable

from nlp.extraction.names import parse
from nlp.extraction.types import Span

PRONOUN = re.compile(r"\b(he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
MALE = {"he", "him", "his", "himself"}
REACH = 300
TITLE_WEIGHT = 3
MAJORITY = 0.6


def mention_pronouns(text: str, mentions: list[Span]) -> list[str | None]:
    """Per mention, "male", "female" or None: the first third-person pronoun after it, before the next
    person mention, within REACH characters and the paragraph."""
    positions, genders = [], []
    for match in PRONOUN.finditer(text):
        positions.append(match.start())
        genders.append("male" if match.group().lower() in MALE else "female")
    result: list[str | None] = []
    for i, mention in enumerate(mentions):
        limit = mention.end + REACH
        if i + 1 < len(mentions):
            limit = min(limit, mentions[i + 1].start)
        paragraph = text.find("\n\n", mention.end, limit)
        if paragraph != -1:
            limit = paragraph
        k = bisect_left(positions, mention.end)
        result.append(genders[k] if k < len(positions) and positions[k] < limit else None)
    return result


def title_gender(text: str, mention: Span) -> str | None:
    standing = parse(text[mention.start : mention.end]).standing
    if not standing:
        return None
    return "male" if standing == "m" else "female"


def gender_of(text: str, mentions: list[Span], members: Iterable[int], pronouns: list[str | None]) -> str:
    """female, male or unknown for one character: each pronoun is a vote, a gendered title (Mr, Mrs,
    Miss...) TITLE_WEIGHT votes; a MAJORITY share wins, and on an even split the first vote does."""
    votes: Counter = Counter()
    for i in members:
        if pronouns[i]:
            votes[pronouns[i]] += 1
        titled = title_gender(text, mentions[i])
        if titled:
            votes[titled] += TITLE_WEIGHT
    total = sum(votes.values())
    if not total:
        return "unknown"
    gender, count = votes.most_common(1)[0]
    if count * 2 == total:
        # An even split: the pronoun right after the character is introduced decides (Counter keeps
        # insertion order among equal counts, and members come in text order).
        return gender
    return gender if count / total >= MAJORITY else "unknown"
