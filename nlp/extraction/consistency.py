"""Consistency within one story: `make_consistent(text, spans)` takes the cleaned spans of the WHOLE story
and returns spans in which each name has one label, parts of a person's full name are PERSON and
confirmed people the model missed are tagged. A few regex passes: O(n).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict

from spacy.lang.en.stop_words import STOP_WORDS

from nlp.extraction.cues import (
    common_words,
    is_given_name,
    name_key,
    person_cue,
    place_cue,
)
from nlp.extraction.lexicon import place_names, world_given_names
from nlp.extraction.name_types import fitted_model, name_features, person_probability
from nlp.extraction.types import Span
from nlp.extraction.vocabulary import NAME_LABELS, PARTICLES, is_title, sentence_initial, title_start

VOTING_LABELS = NAME_LABELS - {"NORP", "LANGUAGE", "LAW"}
PERSON_SHARE = 0.4  # fiction is about people: PERSON wins a name with 40% of the (weighted) votes
CAPITALISED_WORD = re.compile(r"[A-Z][\w’'-]*\w|[A-Z]")


def count_votes(text: str, spans: list[Span]) -> tuple[dict[str, Counter], dict[str, list[Span]], set[str]]:
    """(votes per name key, its occurrences, keys the model called PERSON at least once)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    occurrences: dict[str, list[Span]] = defaultdict(list)
    tagged_person: set[str] = set()
    for span in spans:
        if span.label in VOTING_LABELS and not span.fixed:
            key = name_key(text, span)
            occurrences[key].append(span)
            votes[key][span.label] += 1
            votes[key]["PERSON"] += person_cue(text, span) + (span.label != "PERSON" and is_given_name(key))
            if span.label == "PERSON":
                tagged_person.add(key)
                place = place_cue(text, span)
                if place:
                    votes[key][place] += 3
    return votes, occurrences, tagged_person


def name_features_by_key(
    text: str, votes: dict[str, Counter], occurrences: dict[str, list[Span]]
) -> dict[str, list[float]]:
    """The fitted model's FEATURES vector for every name the vote sees (shared with its fitting script)."""
    lower = common_words(text, {k for k in votes if " " not in k})
    return {
        key: name_features(text, key, occurrences[key], lower[key], counter["PERSON"] / sum(counter.values()))
        for key, counter in votes.items()
    }


def vote_labels(text: str, spans: list[Span]) -> list[Span]:
    votes, occurrences, tagged_person = count_votes(text, spans)
    features = name_features_by_key(text, votes, occurrences) if fitted_model() is not None else {}
    lower = {} if features else common_words(text, {k for k in votes if " " not in k})
    winners = {}
    for key, counter in votes.items():
        scored = person_probability(features[key], one_word=" " not in key) if features else None
        if scored is not None:
            # The fitted model decides person or not; the vote (the model's labels and place cues) picks
            # which kind of place or thing. A name that always carries a title ("MR. VILLARS" in a letter's
            # heading) is a person whatever the model makes of it: LitBank rarely tags headings, so the
            # fitted weights are unsure of them.
            others = [(n, label) for label, n in counter.most_common() if label != "PERSON"]
            p_person, threshold, drop_threshold = scored
            if all(is_title(text[s.start : s.end].split()[0]) for s in occurrences[key]):
                winners[key] = "PERSON"
            elif others:
                winners[key] = "PERSON" if p_person >= threshold else others[0][1]
            else:
                winners[key] = "PERSON" if p_person >= drop_threshold else None
            continue
        best = counter.most_common(1)[0][0]
        # The model said PERSON somewhere: 40% of the votes suffice. Cues alone must win outright.
        share = PERSON_SHARE if key in tagged_person else 0.5
        if counter["PERSON"] > share * sum(counter.values()):
            best = "PERSON"
        winners[key] = best
        if best == "PERSON" and " " not in key and votes[key]["PERSON"] <= lower[key]:
            winners[key] = None  # "Nay", "Hush", "Diamond": a word the story mostly uses in lower case
    return [
        (Span(s.start, s.end, winners[name_key(text, s)]) if s.label in VOTING_LABELS and not s.fixed else s)
        for s in spans
        if s.fixed or s.label not in VOTING_LABELS or winners[name_key(text, s)]
    ]


