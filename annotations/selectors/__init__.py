"""Reads, one module per area: the reader, review and the dashboard."""

from __future__ import annotations
