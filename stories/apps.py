from __future__ import annotations

from django.apps import AppConfig


class StoriesConfig(AppConfig):
    """The corpus: stories, import batches, reading plain story files, the story list. Imports only `core`."""

    name = "stories"
