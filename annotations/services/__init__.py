"""Writes for the annotations app, one module per area (editing, review, export)."""
