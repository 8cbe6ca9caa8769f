from __future__ import annotations

from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    """Labels, entities, characters, the edit log and undo; the reader and every edit, review, dashboard."""

    name = "annotations"

    def ready(self) -> None:
        from annotations.listing import STORY_LIST
        from stories import listing

        listing.register(STORY_LIST)
