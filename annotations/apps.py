from __future__ import annotations

from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    """Labels, entity annotations, characters, the editor workspace, review and export."""

    name = "annotations"
