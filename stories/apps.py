from __future__ import annotations

from django.apps import AppConfig


class StoriesConfig(AppConfig):
    """Stories, import batches, ingest and the spaCy pipeline. Never imports `annotations`."""

    name = "stories"