def person_names(text: str, spans: list[Span]) -> tuple[set[str], set[str]]:
    """(full names, parts): confirmed PERSON name keys and the capitalised words inside multi-word ones."""
    full, parts = set(), set()
    for span in spans:
        if span.label != "PERSON":
            continue
        key = name_key(text, span)
        words = key.split()
        if is_title(words[0]) and len(words) == 1:
            continue
        full.add(key)
        if len(words) > 1:
            parts.update(
                w
                for w in words
                if w[:1].isupper() and w.lower() not in PARTICLES and not is_title(w) and len(w) > 1
            )
    return full, parts


def relabel_parts(text: str, spans: list[Span], parts: set[str], full: set[str] = frozenset()) -> list[Span]:
    """A one-word span that is part of a person's multi-word name ('Noah' of 'Noah Kalmurzaeva') is PERSON;
    so is a confirmed person's name the model called a nationality ("Katharine" NORP), and a given name
    followed by a known family name ("Georgiana Reed" ORG when "John Reed" is a person)."""
    out = []
    for s in spans:
        if not s.fixed and _is_person_part(name_key(text, s), s.label, parts, full):
            s = Span(s.start, s.end, "PERSON")
        out.append(s)
    return out


def _is_person_part(key: str, label: str, parts: set[str], full: set[str]) -> bool:
    if label == "NORP":
        return key in full
    if label not in VOTING_LABELS or label == "PERSON":
        return False
    words = key.split()
    if key in parts:
        return True
    if len(words) > 1 and words[0] in parts:
        return True  # "Noah Kalmurzaeva" tagged ORG when "Noah" is a person
    return len(words) == 2 and words[-1] in parts and is_given_name(words[0])


def tag_untagged(text: str, spans: list[Span], full: set[str], parts: set[str]) -> list[Span]:
    """Tag occurrences of confirmed names that spaCy missed, in the gaps between existing spans."""
    if not full and not parts:
        return spans
    by_first: dict[str, list[list[str]]] = defaultdict(list)
    for name in full | parts:
        words = name.split()
        by_first[words[0]].append(words)
    for options in by_first.values():
        options.sort(key=len, reverse=True)  # "Anna Zhunussova" must match before "Anna" can
    starts = [s.start for s in spans]
    ends = [s.end for s in spans]
    added: list[Span] = []
    words = list(CAPITALISED_WORD.finditer(text))
    lower_words = set(common_words(text, {w for w in parts | full if " " not in w}))
    index = {m.start(): i for i, m in enumerate(words)}
    for i, match in enumerate(words):
        options = by_first.get(match.group())
        if not options:
            continue
        for option in options:
            end = _match_words(text, words, index, i, option)
            if end is None:
                continue
            start = match.start()
            if not _free(starts, ends, start, end) or (added and added[-1].end > start):
                break
            single = len(option) == 1
            if single and (
                option[0].lower() in STOP_WORDS
                or (sentence_initial(text, start) and option[0] in lower_words)
            ):
                # "Will", or a word the story also writes in lower case ("Hope") opening a sentence, is
                # too weak alone; a name the story never writes in lower case is a name anywhere.
                break
            added.append(Span(title_start(text, start), end, "PERSON"))
            break
    if not added:
        return spans
    # A title_start may reach back into an existing span: keep the existing one then.
    merged = sorted(spans + [a for a in added if _free(starts, ends, a.start, a.end)], key=lambda s: s.start)
    return merged


def _match_words(text, words, index, i, option) -> int | None:
    """If `option` (a list of words) occurs as consecutive words from words[i], return its end offset."""
    end = words[i].end()
    if words[i].group() != option[0]:
        return None
    for k, expected in enumerate(option[1:], start=1):
        nxt = i + k
        if nxt >= len(words) or words[nxt].group() != expected or text[end : words[nxt].start()] != " ":
            return None
        end = words[nxt].end()
    # The match must end at a word boundary ("Ann" must not match inside "Anne").
    if end < len(text) and (text[end].isalnum() or text[end] == "_"):
        return None
    if words[i].start() > 0 and (text[words[i].start() - 1].isalnum()):
        return None
    return end


def _free(starts: list[int], ends: list[int], start: int, end: int) -> bool:
    """True if [start, end) overlaps none of the sorted, non-overlapping spans."""
    k = bisect_left(starts, end)
    return k == 0 or ends[k - 1] <= start


