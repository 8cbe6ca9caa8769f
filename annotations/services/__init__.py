"""Writes, one module per area: editing, characters, changes (versions and undo), review, extraction,
patterns, the drafting pipeline and training."""
