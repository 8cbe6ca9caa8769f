"""`extract(story_docs, layers=...)`: spaCy's entities for a whole story -> cleaned, story-consistent entity
rows and characters. The steps are their own modules; all windows of a story are handled together, so
consistency and characters span the whole story. `layers` names the rule layers to apply (LAYERS): a
trained pipeline keeps only those that helped it on its held-out stories.
"""

from __future__ import annotations

from bisect import bisect_right

from nlp.chapters import not_prose
from nlp.extraction.boundaries import extend_modifiers, name_only
from nlp.extraction.characters import canonical_name, cluster
from nlp.extraction.consistency import make_consistent
from nlp.extraction.gender import gender_of, mention_pronouns
from nlp.extraction.rules import RULE_ID
from nlp.extraction.spans import clean
from nlp.extraction.things import retag_things
from nlp.extraction.types import CharacterRow, EntityRow, Extraction, Span
from nlp.layers import DEFAULT_LAYERS


def raw_spans(story_docs) -> list[Span]:
    """spaCy's entities of every window, at story offsets; rule-layer matches are marked fixed."""
    return [
        Span(offset + ent.start_char, offset + ent.end_char, ent.label_, fixed=ent.ent_id_ == RULE_ID)
        for offset, doc in story_docs.windows
        for ent in doc.ents
    ]


def outside(ranges: list[tuple[int, int]], spans: list[Span]) -> list[Span]:
    """The spans that overlap none of the sorted, disjoint `ranges` (headings, Gutenberg's licence)."""
    starts = [r[0] for r in ranges]
    kept = []
    for span in spans:
        k = bisect_right(starts, span.start) - 1
        inside = (k >= 0 and ranges[k][1] > span.start) or (
            k + 1 < len(ranges) and ranges[k + 1][0] < span.end
        )
        if not inside:
            kept.append(span)
    return kept


def extract(story_docs, layers: frozenset[str] | set[str] = DEFAULT_LAYERS) -> Extraction:
    """The draft of one story: spans.clean (edges, possessives, titles), nothing in headings or other
    text that is not prose (chapters.not_prose), then the layers: things.retag_things (places, streets,
    companies, works), consistency.make_consistent (one label per name; tagging missed names),
    characters.cluster (people), gender.gender_of (pronouns), and last boundaries.extend_modifiers
    (describing words) or, without it, boundaries.name_only. The protagonist is character 0."""
    text = story_docs.text
    prose_gaps = not_prose(text)
    spans = outside(prose_gaps, clean(text, raw_spans(story_docs)))
    if "things" in layers:
        spans = retag_things(text, spans)
    spans = make_consistent(text, spans, relabel="consistency" in layers, tag="names" in layers)
    spans = outside(prose_gaps, spans)  # tagging missed names must not reach into a heading either
    mentions = [s for s in spans if s.label == "PERSON"]
    clusters, assignment = cluster(text, mentions)
    pronouns = mention_pronouns(text, mentions)
    genders = [gender_of(text, mentions, c.mentions, pronouns) for c in clusters]
    # The protagonist (most mentions) comes first; ties keep the order of first appearance.
    order = sorted(range(len(clusters)), key=lambda k: (-len(clusters[k].mentions), clusters[k].mentions[0]))
    new_index = {old: new for new, old in enumerate(order)}
    characters = []
    for k in order:
        name, aliases = canonical_name(text, mentions, clusters[k].mentions)
        characters.append(CharacterRow(name=name, aliases=aliases, gender=genders[k]))
    character_of = {(m.start, m.end): new_index[assignment[i]] for i, m in enumerate(mentions)}
    # Widened only now, so that the name alone decides consistency and clustering ("old Pontifex" is
    # Pontifex); the row keeps the character of the name it grew from.
    widen = extend_modifiers if "noun_phrases" in layers else name_only
    rows = [
        EntityRow(wide.start, wide.end, wide.label, character_of.get((s.start, s.end)))
        for s, wide in zip(spans, widen(text, spans), strict=True)
    ]
    return Extraction(spans=rows, characters=characters)