# Titles that are nearly always followed by a name when the next word is capitalised ("Mr Cotter",
# "Madam Mope", "MR. VILLARS"); "Captain", "General" or "Lord" ("the Lord Chancellor") also head
# titles of office and are left out.
NAME_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Mme|Mlle|MR|MRS|DR|Miss|MISS|Madame|Madam|Mademoiselle|Monsieur|Sir|SIR|Lady|LADY)"
    r"\.?(?: [A-Z][\w’'-]*\w)+"
)


def tag_titled(text: str, spans: list[Span]) -> list[Span]:
    """A title followed by capitalised words is a person, whether or not the model saw it."""
    starts = [s.start for s in spans]
    ends = [s.end for s in spans]
    added = []
    position = 0
    while match := NAME_TITLE.search(text, position):
        words = match.group().split()
        # "Mr. Darcy I", "LADY HOWARD TO THE REV": a capitalised function word ends the name.
        cut = next((k for k in range(1, len(words)) if words[k].lower() in STOP_WORDS), len(words))
        words = words[:cut]
        end = match.start() + len(" ".join(words))
        position = end  # the rest ("TO LADY HOWARD") may hold the next title
        if len(words) < 2:
            continue
        if _free(starts, ends, match.start(), end):
            added.append(Span(match.start(), end, "PERSON"))
    return sorted(spans + added, key=lambda s: s.start) if added else spans


# Institutions and places whose names open with a given name ("Victoria Station", "Anna Pavlova Ballet
# School"): a full name ending in one of these words is no person.
NOT_PERSON_HEADS = {
    "Company", "Academy", "Ballet", "Ballets", "Theatre", "Theater", "Opera", "School", "College",
    "University", "Society", "Institute", "Street", "Road", "Station", "Hall", "House", "Park", "Square",
    "Church", "Hotel", "Hospital", "Bank", "Club", "Museum", "Gallery", "River", "Lake", "Island", "Bay",
    "Mountains", "Hills", "Avenue", "Lane", "Bridge", "Palace", "Castle", "Cathedral", "Abbey",
}  # fmt: skip
OTHER_THAN_PEOPLE = {"ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"}


def _given(word: str) -> bool:
    return word in world_given_names() and word.lower() not in STOP_WORDS


def full_names_as_persons(text: str, spans: list[Span]) -> list[Span]:
    """A given name and a family name typed as something else ("Olga Volkova" ORG, often when it opens the
    story) is a person: two or three capitalised words, none a place and none a word that heads an
    institution's or a place's name, whose first word is a common given name, or is used alone
    elsewhere in the story where the words around it say "person" ("Almira said", "Almira, she")."""
    places = place_names()
    alone_as_person: dict[str, bool] = {}

    def first_name_is_a_person(word: str) -> bool:
        if word not in alone_as_person:
            alone_as_person[word] = any(
                person_cue(text, Span(m.start(), m.end(), "PERSON")) > 0
                for m in re.finditer(rf"(?<![\w’'-]){re.escape(word)}(?![\w’'-])(?! [A-Z])", text)
            )
        return alone_as_person[word]

    out = []
    for s in spans:
        words = text[s.start : s.end].split()
        if (
            s.label in OTHER_THAN_PEOPLE
            and not s.fixed
            and 2 <= len(words) <= 3
            and all(w[:1].isupper() and w.replace("-", "").isalpha() for w in words)
            and not any(w in places or w in NOT_PERSON_HEADS or w.lower() in STOP_WORDS for w in words)
            and (_given(words[0]) or first_name_is_a_person(words[0]))
        ):
            s = Span(s.start, s.end, "PERSON")
        out.append(s)
    return out


GIVEN_BEFORE = re.compile(r"(?:^|(?<=[\s“\"‘(]))([A-Z][a-z’'-]+) $")


