"""Presence: an open reader says "still here" every few seconds, so others can see who is reading."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from annotations.models import Presence
from stories.models import Story


def presence_touch(*, story: Story, user) -> None:
    """Record that `user` has `story` open now: one UPDATE, or an INSERT the first time."""
    now = timezone.now()
    if Presence.objects.filter(story=story, user=user).update(seen_at=now):
        return
    try:
        with transaction.atomic():
            Presence.objects.create(story=story, user=user, seen_at=now)
    except IntegrityError:  # another tab of the same person inserted it first
        Presence.objects.filter(story=story, user=user).update(seen_at=now)
