"""Names that are not people: `retag_things(text, spans)` types cities and countries the model called LOC as
GPE, finds places, streets ("Rue Lepic") and companies ("Ballets Russes") it missed, keeps an
institution's whole name ("Vaganova Academy of Russian Ballet") and types a name that a story performs
or stages ("a performance of Giselle") as a WORK_OF_ART. Returns sorted, non-overlapping spans. Regular
expressions over the text: O(n).
"""

from __future__ import annotations

import re
from bisect import bisect_left

from spacy.lang.en.stop_words import STOP_WORDS

from nlp.extraction.lexicon import place_names
from nlp.extraction.types import Span
from nlp.extraction.vocabulary import sentence_initial

NAME_WORD = r"[A-Z][\w’'-]*[\w]"
# Lower-case words inside a street's or an institution's name: "Rue de la Paix", "Academy of Russian Ballet".
INNER = r"(?:de|du|des|la|le|les|del|della|di|da|dos|das|of|the|and|von|van|der)"
NAME_RUN = rf"{NAME_WORD}(?:\s+(?:{INNER}\s+)*{NAME_WORD})*"
STREET_BEFORE = (
    r"Rue|Avenue|Boulevard|Via|Viale|Calle|Quai|Piazza|Plaza|Praça|Rua|Ulitsa|Strasse|Straße|Place"
)
STREET_AFTER = r"Street|Avenue|Boulevard|Road|Lane|Prospekt|Prospect|Square|Embankment|Quay|Strasse|Straße"
STREET = re.compile(
    rf"\b(?:(?:{STREET_BEFORE})\s+(?:{INNER}\s+)*{NAME_RUN}|{NAME_RUN}\s+(?:{STREET_AFTER}))\b(?!\s+[A-Z])"
)
# Words that head the name of a company or an institution; the run of capitalised words around one is
# its name ("Ballets Russes", "the Kirov Ballet", "Moscow Art Theatre Company").
COMPANY_HEADS = {
    "Ballet", "Ballets", "Company", "Academy", "Opera", "Orchestra", "Philharmonic", "Society", "Institute",
    "Conservatory", "Conservatoire", "Troupe", "Ensemble", "Corporation", "Association", "University",
    "College", "School", "Museum", "Bank", "Club", "Union", "Foundation", "Library", "Gallery",
}  # fmt: skip
CAPITAL_RUN = re.compile(rf"{NAME_WORD}(?:\s+{NAME_WORD})*")
OF_TAIL = re.compile(rf"\s+of\s+(?:the\s+)?{NAME_RUN}")
# "a performance of Giselle", "the ballet Giselle", "ballets such as Giselle and Petrushka", "staged
# Giselle": what is performed is a work, whatever else the word can name.
WORK_BEFORE = re.compile(
    r"(?:\b(?:performances?|productions?|premieres?|revivals?|rehearsals?|staging|recordings?|score)\s+of"
    r"|\b(?:perform(?:ed|s|ing)?|stag(?:ed|es|ing)|rehears(?:ed|es|ing)|premiered|choreographed)"
    r"|\b(?:ballets?|operas?|symphon(?:y|ies)|novels?|poems?)(?:\s*,?\s+(?:such\s+as|like|including))?"
    r"|\btitle\s+role\s+in|\brole\s+in)"
    r"(?:\s+(?:the|a))?\s+$"
)
# "Giselle, Coppélia and Petrushka": further works in the same list, which must end with "and"/"or"
# ("Don Quixote, Tarasov insisted" is no list).
WORK_LIST = re.compile(rf"((?:\s*,\s*{NAME_RUN})*)(?:\s*,)?\s+(?:and|or)\s+({NAME_RUN})")
LIST_ITEM = re.compile(NAME_RUN)
PLACE_CUE = re.compile(r"\b(?:in|at|to|from|near|into|towards|toward|through|across|via)\s+$")
PLACE_LABELS = {"GPE", "LOC", "FAC"}
THING_LABELS = {"ORG", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT"}


def _overlapping(spans: list[Span], start: int, end: int) -> list[int]:
    starts = [s.start for s in spans]
    k = bisect_left(starts, start)
    k = max(0, k - 1)
    out = []
    while k < len(spans) and spans[k].start < end:
        if spans[k].end > start:
            out.append(k)
        k += 1
    return out


def _put(text: str, spans: list[Span], new: Span, *, replace_labels: set[str] | None = None) -> list[Span]:
    """Insert `new` if every span it overlaps lies inside it, or differs only by a "the " before it (and,
    if given, has one of `replace_labels`); those spans are dropped. Otherwise leave the spans as they
    are."""
    hits = _overlapping(spans, new.start, new.end)
    for k in hits:
        old = spans[k]
        if old.fixed:
            return spans
        the_before = old.end == new.end and text[old.start : new.start].lower() == "the "
        if (old.start < new.start or old.end > new.end) and not the_before:
            return spans  # only "the " before the new name may be given up ("the Rue de Rivoli")
        if replace_labels is not None and old.label not in replace_labels:
            return spans
    kept = [s for i, s in enumerate(spans) if i not in set(hits)]
    kept.append(new)
    return sorted(kept, key=lambda s: s.start)


def cities_as_places(text: str, spans: list[Span]) -> list[Span]:
    """A LOC that is a country or a large city is a GPE ("Riga"); so is one typed as a thing or missed
    after "in/to/from" ("to Odessa"), and a place that runs on into a given name is cut there."""
    places = place_names()
    out = []
    for s in spans:
        surface = text[s.start : s.end]
        after_cue = PLACE_CUE.search(text, max(0, s.start - 10), s.start)
        if (
            not s.fixed
            and surface in places
            and (s.label == "LOC" or (s.label in THING_LABELS and after_cue))
        ):
            s = Span(s.start, s.end, "GPE")  # "Riga" LOC, "travelled to Odessa" ORG
        out.extend(_place_then_name(text, s))
    for match in CAPITAL_RUN.finditer(text):
        surface = match.group()
        if surface not in places or not PLACE_CUE.search(text, max(0, match.start() - 10), match.start()):
            continue
        if not _overlapping(out, match.start(), match.end()):
            out = _put(text, out, Span(match.start(), match.end(), "GPE"))
    return out


def _place_then_name(text: str, span: Span) -> list[Span]:
    """ "In Perm, Ekaterina danced": a place span that runs over a comma into a given name is the place
    and then the person."""
    from nlp.extraction.lexicon import world_given_names

    surface = text[span.start : span.end]
    if span.label not in PLACE_LABELS or span.fixed or ", " not in surface:
        return [span]
    head, _, tail = surface.rpartition(", ")
    if " " in tail or tail not in world_given_names() or tail in place_names():
        return [span]
    return [
        Span(span.start, span.start + len(head), span.label),
        Span(span.end - len(tail), span.end, "PERSON"),
    ]


def streets(text: str, spans: list[Span]) -> list[Span]:
    """ "Rue Lepic", "Nevsky Prospekt", "Baker Street": a street is a facility, over any shorter guess."""
    for match in STREET.finditer(text):
        spans = _put(text, spans, Span(match.start(), match.end(), "FAC", fixed=True))
    return spans


def companies(text: str, spans: list[Span]) -> list[Span]:
    """A run of capitalised words holding a company word ("Ballets Russes") is an ORG when the model
    found nothing there; one that the model cut before "of" keeps its tail ("Vaganova Academy" + "of
    Russian Ballet")."""
    out = list(spans)
    for match in CAPITAL_RUN.finditer(text):
        words = match.group().split()
        if len(words) < 2 or not COMPANY_HEADS & set(words) or words[0].lower() in STOP_WORDS:
            continue
        if _overlapping(out, match.start(), match.end()):
            continue
        out = _put(text, out, Span(match.start(), match.end(), "ORG"))
    result: list[Span] = []
    for span in out:
        tail = OF_TAIL.match(text, span.end)
        last = text[span.start : span.end].split()[-1]
        if span.label in {"ORG", "FAC"} and last in COMPANY_HEADS and tail and not span.fixed:
            grown = Span(span.start, tail.end(), span.label)
            if result and result[-1].end > grown.start:
                result.append(span)
                continue
            result.append(grown)
            continue
        if result and span.start < result[-1].end:
            continue  # swallowed by the tail of the name before it ("of" + "Russian Ballet")
        result.append(span)
    return result


def _listed_after(text: str, end: int) -> set[str]:
    """The names listed right after `end`, in a list that ends with "and"/"or" (", Coppélia and Paquita")."""
    listed = WORK_LIST.match(text, end)
    if not listed:
        return set()
    return {item.group() for item in LIST_ITEM.finditer(listed.group(1))} | {listed.group(2)}


def works(text: str, spans: list[Span]) -> list[Span]:
    """A name right after a performing cue ("a performance of Don Quixote"), and the names listed with
    it or with a known work ("Swan Lake and Giselle"), is a WORK_OF_ART there and throughout the story
    wherever the model did not call it a person."""
    titles: set[str] = set()
    cued: set[int] = set()  # where a title follows its cue: there even the model's PERSON gives way
    for match in CAPITAL_RUN.finditer(text):
        if not WORK_BEFORE.search(text, max(0, match.start() - 40), match.start()):
            continue
        if sentence_initial(text, match.start()):
            continue
        titles.add(match.group())
        cued.add(match.start())
        titles |= _listed_after(text, match.end())
    for span in spans:
        if span.label == "WORK_OF_ART":  # "Swan Lake and Giselle": listed with a known work
            titles |= _listed_after(text, span.end)
    titles = {t for t in titles if t.lower() not in STOP_WORDS}
    if not titles:
        return spans
    out = [
        Span(s.start, s.end, "WORK_OF_ART", fixed=True)
        if not s.fixed and (s.label != "PERSON" or s.start in cued) and text[s.start : s.end] in titles
        else s
        for s in spans
    ]
    for title in titles:
        for match in re.finditer(rf"(?<![\w’'-]){re.escape(title)}(?![\w’'-])", text):
            if not _overlapping(out, match.start(), match.end()):
                out = _put(text, out, Span(match.start(), match.end(), "WORK_OF_ART", fixed=True))
    return out


def retag_things(text: str, spans: list[Span]) -> list[Span]:
    """Places, streets, companies and works, in that order (a street beats the place inside it)."""
    spans = sorted(spans, key=lambda s: s.start)
    return works(text, companies(text, streets(text, cities_as_places(text, spans))))
