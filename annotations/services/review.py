"""Reviewer decisions: approve a finished story, or return it to the editor with a comment.

Both lock the story row, check the reviewer role on the server (PermissionDenied otherwise), refuse a
story in the wrong status (ReviewConflict), bump the story's version and record an Edit row
(action approve/return) so the decision shows in the story's history. The story's editor is notified.
Given the `version` the reviewer saw, both refuse a story that changed since (ReviewStale), so nobody
approves what they did not see; a caller that passes no version (a command, an API) is not checked.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from annotations.models import Edit
from annotations.services.settling import settle_pending
from core import notifications
from core.models import Notification
from stories import policy
from stories.models import Story

COMMENT_MAX_CHARS = 5000
COMMENT_REQUIRED = "Write a comment that tells the editor what to fix before returning the story."

# A story can be returned while it waits for review, and also after approval if a problem turns up later.
RETURNABLE = (Story.Status.DONE, Story.Status.APPROVED)


class ReviewConflict(Exception):
    """The story is not in a status that allows this decision; the message says why and what to do."""


class ReviewStale(ReviewConflict):
    """The story changed after the reviewer loaded it: what they would decide on is not what they saw."""


def _check_version(story: Story, version: int | None, verb: str) -> None:
    if version is not None and story.version != version:
        raise ReviewStale(
            f"“{story.title}” changed after you opened it (you saw version {version}, it is now version "
            f"{story.version}). Look over the changes below, then {verb} it again."
        )


def _check_reviewer(user, verb: str) -> None:
    if not policy.may_review(user):
        raise PermissionDenied(f"Only reviewers and admins can {verb} stories.")


def _locked(story: Story) -> Story:
    # Re-read under a row lock so two reviewers clicking at once cannot both decide.
    # The text (possibly a novel) is not needed to decide; it loads on access if a caller wants it.
    return Story.objects.select_for_update().defer("text").get(pk=story.pk)


def _record(*, story: Story, user, action: str, summary: str, before: dict) -> Edit:
    fields = {"status": story.status, "review_comment": story.review_comment}
    return Edit.objects.create(
        story=story,
        user=user,
        action=action,
        summary=summary[:500],
        # A story snapshot, not entity/character rows: reviewer decisions are not undoable edits.
        before=[{"model": "story", "id": story.pk, "fields": before}],
        after=[{"model": "story", "id": story.pk, "fields": fields}],
        story_version=story.version,
    )


@transaction.atomic
def story_approve(*, story: Story, user, settle: str | None = None, version: int | None = None) -> Story:
    """Mark a done story approved and clear any earlier return comment.

    Pending suggestions refuse it (PendingSuggestions) unless `settle` is "accept" or "reject"; the
    settling is its own Edit, before the approval. `version`: the story version the reviewer saw; if
    the story has moved on, ReviewStale. None (commands, API callers) skips that check. Returns the
    updated story, a fresh instance.
    """
    _check_reviewer(user, "approve")
    story = _locked(story)
    if story.status != Story.Status.DONE:
        raise ReviewConflict(
            f"“{story.title}” is {story.get_status_display().lower()}, not done: only stories an editor "
            "has marked done can be approved. Reload the review queue to see its current state."
        )
    _check_version(story, version, "approve")
    before, after = settle_pending(story=story, user=user, settle=settle, verb="approve the story")
    if after:
        verb = "Accepted" if settle == "accept" else "Rejected"
        Edit.objects.create(
            story=story, user=user, before=before, after=after, story_version=story.version,
            action=Edit.Action.ACCEPT if settle == "accept" else Edit.Action.REJECT,
            summary=f"{verb} the {len(after)} pending suggestions before approving",
        )  # fmt: skip
    story = _transition(
        story, user, Story.Status.APPROVED, "", Edit.Action.APPROVE, f"Approved by {user.get_username()}"
    )
    _tell_editor(story, user, Notification.Kind.APPROVED, f"{_name(user)} approved “{story.title}”.")
    return story


@transaction.atomic
def story_return(*, story: Story, user, comment: str, version: int | None = None) -> Story:
    """Send a done (or approved) story back to its editor with a required comment they will see.

    `version` as for story_approve: the version the reviewer saw, or None for no check."""
    _check_reviewer(user, "return")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(COMMENT_REQUIRED, code="required")
    if len(comment) > COMMENT_MAX_CHARS:
        raise ValidationError(
            f"The comment has {len(comment)} characters; shorten it to {COMMENT_MAX_CHARS} or fewer.",
            code="max_length",
        )
    story = _locked(story)
    if story.status not in RETURNABLE:
        raise ReviewConflict(
            f"“{story.title}” is {story.get_status_display().lower()}: only done or approved stories can "
            "be returned. Reload the page to see its current state."
        )
    _check_version(story, version, "return")
    summary = f"Returned by {user.get_username()}: {comment}"
    story = _transition(story, user, Story.Status.RETURNED, comment, Edit.Action.RETURN, summary)
    message = f"{_name(user)} returned “{story.title}” to you: {comment}"
    _tell_editor(story, user, Notification.Kind.RETURNED, message)
    return story


def _tell_editor(story: Story, reviewer, kind: str, message: str) -> None:
    """Notify whoever the decision is news for: the assignee, else the last person who edited the story."""
    recipient = story.assigned_to or _last_editor(story, reviewer)
    # A reviewer deciding on a story they worked on themselves needs no message about it.
    if recipient is None or recipient.pk == reviewer.pk:
        return
    url = reverse("annotations:story-detail", kwargs={"pk": story.pk})
    notifications.notify(recipient=recipient, kind=kind, message=message, url=url)


def _last_editor(story: Story, reviewer):
    # Earlier decisions and the reviewer's own fixes are not the editing this decision is about.
    edit = (
        Edit.objects.filter(story=story, user__isnull=False)
        .exclude(user=reviewer)
        .exclude(action__in=[Edit.Action.APPROVE, Edit.Action.RETURN])
        .select_related("user")
        .order_by("-created_at", "-pk")
        .first()
    )
    return edit.user if edit else None


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _transition(story: Story, user, status: str, comment: str, action: str, summary: str) -> Story:
    """Move a locked story to `status` with `comment`, bump its version, and record the Edit."""
    before = {"status": story.status, "review_comment": story.review_comment}
    story.status = status
    story.review_comment = comment
    story.version += 1
    story.save(update_fields=["status", "review_comment", "version", "updated_at"])
    _record(story=story, user=user, action=action, summary=summary, before=before)
    return story


@transaction.atomic
def story_reopen(*, story: Story, user) -> Story:
    """An admin moves an approved story back to In progress, without a comment; logged like a return."""
    if not policy.may_reopen(user):
        raise PermissionDenied("Only admins can reopen an approved story; a reviewer can return it instead.")
    story = _locked(story)
    if story.status != Story.Status.APPROVED:
        raise ReviewConflict(
            f"“{story.title}” is {story.get_status_display().lower()}, not approved: only approved stories "
            "are reopened. Reload the page to see its current state."
        )
    name = user.get_username() if user else "the command line"
    return _transition(story, user, Story.Status.IN_PROGRESS, "", Edit.Action.STATUS, f"Reopened by {name}")
