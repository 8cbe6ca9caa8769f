"""Template flags for the current user's roles, so templates can hide what the server would refuse."""

from __future__ import annotations

from django.http import HttpRequest

from core import roles


def user_roles(request: HttpRequest) -> dict:
    user = request.user
    return {
        "user_can_edit": roles.can_edit(user),
        "user_is_reviewer": roles.is_reviewer(user),
        "user_is_admin": roles.is_admin(user),
    }
