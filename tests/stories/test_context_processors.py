"""stories.context_processors: reviewers' live count of stories awaiting review."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from stories.context_processors import review_counts
from stories.models import Story
from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db


def count_for(user):
    request = RequestFactory().get("/")
    request.user = user
    value = review_counts(request)["awaiting_review_count"]
    return value() if callable(value) else value


def test_reviewers_get_the_live_count_of_done_stories():
    reviewer = make_user("reviewer")
    make_story(status=Story.Status.DONE), make_story(status=Story.Status.RETURNED)
    assert count_for(reviewer) == 1
    make_story(status=Story.Status.DONE)
    assert count_for(reviewer) == 2


@pytest.mark.parametrize("who", ["editor", "none", "anonymous"])
def test_others_get_zero(who):
    make_story(status=Story.Status.DONE)
    assert count_for(AnonymousUser() if who == "anonymous" else make_user(who)) == 0
