"""Hand-made stories whose review diff and evaluation figures are known exactly (shared by review tests)."""

from __future__ import annotations

from annotations.models import Entity
from stories.models import Story
from tests.factories import make_batch, make_entity, make_story

ACCEPTED = Entity.ReviewState.ACCEPTED
REJECTED = Entity.ReviewState.REJECTED


def build_evaluation_case(batch_name: str = "eval batch") -> dict:
    """Two approved stories and one done story (excluded by default).

    Model vs final, on the approved stories:
      story 1 "Anna Petrova danced in Paris with Boris."
        Anna Petrova PERSON kept              -> PERSON tp
        Paris PERSON relabelled to GPE        -> PERSON fp, GPE fn, confusion label PERSON→GPE
        Boris PERSON rejected                 -> PERSON fp, confusion spurious PERSON→nothing
      story 2 "Mary met the Acme Corporation in London."
        Mary PERSON kept                      -> PERSON tp
        "the Acme Corporation" ORG re-bounded to "Acme Corporation" -> ORG fp+fn, confusion boundary ORG
        London GPE added by the editor        -> GPE fn, confusion missed nothing→GPE
    So PERSON tp2 fp2 fn0 (P .5, R 1, F1 .667), GPE tp0 fp0 fn2 (P —, R 0, F1 0),
    ORG tp0 fp1 fn1 (0, 0, 0); overall tp2 fp3 fn3 = P .4 R .4 F1 .4.
    """
    batch = make_batch(batch_name)
    one = make_story(
        "Anna Petrova danced in Paris with Boris.", title="One", status=Story.Status.APPROVED, batch=batch
    )
    make_entity(one, "Anna Petrova", "PERSON", review_state=ACCEPTED)
    make_entity(one, "Paris", "GPE", model_label="PERSON", review_state=ACCEPTED)
    make_entity(one, "Boris", "PERSON", review_state=REJECTED)

    two_text = "Mary met the Acme Corporation in London."
    two = make_story(two_text, title="Two", status=Story.Status.APPROVED, batch=batch)
    make_entity(two, "Mary", "PERSON", review_state=ACCEPTED)
    the_acme = two_text.index("the Acme")
    model_end = the_acme + len("the Acme Corporation")
    # Accepted: an approved story holds decided entities only.
    make_entity(
        two, "Acme Corporation", "ORG", model_start=the_acme, model_end=model_end, review_state=ACCEPTED
    )
    make_entity(two, "London", "GPE", origin=Entity.Origin.EDITOR, review_state=ACCEPTED)

    # Not approved: the default evaluation must ignore it (it would add a PERSON false positive).
    three = make_story("Zed waited.", title="Three", status=Story.Status.DONE, batch=batch)
    make_entity(three, "Zed", "PERSON", review_state=REJECTED)
    return {"batch": batch, "one": one, "two": two, "three": three}
