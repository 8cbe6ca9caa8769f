from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Web plumbing and access: roles, login and error middleware, error answers. Imports Django only."""

    name = "core"
