"""create_demo_users: the three demo accounts, only in debug mode, safe to run twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from core import roles
from stories.models import Story
from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db


def run(**options) -> str:
    out = StringIO()
    call_command("create_demo_users", stdout=out, **options)
    return out.getvalue()


class TestCreateDemoUsers:
    def test_creates_three_accounts_with_their_roles(self, settings, monkeypatch):
        settings.DEBUG = True
        monkeypatch.delenv("DEMO_PASSWORD", raising=False)
        output = run()
        admin, editor, reviewer = (User.objects.get(username=n) for n in ("admin", "editor", "reviewer"))
        assert admin.is_staff and admin.is_superuser and roles.is_admin(admin)
        assert roles.can_edit(editor) and not roles.is_reviewer(editor) and not editor.is_staff
        assert roles.is_reviewer(reviewer) and not roles.is_admin(reviewer)
        assert all(user.check_password("fabula-demo") for user in (admin, editor, reviewer))
        assert "Created demo account 'editor'." in output
        assert "password: fabula-demo" in output

    def test_password_comes_from_the_environment(self, settings, monkeypatch, client):
        settings.DEBUG = True
        monkeypatch.setenv("DEMO_PASSWORD", "another-secret")
        assert "password: another-secret" in run()
        # The login throttle (django-axes) needs the request that tries to log in.
        request = RequestFactory().post("/login/")
        assert not client.login(request=request, username="reviewer", password="fabula-demo")
        assert client.login(request=request, username="reviewer", password="another-secret")

    def test_running_twice_resets_and_never_duplicates(self, settings, monkeypatch):
        settings.DEBUG = True
        monkeypatch.delenv("DEMO_PASSWORD", raising=False)
        run()
        editor = User.objects.get(username="editor")
        editor.set_password("changed")
        editor.is_active = False
        editor.save()
        output = run()
        assert "Reset demo account 'editor'." in output
        assert User.objects.filter(username__in=["admin", "editor", "reviewer"]).count() == 3
        editor.refresh_from_db()
        assert editor.is_active and editor.check_password("fabula-demo")
        assert editor.groups.filter(name=roles.EDITORS).count() == 1

    def test_gives_the_editor_some_unassigned_stories_once(self, settings):
        settings.DEBUG = True
        other = make_user("editor")
        taken = make_story(assigned_to=other)
        free = [make_story() for _ in range(5)]
        run()
        editor = User.objects.get(username="editor")
        mine = list(Story.objects.filter(assigned_to=editor).order_by("pk"))
        assert mine == free[:3]
        taken.refresh_from_db()
        assert taken.assigned_to == other
        run()  # a second run hands out nothing more
        assert Story.objects.filter(assigned_to=editor).count() == 3

    def test_no_stories_is_fine(self, settings):
        settings.DEBUG = True
        run(verbosity=0)
        assert not Story.objects.exists()
        assert User.objects.filter(username="editor").exists()

    def test_refuses_without_debug_and_creates_nothing(self, settings):
        settings.DEBUG = False
        with pytest.raises(CommandError, match="Refusing to create demo accounts with DEBUG off"):
            run()
        assert not User.objects.filter(username__in=["admin", "editor", "reviewer"]).exists()