def given_name_before(text: str, spans: list[Span]) -> list[Span]:
    """ "Sergei Diaghilev" tagged as "Diaghilev" alone: a given name right before a one-word PERSON span
    belongs to it, unless it is another span's or a title."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: s.start):
        if s.label == "PERSON" and " " not in text[s.start : s.end]:
            match = GIVEN_BEFORE.search(text, max(0, s.start - 30), s.start)
            if match and _given(match.group(1)) and not is_title(match.group(1)):
                if not out or out[-1].end <= match.start(1):
                    s = Span(match.start(1), s.end, "PERSON")
                elif out[-1].start == match.start(1) and out[-1].label != "PERSON" and not out[-1].fixed:
                    out.pop()  # "Sergei"(NORP) + "Diaghilev"(PERSON): one name
                    s = Span(match.start(1), s.end, "PERSON")
        out.append(s)
    return out


# "her cousin Pavel", "his fellow dancer, Alexei", "a note from Boris": a relation or a role before a name.
RELATION_BEFORE = re.compile(
    r"\b(?:cousin|sister|brother|uncle|aunt|friend|colleague|partner|husband|wife|son|daughter|mother|"
    r"father|niece|nephew|grandmother|grandfather|grandson|granddaughter|fianc[eé]e?|dancer|teacher|coach|"
    r"pupil|student|maid|servant|neighbour|neighbor|rival|lover|boyfriend|girlfriend)\s*,?\s+$"
)
NAME_ALONE = re.compile(r"(?<![\w’'-])[A-Z][a-z’'-]*[a-z](?![\w’'-])")
CAPITAL_NEAR = re.compile(r" [A-Z]")
# A name opening a sentence is a person's when a verb follows at once ("Tamara had", "Pavel laughed").
VERB_AFTER = re.compile(r" (?:had|has|was|is|would|could|will|did|does|said|says|[a-z]+ed)\b")
DETERMINER_BEFORE = re.compile(
    r"\b(?:the|a|an|this|that|our|your|their|my|his|her|its|as)\s+$", re.IGNORECASE
)
CAPITAL_BEFORE = re.compile(r"(?<![\w’'-])[A-Z][\w’'-]* $")


def lone_names(text: str, spans: list[Span]) -> list[Span]:
    """Given names standing alone that the model missed or typed as a thing ("Pavel" PRODUCT): a common
    given name the story never writes in lower case, not inside another name, is a person; so is any
    one-word name right after a relation ("cousin Pavel")."""
    spans = sorted(spans, key=lambda s: s.start)
    starts = [s.start for s in spans]
    ends = [s.end for s in spans]
    candidates = {m.group() for m in NAME_ALONE.finditer(text) if _given(m.group())}
    lower = common_words(text, candidates)
    added: list[Span] = []
    for match in NAME_ALONE.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        if word not in candidates or lower[word] or not _free(starts, ends, start, end):
            continue
        if CAPITAL_NEAR.match(text, end) or CAPITAL_BEFORE.search(text, max(0, start - 30), start):
            continue  # part of a longer name the model did not see as a person
        if is_title(word) or len(word) < 3:
            continue  # "Duke" is a rank
        if sentence_initial(text, start) and not VERB_AFTER.match(text, end):
            continue  # "Oh, ..." and "Ah !" open sentences; "Tamara had studied" is someone
        if DETERMINER_BEFORE.search(text, max(0, start - 8), start):
            continue  # "the Dane", "a Moon": a thing or a kind
        added.append(Span(start, end, "PERSON"))
    out = []
    for s in spans:
        surface = text[s.start : s.end]
        if (
            s.label in OTHER_THAN_PEOPLE - {"GPE", "LOC", "FAC"}
            and not s.fixed
            and " " not in surface
            and surface[:1].isupper()
            and RELATION_BEFORE.search(text, max(0, s.start - 30), s.start)
        ):
            s = Span(s.start, s.end, "PERSON")
        out.append(s)
    return sorted(out + added, key=lambda s: s.start) if added else out


def make_consistent(text: str, spans: list[Span], *, relabel: bool = True, tag: bool = True) -> list[Span]:
    """Cleaned, non-overlapping spans of the whole story (all windows at once) -> consistent spans.

    With `relabel`: (1) each name gets one label across the story: whether it is a person is decided by
    the fitted model of name_types.py over everything the story says about it, which place or thing it
    is otherwise by the vote of the model's labels and place cues; without fitted weights
    (FABULA_NAME_TYPES="") a hand-weighted vote decides. Rule-layer spans (`fixed`) are never relabelled.
    (2) A given name with a family name is a person whatever the model typed it, and a single
    capitalised word that is part of a person's multi-word name is PERSON. With `tag`: titled names,
    given names standing alone or cut off a family name, and untagged occurrences of confirmed person
    names are tagged.
    """
    if relabel:
        spans = full_names_as_persons(text, spans)
    if tag:
        spans = given_name_before(text, tag_titled(text, spans))
    if relabel:
        spans = vote_labels(text, spans)
    if tag:
        spans = lone_names(text, spans)
    if relabel:
        full, parts = person_names(text, spans)
        spans = relabel_parts(text, spans, parts, full)
    if not tag:
        return spans
    full, parts = person_names(text, spans)
    return tag_untagged(text, spans, full, parts)
