"""The rule that a Done or Approved story has no pending suggestions, kept in one place.

`settle_pending()` is called by every transition into Done or Approved (the reader, the review page,
commands and the API alike). With pending suggestions it refuses (PendingSuggestions, which names the
count) unless the caller says how to settle them: accept the rest or reject the rest.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from annotations.models import Entity
from annotations.services.changes import snapshot
from stories.models import Story

SETTLE_CHOICES = ("accept", "reject")


class PendingSuggestions(ValidationError):
    """A transition would leave suggestions nobody reviewed; `count` says how many."""

    def __init__(self, count: int, verb: str):
        self.count = count
        noun = "suggestion is" if count == 1 else "suggestions are"
        super().__init__(
            f"{count} {noun} still pending. Accept the rest, reject the rest, or go back to them "
            f"before you {verb}.",
            code="pending",
        )


def settle_pending(*, story: Story, user, settle: str | None, verb: str) -> tuple[list[dict], list[dict]]:
    """Accept or reject every pending suggestion of `story`; returns (before, after) row snapshots.

    Call inside the transaction of the transition. Nothing pending: nothing to do. Pending and `settle`
    not one of SETTLE_CHOICES: PendingSuggestions, and the transaction rolls back.
    """
    rows = list(Entity.objects.pending().filter(story=story))
    if not rows:
        return [], []
    if settle not in SETTLE_CHOICES:
        raise PendingSuggestions(len(rows), verb)
    before = [snapshot(row) for row in rows]
    state = Entity.ReviewState.ACCEPTED if settle == "accept" else Entity.ReviewState.REJECTED
    Entity.objects.filter(pk__in=[row.pk for row in rows]).update(review_state=state, updated_by=user)
    for row in rows:
        row.review_state = state
    return before, [snapshot(row) for row in rows]
