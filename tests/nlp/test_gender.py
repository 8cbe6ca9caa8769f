"""Gender (gender.py): from the story's pronouns and titles, never from first names."""

from __future__ import annotations

from nlp.extraction.gender import gender_of, mention_pronouns
from tests.nlp.helpers import span


def test_gender_comes_from_pronouns_and_titles_never_from_first_names():
    text = "Noah stepped on stage; her smile shone. Noah bowed and she left. Mr. Ruskin wrote. Tom slept."
    mentions = [span(text, "Noah", "PERSON", 0), span(text, "Noah", "PERSON", 1)]
    mentions += [span(text, "Mr. Ruskin", "PERSON"), span(text, "Tom", "PERSON")]
    pronouns = mention_pronouns(text, mentions)
    assert pronouns == ["female", "female", None, None]
    assert gender_of(text, mentions, [0, 1], pronouns) == "female"
    assert gender_of(text, mentions, [2], pronouns) == "male"
    assert gender_of(text, mentions, [3], pronouns) == "unknown"
