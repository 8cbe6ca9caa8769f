"""story_assign / story_assign_many: who may assign, to whom, and what the history records."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from stories import services
from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db


class TestStoryAssign:
    def test_reviewer_assigns_and_history_names_them(self, reviewer, editor):
        story = make_story()
        services.story_assign(story=story, editor=editor, by=reviewer)
        story.refresh_from_db()
        assert story.assigned_to == editor
        assert story.history.first().history_user == reviewer

    def test_editor_may_not_assign(self, editor):
        story = make_story()
        with pytest.raises(PermissionDenied):
            services.story_assign(story=story, editor=editor, by=editor)
        story.refresh_from_db()
        assert story.assigned_to is None

    @pytest.mark.parametrize("kind", ["roleless", "inactive"])
    def test_only_active_annotators_receive_stories(self, admin_user, kind):
        person = make_user("none" if kind == "roleless" else "editor")
        if kind == "inactive":
            person.is_active = False
            person.save()
        with pytest.raises(ValidationError, match="cannot be given stories"):
            services.story_assign(story=make_story(), editor=person, by=admin_user)

    def test_unassign(self, admin_user, editor):
        story = make_story(assigned_to=editor)
        services.story_assign(story=story, editor=None, by=admin_user)
        story.refresh_from_db()
        assert story.assigned_to is None

    def test_many_is_all_or_nothing(self, admin_user, editor, monkeypatch):
        first, second = make_story(), make_story()
        real = services.story_assign

        def fail_on_second(*, story, editor, by):
            if story == second:
                raise ValidationError("boom")
            return real(story=story, editor=editor, by=by)

        monkeypatch.setattr(services, "story_assign", fail_on_second)
        with pytest.raises(ValidationError):
            services.story_assign_many(stories=[first, second], editor=editor, by=admin_user)
        first.refresh_from_db()
        assert first.assigned_to is None  # the first assignment was rolled back with the batch
