"""Names: pure helpers shared by characters.py and gender.py. `parse("Mr. Darcy")` splits titles from name
words, `title_class` says what standing a title asserts, `same_given_name` knows nicknames.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from nicknames import NickNamer

from nlp.extraction.vocabulary import (
    FEMALE_MARRIED_TITLES,
    FEMALE_OTHER_TITLES,
    FEMALE_UNMARRIED_TITLES,
    MALE_TITLES,
    SAINT,
    is_title,
    title_key,
)


@functools.cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@functools.cache
def given_names() -> frozenset[str]:
    """Every given name the `nicknames` package knows (lower case). Used as detection evidence only,
    never for gender."""
    from nicknames import name_triplets

    return frozenset(name for triplet in name_triplets() for name in (triplet[0], triplet[2]))


def title_class(title: str) -> str:
    """'m', 'mrs', 'miss', 'f' or '' (neutral): the standing a title asserts, used to keep people apart."""
    key = title_key(title)
    if key in MALE_TITLES:
        return "m"
    if key in FEMALE_MARRIED_TITLES:
        return "mrs"
    if key in FEMALE_UNMARRIED_TITLES:
        return "miss"
    if key in FEMALE_OTHER_TITLES:
        return "f"
    return ""


def compatible(a: str, b: str) -> bool:
    if not a or not b or a == b:
        return True
    return {a, b} in ({"f", "mrs"}, {"f", "miss"})


@functools.cache
def same_given_name(a: str, b: str) -> bool:
    """'Lizzy' and 'Elizabeth' are the same given name (nicknames package); so are equal names."""
    if a == b:
        return True
    la, lb = a.lower(), b.lower()
    namer = _nicknamer()
    forms_a = {la} | namer.canonicals_of(la)
    forms_b = {lb} | namer.canonicals_of(lb)
    return bool(forms_a & forms_b) or lb in namer.nicknames_of(la) or la in namer.nicknames_of(lb)


@dataclass
class Form:
    """A mention's name split into titles and the name proper."""

    surface: str
    titles: tuple[str, ...]
    words: tuple[str, ...]

    @property
    def standing(self) -> str:
        classes = [title_class(t) for t in self.titles]
        return next((c for c in classes if c), "")


def parse(surface: str) -> Form:
    words = surface.split()
    titles: list[str] = []
    while len(words) > 1 and is_title(words[0]):
        titles.append(words.pop(0))
    # Headings write names in capitals ("JOHN WARWICK"): compare them as "John Warwick".
    words = [w.capitalize() if w.isupper() and len(w) > 1 else w for w in words]
    # "St. Aubert" is one surname, not a given name "St." and a family name "Aubert".
    for k in range(len(words) - 2, -1, -1):
        if words[k] in SAINT:
            words[k : k + 2] = [f"{words[k]} {words[k + 1]}"]
    return Form(surface, tuple(titles), tuple(words))
