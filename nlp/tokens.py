"""spaCy's blank English tokenizer, built once per process: `tokenizer()`. Snapping edits to tokens and
measuring agreement over tokens use this one, so warming it up once serves both.
"""

from __future__ import annotations

import functools


@functools.cache
def tokenizer():
    """The blank English tokenizer: en_core_web_sm's rules without its weights, ~0.1 s to build."""
    import spacy  # imported lazily so migrate/check and web processes that never tokenise never pay

    return spacy.blank("en").tokenizer
