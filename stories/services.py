"""Story-level writes and helpers: the content hash that makes imports idempotent, word counts, the
duplicate lookup, a chunk of new stories with their history in bulk, assignment (which notifies the new
assignee) and the demo accounts.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone

from core import notifications, roles
from core.bulk import insert_rows
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


@transaction.atomic
def stories_insert(*, stories: list[Story]) -> list[Story]:
    """Insert unsaved stories (distinct texts) and their "+" history rows, as save() writes them, in two
    statements; sets each story's pk. A text already stored raises IntegrityError and writes nothing.

    The stories go in by core.bulk.insert_rows (COPY on PostgreSQL), which reads no ids back; the
    history rows are copied from the stored stories by one INSERT ... SELECT, which returns the ids by
    content hash. simple_history's bulk_create_with_history built a history instance per story and
    compiled every value of both inserts through the ORM: most of `ingest --no-extract`'s write CPU.
    The history names one user for the chunk, simple_history's for the first story (one importer).
    """
    if not stories:
        return stories
    insert_rows(Story, stories)
    ids = _history_insert(stories) if getattr(settings, "SIMPLE_HISTORY_ENABLED", True) else None
    if ids is None:
        ids = stories_duplicate_of(sha256s=[story.sha256 for story in stories])
    for story in stories:
        story.pk = ids[story.sha256]
        story._state.adding, story._state.db = False, Story.objects.db
    return stories


# The history columns that are not the story's own, in the order _history_insert fills them.
HISTORY_EXTRA = ("history_date", "history_type", "history_user", "history_change_reason")


def _history_insert(stories: list[Story]) -> dict[str, int]:
    """One "+" history row per story, copied from its stored row; {sha256: story id}."""
    history = Story.history.model
    connection = connections[Story.objects.db]
    quote = connection.ops.quote_name
    tracked = history.tracked_fields
    target = [quote(history._meta.get_field(field.name).column) for field in tracked]
    source = [quote(field.column) for field in tracked]
    user = history.get_default_history_user(stories[0])
    stamp = history._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    shas = [story.sha256 for story in stories]
    if connection.vendor == "postgresql":
        among, shas_param = "= ANY(%s)", shas
    else:  # SQLite: the list as one JSON parameter, whatever its length
        among, shas_param = "IN (SELECT value FROM json_each(%s))", json.dumps(shas)
    extra = [quote(history._meta.get_field(name).column) for name in HISTORY_EXTRA]
    pk, sha256 = quote(Story._meta.pk.column), quote(Story._meta.get_field("sha256").column)
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(target + extra)}) "
        f"SELECT {', '.join(source)}, %s, '+', %s, NULL FROM {quote(Story._meta.db_table)} "
        f"WHERE {sha256} {among} ORDER BY {pk} RETURNING {pk}, {sha256}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp, getattr(user, "pk", None), shas_param])
        return {sha: story_id for story_id, sha in cursor.fetchall()}


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
