"""The login backend: Django's ModelBackend, except that the request's user is loaded with its roles.

AuthenticationMiddleware loads the user through the backend's get_user(); with_roles() adds whether
they are an editor and a reviewer to that one query, so no page asks for the user's groups again.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from core import roles
from core.compiled import CompiledRead

# Compiled once (core.compiled): every request of a logged-in user starts with this read.
_WITH_ROLES = CompiledRead(lambda pk: roles.with_roles(get_user_model()._default_manager.filter(pk=pk)))


class RoleModelBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = _WITH_ROLES.first(int(user_id))
        except (TypeError, ValueError):
            return None
        return user if user is not None and self.user_can_authenticate(user) else None
