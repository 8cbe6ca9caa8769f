"""A small, awkward annotated set shared by the export, import and round-trip tests.

It has nested entities, a rejected prediction, a relabelled prediction (for the model layer), an entity inside
a token ("Donald" in "MacDonald"), an entity across a line break, non-ASCII text and linked characters.
"""

from __future__ import annotations

from annotations.models import Entity
from stories.models import Story
from stories.services import text_sha256, word_count
from tests.factories import make_batch, make_character, make_story

ANNA = "Anna Petrova danced in Paris with Boris.\n\nAnna smiled. Boris did not."
MACBETH = "Old MacDonald met Lady\nMacbeth in Zürich — “at dawn”."
PLAIN = "Nothing happens here at all."


def make_export_set() -> dict:
    batch = make_batch("spring")
    anna_story = make_story(ANNA, title="Anna’s dance", status=Story.Status.APPROVED, batch=batch)
    anna = make_character(anna_story, "Anna Petrova", aliases=["Anna"], gender="female")
    boris = make_character(anna_story, "Boris", gender="male")
    make_character(anna_story, "Anna’s mother", aliases=["Mother"])  # never mentioned by name
    _entity(anna_story, "Anna Petrova", "PERSON", character=anna)
    _entity(anna_story, "Anna", "PERSON", character=anna)  # nested inside "Anna Petrova"
    _entity(anna_story, "Paris", "GPE", model_label="LOC", origin="model")  # relabelled by an editor
    _entity(anna_story, "Boris", "PERSON", character=boris)
    _entity(anna_story, "Anna", "PERSON", occurrence=1, character=anna, origin="editor")
    _entity(anna_story, "Boris", "PERSON", occurrence=1, character=boris)
    _entity(anna_story, "smiled", "EVENT", review_state="rejected")  # a rejected prediction

    macbeth_story = make_story(MACBETH, title="Macbeth", status=Story.Status.APPROVED, batch=batch)
    lady = make_character(macbeth_story, "Lady Macbeth", gender="female")
    _entity(macbeth_story, "Donald", "PERSON", origin="editor")  # edges inside the token "MacDonald"
    _entity(macbeth_story, "Lady\nMacbeth", "PERSON", character=lady)
    _entity(macbeth_story, "Zürich", "GPE")

    plain = make_story(PLAIN, title="Plain", status=Story.Status.APPROVED, batch=batch)
    draft = make_story("Draft story about Oslo.", title="Draft", status=Story.Status.DONE, batch=batch)
    _entity(draft, "Oslo", "GPE")
    for number, story in enumerate([anna_story, macbeth_story, plain, draft], start=1):
        # As ingest would have stored them, so a re-import computes the same hash and counts.
        Story.objects.filter(pk=story.pk).update(
            sha256=text_sha256(story.text),
            word_count=word_count(story.text),
            source_name=f"samples/{number:02d}.txt",
            meta={"encoding": "utf-8", "bom": False, "title_from": "file name"},
        )
        story.refresh_from_db()
    return {"anna": anna_story, "macbeth": macbeth_story, "plain": plain, "draft": draft, "batch": batch}


def _entity(story, text, label, *, occurrence=0, origin="model", model_label=None, **fields) -> Entity:
    start = -1
    for _ in range(occurrence + 1):
        start = story.text.index(text, start + 1)
    end = start + len(text)
    if origin == "model":
        fields.update(model_start=start, model_end=end, model_label=model_label or label)
        fields.setdefault("review_state", "accepted")
    else:
        fields.setdefault("review_state", "accepted")
    return Entity.objects.create(
        story=story, start=start, end=end, text=text, label_id=label, origin=origin, **fields
    )
