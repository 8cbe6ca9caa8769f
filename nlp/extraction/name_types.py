"""Is this name a person? `name_features` turns all occurrences of one name in a story into a FEATURES
vector; `person_probability` scores it with the weights of settings.FABULA_NAME_TYPES (data/name_types.json)
and returns None when they are missing or disabled, so the caller falls back to the hand-weighted vote.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

from django.conf import settings

from nlp.extraction.cues import (
    COMMA_AFTER,
    FACILITY_HEADS,
    PERSON_MODIFIER_BEFORE,
    PLACE_BEFORE,
    POSSESSIVE_AFTER,
    PRONOUN_AFTER,
    QUOTE_OPEN_BEFORE,
    REFLEXIVE_AFTER,
    SPEECH_AFTER,
    SPEECH_BEFORE,
    VOCATIVE_AFTER,
    VOCATIVE_BEFORE,
    is_given_name,
)
from nlp.extraction.types import Span
from nlp.extraction.vocabulary import is_title, sentence_initial

# The labels the vote sees (consistency.VOTING_LABELS leaves NORP out); the rest count as "other".
MODEL_LABELS = ("PERSON", "GPE", "LOC", "FAC", "ORG", "WORK_OF_ART")
TO_FROM_BEFORE = re.compile(r"\b(?:to|from)\s+$")
OF_BEFORE = re.compile(r"\bof\s+$")
THE_BEFORE = re.compile(r"\b[Tt]he\s+$")
WHO_AFTER = re.compile(r"\s*,?\s*(?:who|whom|whose)\b")
WHICH_AFTER = re.compile(r"\s*,?\s*(?:which|where)\b")
AND_NEAR = re.compile(r"\s+(?:and|or)\s+[A-Z]")
AND_BEFORE = re.compile(r"[A-Z][\w’'-]*\s+(?:and|or)\s+$")
# "Turkey 's face", "Agnes ' cottage": what only people have.
PERSON_POSSESSION_AFTER = re.compile(
    r"\s?['’]s?\s+(?:own\s+)?(?:mother|father|wife|husband|son|daughter|brother|sister|aunt|uncle|cousin|"
    r"friend|friends|face|eyes|hand|hands|voice|head|heart|mind|life|arm|arms|lips|hair|feet|letter|room)\b"
)
# What people do: a verb of feeling, perceiving or moving right after the name ("Bartleby sat").
ANIMATE_AFTER = re.compile(
    r"\s+(?:felt|knew|wanted|saw|heard|took|sat|stood|walked|ran|wept|rose|hurried|shook|smiled|laughed|"
    r"looked|nodded|sighed|frowned|stared|listened|paused|hesitated|whispered|thought|answered|replied|"
    r"said|asked|cried|told|married|died|loved|hated|seemed|had|was|is|has)\b"
)

# Occurrence-level cues: each becomes "the share of this name's occurrences with the cue".
OCCURRENCE_CUES = (
    "title",
    "speech",
    "pronoun_after",
    "reflexive_after",
    "person_modifier_before",
    "quoted_address",
    "vocative",
    "the_before",
    "place_preposition_before",
    "to_from_before",
    "of_before",
    "possessive_after",
    "sentence_initial",
    "who_after",
    "which_after",
    "coordinated",
    "person_possession_after",
    "animate_after",
)
FEATURES = (
    ("bias",)
    + tuple(f"model_{label.lower()}" for label in MODEL_LABELS)
    + ("model_other",)
    + OCCURRENCE_CUES
    + (
        "log_occurrences",
        "given_name",
        "first_word_given_name",
        "lower_case_share",
        "one_word",
        "three_or_more_words",
        "facility_head",
        "all_capitals",
        "vote_person_share",
        "model_said_person",
    )
)


def occurrence_cues(text: str, span: Span) -> dict[str, bool]:
    start, end = span.start, span.end
    before = text[max(0, start - 24) : start]
    words = text[start:end].split()
    return {
        "title": is_title(words[0]),
        "speech": bool(SPEECH_AFTER.match(text, end) or SPEECH_BEFORE.search(before)),
        "pronoun_after": bool(PRONOUN_AFTER.match(text, end)),
        "reflexive_after": bool(REFLEXIVE_AFTER.match(text, end)),
        "person_modifier_before": bool(PERSON_MODIFIER_BEFORE.search(before)),
        "quoted_address": bool(QUOTE_OPEN_BEFORE.search(before) and COMMA_AFTER.match(text, end)),
        "vocative": bool(VOCATIVE_BEFORE.search(before) and VOCATIVE_AFTER.match(text, end)),
        "the_before": bool(THE_BEFORE.search(before)) or words[0].lower() == "the",
        "place_preposition_before": bool(PLACE_BEFORE.search(before)),
        "to_from_before": bool(TO_FROM_BEFORE.search(before)),
        "of_before": bool(OF_BEFORE.search(before)),
        "possessive_after": bool(POSSESSIVE_AFTER.match(text, end)),
        "sentence_initial": sentence_initial(text, start),
        "who_after": bool(WHO_AFTER.match(text, end)),
        "which_after": bool(WHICH_AFTER.match(text, end)),
        "coordinated": bool(AND_NEAR.match(text, end) or AND_BEFORE.search(before)),
        "person_possession_after": bool(PERSON_POSSESSION_AFTER.match(text, end)),
        "animate_after": bool(ANIMATE_AFTER.match(text, end)),
    }


def name_features(
    text: str,
    key: str,
    occurrences: list[Span],
    lower_count: int,
    vote_share: float = 0.0,
) -> list[float]:
    """The FEATURES vector for one name: the model's labels and the cues, as shares over its occurrences,
    then facts about the name itself."""
    n = len(occurrences)
    values = dict.fromkeys(FEATURES, 0.0)
    values["bias"] = 1.0
    for span in occurrences:
        label = span.label if span.label in MODEL_LABELS else "other"
        values[f"model_{label.lower()}"] += 1 / n
        for cue, present in occurrence_cues(text, span).items():
            values[cue] += present / n
    words = key.split()
    values["log_occurrences"] = math.log1p(n)
    values["given_name"] = float(is_given_name(key))
    values["first_word_given_name"] = float(len(words) > 1 and is_given_name(words[0]))
    values["lower_case_share"] = lower_count / (lower_count + n)
    values["one_word"] = float(len(words) == 1)
    values["three_or_more_words"] = float(len(words) >= 3)
    values["facility_head"] = float(len(words) > 1 and words[-1].lower() in FACILITY_HEADS)
    values["all_capitals"] = float(key.isupper() and len(key) > 1)
    values["vote_person_share"] = vote_share
    values["model_said_person"] = float(any(span.label == "PERSON" for span in occurrences))
    return [values[name] for name in FEATURES]


# The weights are data (data/name_types.json), fitted by benchmarks/fit_name_types.py on the 80 LitBank
# development documents (Bamman et al., CC BY 4.0); the test documents are never seen. Hand-rolled
# because inference is one dot product over 36 numbers and the fit (name_types_fit.py) a few dozen
# lines of NumPy: scikit-learn and SciPy (about 100 MB) would slow every install for no gain.
@functools.cache
def load_weights(path: str) -> dict | None:
    """The fitted model, or None when the file is missing or marked disabled."""
    file = Path(path)
    if not file.is_file():
        return None
    model = json.loads(file.read_text(encoding="utf-8"))
    if not model.get("enabled", True):
        return None
    if tuple(model["features"]) != FEATURES:
        raise ValueError(
            f"{file}: its features do not match nlp/extraction/name_types.py FEATURES; "
            "re-fit it with `python benchmarks/fit_name_types.py --write`"
        )
    return model


def fitted_model() -> dict | None:
    """The model settings.FABULA_NAME_TYPES points at, or None when it is off or missing."""
    path = getattr(settings, "FABULA_NAME_TYPES", None)
    return load_weights(str(path)) if path else None


def person_probability(vector: list[float], one_word: bool) -> tuple[float, float, float] | None:
    """(P(person), threshold, drop threshold) for one name's FEATURES vector, or None when no fitted model
    is configured. Below `threshold` a name with another label (from the model, or a place cue such as "at
    Kellynch Hall") takes that label. A name with no other label is dropped only below a drop threshold,
    lower for a name of several words ("Natalia Makarova") than for one capitalised word, which may be an
    interjection or a common noun opening a sentence ("Hush", "Diamond"). The thresholds were chosen by
    cross-validation on the development documents."""
    model = fitted_model()
    if model is None:
        return None
    score = sum(w * x for w, x in zip(model["weights"], vector, strict=True))
    threshold = model.get("threshold", 0.5)
    drop = model.get("drop_threshold" if one_word else "drop_threshold_multiword", threshold)
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, score)))), threshold, drop
