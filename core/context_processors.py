"""Template flags for the current user's roles, so templates can hide what the server would refuse, and the
count of their unread notifications for the top bar."""

from __future__ import annotations

import functools

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from core import roles
from core.notifications import unread_count


def request_user(request: HttpRequest):
    """The request's user, or an anonymous one when the request was refused before authentication ran
    (an unknown Host is answered 400 by CommonMiddleware, before AuthenticationMiddleware)."""
    return getattr(request, "user", None) or AnonymousUser()


def user_roles(request: HttpRequest) -> dict:
    user = request_user(request)
    return {
        "user_can_edit": roles.can_edit(user),
        "user_is_reviewer": roles.is_reviewer(user),
        "user_is_admin": roles.is_admin(user),
    }


def notifications(request: HttpRequest) -> dict:
    """`unread_notification_count` for the top bar's badge, counted only if a template asks for it (htmx
    fragments never do) and at most once per render."""
    user = request_user(request)
    if not user.is_authenticated:
        return {"unread_notification_count": 0}
    return {"unread_notification_count": functools.cache(lambda: unread_count(user))}
