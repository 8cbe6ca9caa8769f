"""`extract(story_docs)`: spaCy's entities for a whole story -> cleaned, story-consistent entity rows and
characters. The steps are their own modules; all windows of a story are handled together, so
consistency and characters span the whole story.
"""

from __future__ import annotations

from nlp.extraction.boundaries import extend_modifiers
from nlp.extraction.characters import canonical_name, cluster
from nlp.extraction.consistency import make_consistent
from nlp.extraction.gender import gender_of, mention_pronouns
from nlp.extraction.rules import RULE_ID
from nlp.extraction.spans import clean
from nlp.extraction.types import CharacterRow, EntityRow, Extraction, Span


def raw_spans(story_docs) -> list[Span]:
    """spaCy's entities of every window, at story offsets; rule-layer matches are marked fixed."""
    return [
        Span(offset + ent.start_char, offset + ent.end_char, ent.label_, fixed=ent.ent_id_ == RULE_ID)
        for offset, doc in story_docs.windows
        for ent in doc.ents
    ]


def extract(story_docs) -> Extraction:
    """The draft of one story: spans.clean (edges, possessives, titles), consistency.make_consistent (one
    label per name, untagged occurrences), characters.cluster (people), gender.gender_of (pronouns), and
    last boundaries.extend_modifiers (describing words). The protagonist is character 0."""
    text = story_docs.text
    spans = make_consistent(text, clean(text, raw_spans(story_docs)))
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
    rows = [
        EntityRow(wide.start, wide.end, wide.label, character_of.get((s.start, s.end)))
        for s, wide in zip(spans, extend_modifiers(text, spans), strict=True)
    ]
    return Extraction(spans=rows, characters=characters)
