"""Who may do what. Roles are the groups Editors and Reviewers; admins are staff.

Every view checks these on the server; templates only use them to hide buttons.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

EDITORS = "Editors"
REVIEWERS = "Reviewers"
_ROLE_FLAGS = {EDITORS: "_fabula_in_editors", REVIEWERS: "_fabula_in_reviewers"}


def _in_group_sql(users: QuerySet) -> str:
    """SQL that is true when the outer row's user is in the group named by its one parameter.

    Written out rather than as Exists(Group.objects.filter(...)): compiling that ORM subquery on every
    request costs more CPU than the separate groups query it would replace."""
    quote = connections[users.db].ops.quote_name
    user, link, group = users.model._meta, users.model.groups.through._meta, Group._meta
    link_user, link_group = (quote(link.get_field(name).column) for name in ("user", "group"))
    return (
        f"EXISTS (SELECT 1 FROM {quote(link.db_table)} INNER JOIN {quote(group.db_table)} "
        f"ON {quote(group.db_table)}.{quote(group.pk.column)} = {quote(link.db_table)}.{link_group} "
        f"WHERE {quote(link.db_table)}.{link_user} = {quote(user.db_table)}.{quote(user.pk.column)} "
        f"AND {quote(group.db_table)}.{quote(group.get_field('name').column)} = %s)"
    )


def with_roles(users: QuerySet) -> QuerySet:
    """`users` that know their roles: each row says in the same query whether the user is in each role's
    group, so the checks below ask the database nothing more (core.auth loads the request's user so)."""
    sql = _in_group_sql(users)
    return users.annotate(
        **{flag: RawSQL(sql, (name,), output_field=BooleanField()) for name, flag in _ROLE_FLAGS.items()}
    )


def _groups(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    """The role groups `user` is in, read once per user object (from with_roles()' columns if it has them)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_fabula_groups", None)
    if cached is None:
        if all(hasattr(user, flag) for flag in _ROLE_FLAGS.values()):
            cached = {name for name, flag in _ROLE_FLAGS.items() if getattr(user, flag)}
        else:
            cached = set(user.groups.filter(name__in=_ROLE_FLAGS).values_list("name", flat=True))
        user._fabula_groups = cached
    return cached


def is_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def is_reviewer(user) -> bool:
    return is_admin(user) or REVIEWERS in _groups(user)


def can_edit(user) -> bool:
    """Editors edit; reviewers and admins may too (reviewers fix small things before approving)."""
    return is_reviewer(user) or EDITORS in _groups(user)
