"""Characters: `cluster(text, mentions)` groups a story's PERSON mentions into the people they name, in the
style of BookNLP, and returns (clusters, assignment); `canonical_name` gives each person a name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
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
    """Cluster the story's PERSON spans (in text order): each cluster lists its mention indexes and
    assignment[i] is mention i's cluster.

    Full names with the same first and last name are one person; a title + name ("Mr. Darcy") or a lone
    name ("Anna", "Lizzy" via the `nicknames` package) joins the one full name it fits; if it fits
    several, a bare surname goes to the one "Mr." of that family, else the nearest earlier mention
    decides. Titles of different gender or standing ("Mr. Bennet", "Mrs. Bennet", "Miss Bennet") are
    different people, and full names that share only a surname are never merged.
    """
    forms = [parse(text[m.start : m.end]) for m in mentions]
    clusters: list[Cluster] = []
    assignment = [-1] * len(mentions)
    # Most specific first: full names found the people, then titled and lone names join them.
    _cluster_full_names(forms, clusters, assignment)
    _assign_titled_names(text, mentions, forms, clusters, assignment)
    _assign_lone_names(forms, clusters, assignment)
    for i, k in enumerate(assignment):
        clusters[k].mentions.append(i)
    return clusters, assignment


def _cluster_full_names(forms: list[Form], clusters: list[Cluster], assignment: list[int]) -> None:
    """Step 1, full names (two or more words): same first and last name (and compatible title) = same
    person; a nickname counts as the same first name ("Larry Lefferts" is "Lawrence Lefferts").
    Appends to `clusters` and fills `assignment` in place."""
    by_full: dict[tuple[str, str, str], int] = {}
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


def _assign_titled_names(
    text: str, mentions: list[Span], forms: list[Form], clusters: list[Cluster], assignment: list[int]
) -> None:
    """Step 2, title + one name ("Mr. Bennet"): every mention of one (name, standing) goes to the cluster
    `_titled_cluster` picks. Appends to `clusters` and fills `assignment` in place."""
    families = _family_names(forms)
    pronouns = mention_pronouns(text, mentions)
    # Taken before any titled name joins: a cluster's gender is what its full names' pronouns say.
    members: dict[int, list[int]] = {}
    for i, k in enumerate(assignment):
        if k >= 0:
            members.setdefault(k, []).append(i)

    def gender(k: int) -> str:
        return gender_of(text, mentions, members.get(k, []), pronouns)

    titled: dict[tuple[str, str], int] = {}
    for i, form in enumerate(forms):
        if assignment[i] >= 0 or not form.titles or len(form.words) != 1:
            continue
        key = (form.words[0], form.standing)
        if key not in titled:
            titled[key] = _titled_cluster(form, clusters, gender, family=form.words[0] in families)
        assignment[i] = titled[key]


def _family_names(forms: list[Form]) -> set[str]:
    """Surnames titled with different standings ("Mr. Hilbery", "Mrs. Hilbery"): a family is present, so
    none of its titled forms joins a full name on gender alone; it could be any of them."""
    standings: dict[str, set[str]] = {}
    for form in forms:
        if form.titles and len(form.words) == 1 and form.standing:
            standings.setdefault(form.words[0], set()).add(form.standing)
    return {name for name, found in standings.items() if len(found) > 1}


def _titled_cluster(form: Form, clusters: list[Cluster], gender: Callable[[int], str], family: bool) -> int:
    """The cluster a titled name joins: the one full name it fits whose pronouns already show the title's
    gender (Madame Lebrun is not her son Robert Lebrun); else a person of its own (appended), kept apart
    from a differently titled namesake ("Mrs. Bennet")."""
    fitting = [k for k, c in enumerate(clusters) if (c.first and c.last) and c.fits(form)]
    # "Mrs. Todd" is first of all a surname: full names ending in it beat one that starts with it.
    by_surname = [k for k in fitting if clusters[k].last == form.words[0]]
    fitting = by_surname or fitting
    # "Mr. Pett" and "Mr. Peter Pett": the same title on the full name settles it, family or not.
    same_title = [k for k in fitting if form.standing and clusters[k].standing == form.standing]
    if len(same_title) == 1:
        return same_title[0]
    wanted = {"m": "male", "": None}.get(form.standing, "female")
    fitting = [k for k in fitting if wanted is None or gender(k) == wanted]
    if len(fitting) == 1 and not family:
        return fitting[0]
    clusters.append(Cluster("", form.words[0], form.standing))
    return len(clusters) - 1


def _assign_lone_names(forms: list[Form], clusters: list[Cluster], assignment: list[int]) -> None:
    """Step 3, a lone name ("Anna", "Bingley", "Lizzy"): the one person it fits, or the nearest earlier one;
    a name that fits nobody is a person of its own. Appends to `clusters` and fills `assignment` in place."""
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
