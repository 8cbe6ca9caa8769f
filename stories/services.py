"""Story-level helpers for imports: the content hash that makes imports idempotent, word counts,
and the duplicate lookup. Pure functions except `story_duplicate_of`, which reads one indexed row.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import roles
from stories.models import Story


def normalised_text(text: str) -> str:
    """NFC with whitespace runs collapsed: re-saving a story (CRLF, trailing newline) keeps its identity."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_sha256(text: str) -> str:
    return hashlib.sha256(normalised_text(text).encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    """Whitespace-separated words, the measure the ingest summary and throughput figures use."""
    return len(text.split())


def story_duplicate_of(*, sha256: str) -> int | None:
    """The id of the story already holding this content, if any."""
    return Story.objects.filter(sha256=sha256).values_list("pk", flat=True).first()


# --- Assignment (helper B1) ------------------------------------------------------------------


@transaction.atomic
def story_assign(*, story: Story, editor, by) -> Story:
    """Give `story` to `editor` (None unassigns). Only reviewers and admins assign; the editor must be an
    active account that may annotate. Raises PermissionDenied / ValidationError; records `by` in history.
    """
    if not roles.is_reviewer(by):
        raise PermissionDenied("Only reviewers and admins can assign stories.")
    if editor is not None and not (editor.is_active and roles.can_edit(editor)):
        raise ValidationError(
            f"{editor.get_username()} cannot be given stories: the account is inactive or has no "
            "Editors/Reviewers role. Give it a role in the admin first."
        )
    story.assigned_to = editor
    story._history_user = by  # simple_history credits the change to the assigner, not the request user
    story.save(update_fields=["assigned_to", "updated_at"])
    return story


@transaction.atomic
def story_assign_many(*, stories: Iterable[Story], editor, by) -> int:
    """Assign every story in `stories` to `editor`, all or none; returns how many were assigned."""
    count = 0
    for story in stories:
        story_assign(story=story, editor=editor, by=by)
        count += 1
    return count


# The accounts `make demo` creates; see the create_demo_users command.
DEMO_ACCOUNTS = (("admin", "admin"), ("editor", roles.EDITORS), ("reviewer", roles.REVIEWERS))
DEMO_STORIES_FOR_EDITOR = 3


@transaction.atomic
def demo_users_ensure(*, password: str) -> dict[str, bool]:
    """Create or reset the demo accounts admin/editor/reviewer with `password`; {username: created}.
    Gives `editor` a few unassigned stories the first time, so "My queue" has something in it.
    """
    created = {}
    for username, role in DEMO_ACCOUNTS:
        user, created[username] = get_user_model().objects.get_or_create(username=username)
        user.is_active = True
        user.is_staff = user.is_superuser = role == "admin"
        user.set_password(password)
        user.save()
        if role != "admin":
            user.groups.add(Group.objects.get_or_create(name=role)[0])
    admin, editor = (get_user_model().objects.get(username=name) for name in ("admin", "editor"))
    if not Story.objects.filter(assigned_to=editor).exists():
        unassigned = Story.objects.filter(assigned_to=None).order_by("pk")[:DEMO_STORIES_FOR_EDITOR]
        story_assign_many(stories=unassigned, editor=editor, by=admin)
    return created
