"""`awaiting_review_count` for reviewers: how many Done stories wait in the review queue, counted live.

Lazy, like core's notification count: the query runs only when a template shows it.
"""

from __future__ import annotations

import functools

from django.http import HttpRequest

from core import roles
from core.context_processors import request_user
from stories import selectors


def review_counts(request: HttpRequest) -> dict:
    if not roles.is_reviewer(request_user(request)):
        return {"awaiting_review_count": 0}
    return {"awaiting_review_count": functools.cache(selectors.awaiting_review_count)}
