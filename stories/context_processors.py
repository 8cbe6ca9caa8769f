"""Template flags for the current user's roles, so templates can hide what the server would refuse."""

from __future__ import annotations

from django.http import HttpRequest

from stories import roles


def user_roles(request: HttpRequest) -> dict:
    user = request.user
    return {
        "user_can_annotate": roles.can_annotate(user),
        "user_is_reviewer": roles.is_reviewer(user),
        "user_is_admin": roles.is_admin(user),
    }
