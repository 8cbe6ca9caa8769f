"""Reads, one module per area: the reader (workspace), review, the dashboard, and export."""

from __future__ import annotations
