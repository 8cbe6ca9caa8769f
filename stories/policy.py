"""Who may do what to a story: the one set of rules that views, commands and the API all call.

Roles come from core.roles; this adds what the story's own state says. A Done story waits for review and
an Approved one is final, so editors cannot change either; reviewers may still fix a Done story from the
review page. An assigned story belongs to its assignee, reviewers and admins. `user=None` is the command
line, which is trusted with roles but not with workflow states. Each refusal says why and who can help.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from core import roles
from core.access import NO_EDITOR_ROLE
from stories.models import Story


def edit_refusal(user, story: Story) -> str | None:
    """Why `user` may not change `story`'s entities and characters now, or None when they may."""
    if user is not None and not roles.can_edit(user):
        return NO_EDITOR_ROLE
    if story.layer_of_id is not None:
        return _layer_edit_refusal(user, story)
    if story.layer_count and (reason := _double_edit_refusal(user, story)):
        return reason
    reviewer = user is None or roles.is_reviewer(user)
    if story.status == Story.Status.APPROVED:
        return (
            f"“{story.title}” is approved, so it is read-only. A reviewer can return it to its editor, "
            "or an admin can reopen it."
        )
    if story.status == Story.Status.DONE and not reviewer:
        return (
            f"“{story.title}” is done and waiting for review, so it is read-only. A reviewer can return "
            "it to you with a comment, or approve it."
        )
    if story.assigned_to_id and user is not None and story.assigned_to_id != user.pk and not reviewer:
        return (
            f"“{story.title}” is assigned to {assignee_name(story)}; only they, reviewers and admins can "
            "edit it. Ask a reviewer to reassign it if you should work on it."
        )
    return None


# Double annotation. A layer (Story.layer_of set) is its annotator's alone; the story it belongs to
# holds the model's draft until adjudication, then the final layer, which only reviewers write.
BEFORE_ADJUDICATION = (Story.Status.NEW, Story.Status.IN_PROGRESS)


def _layer_edit_refusal(user, layer: Story) -> str | None:
    if user is not None and layer.annotator_id != user.pk:
        return (
            f"This is another annotator's layer of “{layer.title}”; only they can change it. Reviewers "
            "settle the layers' differences on the adjudication page."
        )
    if layer.status == Story.Status.DONE:
        return (
            f"You marked your layer of “{layer.title}” done, so it is read-only. Once every annotator has, "
            "a reviewer adjudicates the layers."
        )
    return None


def _double_edit_refusal(user, story: Story) -> str | None:
    if story.status in BEFORE_ADJUDICATION:
        return (
            f"“{story.title}” is being double-annotated: each annotator works in their own layer, and the "
            "final layer is written at adjudication, once every layer is done."
        )
    if user is not None and not roles.is_reviewer(user):
        return (
            f"“{story.title}” is double-annotated: after adjudication only reviewers change its final "
            "layer. Ask a reviewer if something needs fixing."
        )
    return None


def read_refusal(user, story: Story, *, own_layer: bool | None = None) -> str | None:
    """Why `user` may not see the annotator's layer `story`, or None when they may; any non-layer may be read.

    No one with a layer of the same story sees another's before adjudication (so annotators stay
    independent); reviewers who annotate none of it may look at any layer. `own_layer`: whether `user`
    has a layer of this story, if the caller knows already.
    """
    if story.layer_of_id is None or user is None or story.annotator_id == user.pk:
        return None
    if own_layer is None:
        own_layer = Story.with_layers.filter(layer_of_id=story.layer_of_id, annotator=user).exists()
    parent_status = Story.objects.values_list("status", flat=True).get(pk=story.layer_of_id)
    if own_layer and parent_status in BEFORE_ADJUDICATION:
        return (
            f"This is another annotator's layer of “{story.title}”. Annotators see only their own layer "
            "until every layer is done and the story goes to adjudication."
        )
    if not own_layer and not roles.is_reviewer(user):
        return (
            f"This is another annotator's layer of “{story.title}”; only its annotator and reviewers can "
            "open it."
        )
    return None


def check_read(user, story: Story) -> None:
    """Raise PermissionDenied with the reason when `user` may not see `story` (an annotator's layer)."""
    if reason := read_refusal(user, story):
        raise PermissionDenied(reason)


def may_adjudicate(user) -> bool:
    """Settle the differences between annotators' layers: reviewers and admins."""
    return user is None or roles.is_reviewer(user)


def check_edit(user, story: Story) -> None:
    """Raise PermissionDenied with the reason when `user` may not edit `story`."""
    if reason := edit_refusal(user, story):
        raise PermissionDenied(reason)


def claims(user) -> bool:
    """Whether `user`'s first edit of an unassigned story makes it theirs: editors claim, reviewers fix."""
    return user is not None and not roles.is_reviewer(user)


def may_review(user) -> bool:
    """Approve and return stories, see the review queue, the dashboard and the export."""
    return user is None or roles.is_reviewer(user)


def may_reopen(user) -> bool:
    """Move an approved story back to In progress without a review comment: admins only."""
    return user is None or roles.is_admin(user)


def may_assign(user) -> bool:
    return user is None or roles.is_reviewer(user)


def assignee_name(story: Story) -> str:
    user = story.assigned_to
    return (user.get_full_name() or user.get_username()) if user else "nobody"


NO_IMPORT_ROLE = (
    "Only admins can import stories. Ask an admin to import the files, or to give your account staff "
    "status; the command line (`manage.py ingest`) works for anyone who can run it on the server."
)


def may_import(user) -> bool:
    """Upload files on the Import page and follow an import batch's progress: admins only."""
    return user is None or roles.is_admin(user)
