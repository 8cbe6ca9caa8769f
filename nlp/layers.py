"""The rule layers Fabula applies after the model, by name (`LAYERS`), the default set, and `layers_of(nlp)`:
the set a loaded pipeline should be drafted with. A leaf: it imports nothing of the project.
"""

from __future__ import annotations

# The rule layers, in the order they run. "patterns" is the EntityRuler inside the spaCy pipeline
# (nlp.loading adds it); the others are steps of extract(). Span edges, headings and characters are
# always done: they are what an entity and a character are, not corrections of the model.
LAYERS = ("patterns", "things", "consistency", "names", "noun_phrases")
# "noun_phrases" widens a person to its describing words ("the venerable Madame Petrova"), LitBank's
# convention; editors here tag the name ("Madame Petrova"), so it is off unless a collection asks for it.
DEFAULT_LAYERS = frozenset(LAYERS) - {"noun_phrases"}


LAYERS_KEY = "fabula_layers"  # in a trained pipeline's meta.json: the layers `train` found to help it


def layers_of(nlp) -> frozenset[str]:
    """The layers to apply with this loaded pipeline: those its meta.json records, else DEFAULT_LAYERS."""
    recorded = (getattr(nlp, "meta", None) or {}).get(LAYERS_KEY)
    if recorded is None:
        return DEFAULT_LAYERS
    return frozenset(recorded.get("layers", [])) & frozenset(LAYERS)
