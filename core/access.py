"""Role checks for views: one decorator, `role_required`, and the two roles pages ask for; and who may
follow and download an export job (`export_job_refusal`).

Login is already required everywhere (core.middleware). A logged-in user without the role gets
PermissionDenied with a message that says which role the action needs and how to get it; Django's 403
handler renders it (templates/403.html), and static/js/app.js shows its `data-error-message` to htmx.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied

from core import roles

NO_EDITOR_ROLE = (
    "Your account has no editor, reviewer or admin role yet. "
    "Ask an admin to add you to the Editors or Reviewers group."
)
NO_REVIEWER_ROLE = (
    "Only reviewers and admins can open the review queue and the dashboard, or approve and return "
    "stories. Ask an admin to add your account to the Reviewers group."
)

NO_EXPORT_JOB_ACCESS = (
    "This export was started by someone else: only they and admins can follow or download it. "
    "Start the same export yourself on the Export page."
)


def export_job_refusal(user, *, requested_by_id: int | None) -> str | None:
    """Why `user` may not see or download an export job's file, or None: the requester, while still a
    reviewer, and admins. An export holds every story it matched, so it is a reviewer's right to begin
    with, and one person's job is not another's to take."""
    if not roles.is_reviewer(user):
        return NO_REVIEWER_ROLE
    if roles.is_admin(user) or (requested_by_id is not None and user.pk == requested_by_id):
        return None
    return NO_EXPORT_JOB_ACCESS


def role_required(check: Callable[..., bool], message: str) -> Callable[[Callable], Callable]:
    """Wrap a view so that it runs only for users for whom `check(user)` is true."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


editor_required = role_required(roles.can_edit, NO_EDITOR_ROLE)
reviewer_required = role_required(roles.is_reviewer, NO_REVIEWER_ROLE)
