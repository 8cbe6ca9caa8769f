"""Who may do what. Roles are the groups Editors and Reviewers; admins are staff.

Every view checks these on the server; templates only use them to hide buttons.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

EDITORS = "Editors"
REVIEWERS = "Reviewers"


def _groups(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_fabula_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._fabula_groups = cached
    return cached


def is_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def is_reviewer(user) -> bool:
    return is_admin(user) or REVIEWERS in _groups(user)


def can_edit(user) -> bool:
    """Editors edit; reviewers and admins may too (reviewers fix small things before approving)."""
    return is_reviewer(user) or EDITORS in _groups(user)
