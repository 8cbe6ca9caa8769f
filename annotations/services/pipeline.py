"""Which spaCy pipeline drafts entities: the admin's choice and the enabled learned patterns.

Contract: `drafting_nlp()` returns the loaded pipeline (nlp.loading caches it per process) for the
name in PipelineSetting, or settings.SPACY_MODEL, with the enabled LearnedPattern rows in its rule
layer when FABULA_LEARNED_PATTERNS is on. The database is read here so that `nlp` never needs to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError

if TYPE_CHECKING:
    from spacy.language import Language

from annotations.models import LearnedPattern
from nlp.loading import Pattern, available_pipelines, get_nlp
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


class PipelineUnavailable(Exception):
    """The chosen pipeline cannot be loaded; the message names it, says why and lists the choices."""


def drafting_nlp() -> Language:
    """The drafting pipeline, or PipelineUnavailable with a message a command prints as one line."""
    name = active_model_name()
    try:
        return get_nlp(name, learned_patterns())
    except (OSError, ImportError, ValueError, KeyError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        choices = ", ".join(available_pipelines(settings.MODELS_DIR)) or "none is installed"
        raise PipelineUnavailable(
            f"The spaCy pipeline {name!r} cannot be loaded ({reason}). Installed and trained pipelines: "
            f"{choices}. Set SPACY_MODEL, or choose one in the admin's Active spaCy pipeline."
        ) from None
