"""Which spaCy pipeline drafts entities: the admin's choice and the enabled learned patterns.

Contract: `drafting_nlp()` returns the loaded pipeline (nlp.loading caches it per process) for the
name in PipelineSetting, or settings.SPACY_MODEL, with the enabled LearnedPattern rows in its rule
layer when FABULA_LEARNED_PATTERNS is on. The database is read here so that `nlp` never needs to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from spacy.language import Language

from annotations.models import LearnedPattern
from nlp.loading import Pattern, get_nlp
from stories.models import PipelineSetting


def active_model_name() -> str:
    """The admin's choice in the database if there is one, else settings.SPACY_MODEL."""
    try:
        chosen = PipelineSetting.objects.values_list("spacy_model", flat=True).first()
    except DatabaseError:  # no table yet (before migrate): fall back to the setting
        chosen = None
    return chosen or settings.SPACY_MODEL


def learned_patterns() -> tuple[Pattern, ...]:
    """Enabled learned patterns as (label, text), in a stable order; none before migrate."""
    if not settings.FABULA_LEARNED_PATTERNS:
        return ()
    try:
        rows = LearnedPattern.objects.filter(enabled=True).order_by("label_id", "text")
        return tuple(rows.values_list("label_id", "text"))
    except DatabaseError:
        return ()


def drafting_nlp() -> Language:
    return get_nlp(active_model_name(), learned_patterns())
