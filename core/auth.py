"""The login backend: Django's ModelBackend, except that the request's user is loaded with its roles.

AuthenticationMiddleware loads the user through the backend's get_user(); with_roles() adds whether
they are an editor and a reviewer to that one query, so no page asks for the user's groups again.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from core import roles


class RoleModelBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.all()
        try:
            user = roles.with_roles(users).get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
