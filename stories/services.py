"""Story-level writes and helpers: the content hash that makes imports idempotent, word counts, the
duplicate lookup, assignment (which notifies the new assignee) and the demo accounts.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone

from core import notifications, roles
from core.models import Notification
from stories import policy
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


def stories_duplicate_of(*, sha256s: list[str]) -> dict[str, int]:
    """{sha256: id of the story holding that content} for those of `sha256s` already stored."""
    return dict(Story.objects.filter(sha256__in=sha256s).values_list("sha256", "pk"))


# --- Assignment ----------------------------------------------------------------------------


@transaction.atomic
def story_assign(*, story: Story, editor, by) -> Story:
    """Give `story` to `editor` (None unassigns). Only reviewers and admins assign; the editor must be an
    active account that may annotate. Raises PermissionDenied / ValidationError; records `by` in history.
    A new assignee other than `by` is notified.
    """
    if _assign(story=story, editor=editor, by=by):
        _notify_assigned(editor=editor, by=by, stories=[story])
    return story


@transaction.atomic
def story_assign_many(*, stories: Iterable[Story], editor, by) -> int:
    """Assign every story in `stories` to `editor`, all or none; returns how many were assigned.
    The new assignee gets one notification for the lot, not one per story.
    """
    count = 0
    newly_theirs = []
    for story in stories:
        if _assign(story=story, editor=editor, by=by):
            newly_theirs.append(story)
        count += 1
    _notify_assigned(editor=editor, by=by, stories=newly_theirs)
    return count


def _assign(*, story: Story, editor, by) -> bool:
    """Assign one story; True when it changed hands to someone, so there is news for them."""
    if not policy.may_assign(by):
        raise PermissionDenied("Only reviewers and admins can assign stories.")
    if editor is not None and not (editor.is_active and roles.can_edit(editor)):
        raise ValidationError(
            f"{editor.get_username()} cannot be given stories: the account is inactive or has no "
            "Editors/Reviewers role. Give it a role in the admin first."
        )
    previous = story.assigned_to_id
    story.assigned_to = editor
    story._history_user = by  # simple_history credits the change to the assigner, not the request user
    story.save(update_fields=["assigned_to", "updated_at"])
    return editor is not None and previous != editor.pk


def _notify_assigned(*, editor, by, stories: list[Story]) -> None:
    # Nobody needs telling what they just did themselves.
    if not stories or editor is None or (by is not None and editor.pk == by.pk):
        return
    who = (by.get_full_name() or by.get_username()) if by is not None else "An admin"
    if len(stories) == 1:
        message = f"{who} assigned “{stories[0].title}” to you."
        url = reverse("annotations:story-detail", kwargs={"pk": stories[0].pk})
    else:
        message = f"{who} assigned {len(stories)} stories to you."
        url = reverse("stories:my-queue")
    notifications.notify(recipient=editor, kind=Notification.Kind.ASSIGNED, message=message, url=url)


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


# Open work, in the order an editor takes it: returned stories first (a reviewer is waiting), then the
# ones already started, then new ones.
NEXT_ORDER = (Story.Status.RETURNED, Story.Status.IN_PROGRESS, Story.Status.NEW)


@transaction.atomic
def story_next(*, user) -> Story | None:
    """The next story for `user`: the first open one in their queue, else the first unassigned new story,
    which becomes theirs. None when there is nothing left."""
    open_rank = Case(*(When(status=s, then=Value(n)) for n, s in enumerate(NEXT_ORDER)), default=Value(9))
    # with_layers: an open layer of a double-annotated story is the editor's work too.
    mine = Story.with_layers.filter(assigned_to=user, status__in=NEXT_ORDER).defer("text")
    if story := mine.annotate(open_rank=open_rank).order_by("open_rank", "id").first():
        return story
    unassigned = Story.objects.filter(assigned_to=None, status=Story.Status.NEW).order_by("id").defer("text")
    # skip_locked: two editors pressing "Next story" at once get two different stories (PostgreSQL).
    story = unassigned.select_for_update(skip_locked=True).first()
    if story is None:
        return None
    Story.objects.filter(pk=story.pk, assigned_to=None).update(assigned_to=user, updated_at=timezone.now())
    story.assigned_to = user
    return story
