"""Characters: cluster a story's PERSON mentions into the people they name, in the style of BookNLP.

Contract: `cluster(text, mentions)` takes the story's PERSON spans in text order and returns
(clusters, assignment): each cluster lists its mention indexes; assignment[i] is mention i's cluster.
Rules: full names with the same first and last name are one person; a title + name ("Mr. Darcy",
"Sir Walter") or a lone name ("Anna", "Lizzy" via the `nicknames` package) joins the one full name it
fits; if it fits several, a bare surname goes to the one "Mr." of that family, else the nearest earlier
mention decides. Titles of different gender or standing
("Mr. Bennet", "Mrs. Bennet", "Miss Bennet") are different people, and full names that share only a
surname are never merged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from nlp.extraction.gender import gender_of, mention_pronouns
from nlp.extraction.names import Form, compatible, parse, same_given_name
from nlp.extraction.types import Span


@dataclass
class Cluster:
    first: str  # given name ("" if unknown)
    last: str  # family name ("" if unknown)
    standing: str
    mentions: list[int] = field(default_factory=list)

    def fits(self, form: Form) -> bool:
        """Could `form` (a title + one name, or one name) name this person?"""
        if not compatible(self.standing, form.standing):
            return False
        word = form.words[-1] if form.words else ""
        if self.last and word == self.last:
            return True
        return bool(self.first) and same_given_name(self.first, word)


def cluster(text: str, mentions: list[Span]) -> tuple[list[Cluster], list[int]]:
    forms = [parse(text[m.start : m.end]) for m in mentions]
    pronouns = mention_pronouns(text, mentions)
    clusters: list[Cluster] = []
    assignment = [-1] * len(mentions)
    by_full: dict[tuple[str, str, str], int] = {}

    # 1. Full names (two or more words): same first and last name (and compatible title) = same person;
    #    a nickname counts as the same first name ("Larry Lefferts" is "Lawrence Lefferts").
    for i, form in enumerate(forms):
        if len(form.words) < 2:
            continue
        key = (form.words[0], form.words[-1], form.standing)
        target = by_full.get(key)
        if target is None:
            target = next(
                (
                    k
                    for (f, la, st), k in by_full.items()
                    if la == key[1] and same_given_name(f, key[0]) and compatible(st, key[2])
                ),
                None,
            )
        if target is None:
            clusters.append(Cluster(form.words[0], form.words[-1], form.standing))
            target = len(clusters) - 1
        by_full[key] = target
        if form.standing and not clusters[target].standing:
            clusters[target].standing = form.standing
        assignment[i] = target

    # 2. Title + one name ("Mr. Bennet"): joins the one full name it fits whose pronouns already show the
    #    title's gender (Madame Lebrun is not her son Robert Lebrun); else it is a person of its own, kept
    #    apart from a differently titled namesake ("Mrs. Bennet").
    #    When one surname carries titles of different standing ("Mr. Hilbery", "Mrs. Hilbery"), a family
    #    is present, so none of its titled forms joins a full name: it could be any of them.
    standings: dict[str, set[str]] = {}
    for form in forms:
        if form.titles and len(form.words) == 1 and form.standing:
            standings.setdefault(form.words[0], set()).add(form.standing)
    members: dict[int, list[int]] = {}
    for i, k in enumerate(assignment):
        if k >= 0:
            members.setdefault(k, []).append(i)
    titled: dict[tuple[str, str], int] = {}
    for i, form in enumerate(forms):
        if assignment[i] >= 0 or not form.titles or len(form.words) != 1:
            continue
        key = (form.words[0], form.standing)
        if key not in titled:
            fitting = [k for k, c in enumerate(clusters) if (c.first and c.last) and c.fits(form)]
            # "Mrs. Todd" is first of all a surname: full names ending in it beat one that starts with it.
            by_surname = [k for k in fitting if clusters[k].last == form.words[0]]
            fitting = by_surname or fitting
            # "Mr. Pett" and "Mr. Peter Pett": the same title on the full name settles it, family or not.
            same_title = [k for k in fitting if form.standing and clusters[k].standing == form.standing]
            family = len(standings.get(form.words[0], ())) > 1
            wanted = {"m": "male", "": None}.get(form.standing, "female")
            fitting = [
                k
                for k in fitting
                if wanted is None or gender_of(text, mentions, members.get(k, []), pronouns) == wanted
            ]
            if len(same_title) == 1:
                titled[key] = same_title[0]
            elif len(fitting) == 1 and not family:
                titled[key] = fitting[0]
            else:
                clusters.append(Cluster("", form.words[0], form.standing))
                titled[key] = len(clusters) - 1
        assignment[i] = titled[key]

    # 3. A lone name ("Anna", "Bingley", "Lizzy"): the one person it fits, or the nearest earlier one.
    singles: dict[str, int] = {}
    for i, form in enumerate(forms):
        if assignment[i] >= 0 or not form.words:
            continue
        word = form.words[0]
        fitting = [k for k, c in enumerate(clusters) if c.fits(form)]
        # A bare surname shared by a family ("Temple", "Pontifex") is the man's: the fiction Fabula is
        # built for calls women "Mrs." or "Miss" with their surname, or by their given name.
        men = [k for k in fitting if clusters[k].last == word and clusters[k].standing == "m"]
        if len(fitting) > 1 and len(men) == 1:
            assignment[i] = men[0]
        elif len(fitting) == 1:
            assignment[i] = fitting[0]
        elif fitting:
            assignment[i] = _nearest(assignment, i, set(fitting))
        else:
            if word not in singles:
                clusters.append(Cluster(word, "", form.standing))
                singles[word] = len(clusters) - 1
            assignment[i] = singles[word]
    for i, k in enumerate(assignment):
        clusters[k].mentions.append(i)
    return clusters, assignment


def _nearest(assignment: list[int], i: int, candidates: set[int]) -> int:
    for j in range(i - 1, -1, -1):
        if assignment[j] in candidates:
            return assignment[j]
    return min(candidates)


def canonical_name(text: str, mentions: list[Span], members: list[int]) -> tuple[str, list[str]]:
    """The fullest, most frequent form is the name; the other surface forms are aliases."""
    counts = Counter(text[mentions[i].start : mentions[i].end] for i in members)
    ranked = sorted(counts, key=lambda s: (-len(parse(s).words), -counts[s], s))
    return ranked[0], sorted(set(ranked[1:]), key=lambda s: (-counts[s], s))
