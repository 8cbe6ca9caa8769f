"""Role checks for views: one decorator, `role_required`, and the two roles pages ask for.

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
