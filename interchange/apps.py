from __future__ import annotations

from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """Every format in and out: readers, writers, the ingest and export commands, the Export page."""

    name = "interchange"
