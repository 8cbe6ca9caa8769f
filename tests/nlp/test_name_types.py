"""The learned person-or-not model for names: features, weight loading, its use in the label vote, its fit."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import numpy as np
import pytest

from nlp.extraction.consistency import VOTING_LABELS, make_consistent, vote_labels
from nlp.extraction.cues import name_key
from nlp.extraction.name_types import FEATURES, load_weights, name_features, person_probability
from nlp.extraction.name_types_fit import fit
from nlp.extraction.types import Span
from tests.nlp.helpers import span, surfaces

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "name_types.json"


def features_of(text: str, key: str, occurrences: list[Span], lower_count: int = 0, vote_share: float = 0.0):
    vector = name_features(text, key, occurrences, lower_count, vote_share)
    assert len(vector) == len(FEATURES)
    return dict(zip(FEATURES, vector, strict=True))


def write_model(directory: Path, bias: float, name: str = "model.json", **fields) -> str:
    """A weights file whose weights are all zero but the bias: P(person) = sigmoid(bias) for every name."""
    model = {
        "enabled": True,
        "threshold": 0.5,
        "drop_threshold": 0.5,
        "drop_threshold_multiword": 0.5,
        "features": list(FEATURES),
        "weights": [bias] + [0.0] * (len(FEATURES) - 1),
    }
    model.update(fields)
    path = directory / name
    path.write_text(json.dumps(model), encoding="utf-8")
    return str(path)


@pytest.fixture(autouse=True)
def _fresh_weights_cache():
    """load_weights is cached by path: start and end every test with an empty cache."""
    load_weights.cache_clear()
    yield
    load_weights.cache_clear()


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# --- name_features --------------------------------------------------------------------------------------


def test_features_are_shares_over_occurrences_then_facts_about_the_name():
    text = "Mr. Darcy said nothing. She took Darcy 's hand and left."
    occurrences = [span(text, "Mr. Darcy", "PERSON"), span(text, "Darcy", "PERSON", 1)]
    f = features_of(text, "Darcy", occurrences, lower_count=2, vote_share=0.75)
    assert f["bias"] == 1.0
    assert f["model_person"] == 1.0
    assert f["model_gpe"] == 0.0
    assert f["title"] == 0.5  # "Mr. Darcy" only
    assert f["speech"] == 0.5  # "Darcy said"
    assert f["animate_after"] == 0.5  # "said" is also something people do
    assert f["possessive_after"] == 0.5  # "Darcy 's"
    assert f["person_possession_after"] == 0.5  # "'s hand"
    assert f["sentence_initial"] == 0.5  # "Mr. Darcy" opens the text
    assert f["place_preposition_before"] == 0.0
    assert f["log_occurrences"] == pytest.approx(math.log(3))
    assert f["lower_case_share"] == pytest.approx(2 / (2 + 2))
    assert f["one_word"] == 1.0
    assert f["three_or_more_words"] == 0.0
    assert f["facility_head"] == 0.0
    assert f["all_capitals"] == 0.0
    assert f["vote_person_share"] == 0.75
    assert f["model_said_person"] == 1.0


def test_features_record_the_model_labels_places_and_the_shape_of_the_name():
    text = "They dined at Kellynch Hall. The park of Kellynch Hall was wide. DARCY came in."
    hall = [span(text, "Kellynch Hall", "FAC"), span(text, "Kellynch Hall", "GPE", 1)]
    f = features_of(text, "Kellynch Hall", hall, lower_count=0)
    assert f["model_fac"] == 0.5
    assert f["model_gpe"] == 0.5
    assert f["model_person"] == 0.0
    assert f["model_said_person"] == 0.0
    assert f["place_preposition_before"] == 0.5  # "at Kellynch Hall"
    assert f["of_before"] == 0.5  # "of Kellynch Hall"
    assert f["facility_head"] == 1.0
    assert f["one_word"] == 0.0
    assert f["lower_case_share"] == 0.0
    assert f["given_name"] == 0.0  # only one-word names are looked up
    capitals = features_of(text, "DARCY", [span(text, "DARCY", "EVENT")])
    assert capitals["all_capitals"] == 1.0
    assert capitals["model_other"] == 1.0  # EVENT is not one of the model labels
    assert capitals["sentence_initial"] == 1.0


def test_features_know_given_names_and_long_names():
    text = "Anne walked. Anne Elliot laughed. Sir Walter Elliot Kellynch frowned."
    assert features_of(text, "Anne", [span(text, "Anne", "PERSON")])["given_name"] == 1.0
    two = features_of(text, "Anne Elliot", [span(text, "Anne Elliot", "PERSON")])
    assert (two["given_name"], two["first_word_given_name"], two["one_word"]) == (0.0, 1.0, 0.0)
    three = features_of(text, "Walter Elliot Kellynch", [span(text, "Sir Walter Elliot Kellynch", "PERSON")])
    assert three["three_or_more_words"] == 1.0
    assert three["title"] == 1.0


# --- load_weights / person_probability ------------------------------------------------------------------


def test_no_model_when_the_setting_is_empty(settings):
    settings.FABULA_NAME_TYPES = ""
    assert person_probability([0.0] * len(FEATURES), one_word=True) is None


def test_no_model_when_the_file_is_missing(settings, tmp_path):
    settings.FABULA_NAME_TYPES = str(tmp_path / "nowhere.json")
    assert person_probability([0.0] * len(FEATURES), one_word=True) is None


def test_no_model_when_the_file_is_disabled(settings, tmp_path):
    settings.FABULA_NAME_TYPES = write_model(tmp_path, 5.0, enabled=False)
    assert load_weights(settings.FABULA_NAME_TYPES) is None
    assert person_probability([0.0] * len(FEATURES), one_word=True) is None


def test_features_that_do_not_match_ask_for_a_refit(settings, tmp_path):
    wrong = list(FEATURES[:-1])  # the file predates the newest feature
    settings.FABULA_NAME_TYPES = write_model(tmp_path, 0.0, features=wrong, weights=[0.0] * len(wrong))
    with pytest.raises(ValueError, match="fit_name_types.py"):
        person_probability([0.0] * len(FEATURES), one_word=True)
    reordered = list(reversed(FEATURES))
    with pytest.raises(ValueError, match="fit_name_types.py"):
        load_weights(write_model(tmp_path, 0.0, name="reordered.json", features=reordered))


def test_probability_and_the_drop_threshold_for_one_and_several_words(settings, tmp_path):
    settings.FABULA_NAME_TYPES = write_model(
        tmp_path, 1.0, threshold=0.6, drop_threshold=0.8, drop_threshold_multiword=0.3
    )
    vector = [1.0] + [0.0] * (len(FEATURES) - 1)
    p, threshold, drop = person_probability(vector, one_word=True)
    assert p == pytest.approx(sigmoid(1.0))
    assert (threshold, drop) == (0.6, 0.8)
    assert person_probability(vector, one_word=False)[1:] == (0.6, 0.3)


def test_missing_thresholds_default_to_the_threshold_and_scores_are_clamped(settings, tmp_path):
    path = write_model(tmp_path, 1000.0)
    model = json.loads(Path(path).read_text())
    for key in ("threshold", "drop_threshold", "drop_threshold_multiword"):
        del model[key]
    Path(path).write_text(json.dumps(model))
    settings.FABULA_NAME_TYPES = path
    p, threshold, drop = person_probability([1.0] + [0.0] * (len(FEATURES) - 1), one_word=False)
    assert (threshold, drop) == (0.5, 0.5)
    assert p == pytest.approx(sigmoid(30.0))  # no overflow from a huge score


def test_a_vector_of_the_wrong_length_is_an_error(settings, tmp_path):
    settings.FABULA_NAME_TYPES = write_model(tmp_path, 0.0)
    with pytest.raises(ValueError):
        person_probability([1.0, 0.0], one_word=True)


def test_weights_are_cached_by_path(tmp_path):
    path = write_model(tmp_path, 1.0)
    assert load_weights(path)["weights"][0] == 1.0
    write_model(tmp_path, 2.0)  # same path: the cached model is served until the cache is cleared
    assert load_weights(path)["weights"][0] == 1.0
    load_weights.cache_clear()
    assert load_weights(path)["weights"][0] == 2.0


# --- the model inside make_consistent -------------------------------------------------------------------

# "Zembla": one word, no title, not a given name, never written in lower case, no cue either way.
ZEMBLA = "Zembla lay quiet. The hills of Zembla were green. Zembla waited."


def zembla_spans(labels: tuple[str, str, str]) -> list[Span]:
    return [span(ZEMBLA, "Zembla", label, nth) for nth, label in enumerate(labels)]


def test_a_confident_model_makes_a_mixed_name_a_person_everywhere(settings, tmp_path):
    settings.FABULA_NAME_TYPES = write_model(tmp_path, 5.0, threshold=0.7)
    result = make_consistent(ZEMBLA, zembla_spans(("GPE", "PERSON", "GPE")))
    assert surfaces(ZEMBLA, result) == [("Zembla", "PERSON")] * 3


def test_a_doubtful_model_gives_a_mixed_name_its_best_other_label(settings, tmp_path):
    settings.FABULA_NAME_TYPES = write_model(tmp_path, -5.0, threshold=0.7)
    result = make_consistent(ZEMBLA, zembla_spans(("GPE", "PERSON", "LOC")))
    # GPE holds 1 vote, LOC 1: the first-counted of the tied non-PERSON labels (GPE) wins.
    assert surfaces(ZEMBLA, result) == [("Zembla", "GPE")] * 3
    result = make_consistent(ZEMBLA, zembla_spans(("LOC", "PERSON", "GPE")))
    assert surfaces(ZEMBLA, result) == [("Zembla", "LOC")] * 3


def test_the_threshold_is_inclusive(settings, tmp_path):
    settings.FABULA_NAME_TYPES = write_model(tmp_path, 0.0, threshold=0.5)  # p == 0.5 exactly
    result = make_consistent(ZEMBLA, zembla_spans(("GPE", "PERSON", "GPE")))
    assert {label for _, label in surfaces(ZEMBLA, result)} == {"PERSON"}


def test_a_doubtful_model_drops_a_one_word_name_only_called_person(settings, tmp_path):
    settings.FABULA_NAME_TYPES = write_model(tmp_path, -5.0, drop_threshold=0.5)
    assert make_consistent(ZEMBLA, zembla_spans(("PERSON",) * 3)) == []


def test_a_confident_model_keeps_a_name_only_called_person(settings, tmp_path):
    settings.FABULA_NAME_TYPES = write_model(tmp_path, 2.0, threshold=0.95, drop_threshold=0.8)
    # p = 0.88: below `threshold`, but a PERSON-only name answers to the drop threshold.
    result = make_consistent(ZEMBLA, zembla_spans(("PERSON",) * 3))
    assert surfaces(ZEMBLA, result) == [("Zembla", "PERSON")] * 3


def test_the_drop_threshold_is_lower_for_names_of_several_words(settings, tmp_path):
    text = "Velmar Quorn waited. Ostrig waited. Velmar Quorn left. Ostrig left."
    spans = sorted(
        [span(text, "Velmar Quorn", "PERSON", n) for n in (0, 1)]
        + [span(text, "Ostrig", "PERSON", n) for n in (0, 1)],
        key=lambda s: s.start,
    )
    settings.FABULA_NAME_TYPES = write_model(tmp_path, -5.0, drop_threshold=0.9, drop_threshold_multiword=0.0)
    assert surfaces(text, make_consistent(text, spans)) == [("Velmar Quorn", "PERSON")] * 2


def test_place_evidence_counts_as_another_label_for_the_model(settings, tmp_path):
    """Only ever tagged PERSON, but "at ... Hall" votes FAC: the threshold decides, and a doubtful model
    gives the facility label rather than dropping the name."""
    text = "They dined at Kellynch Hall. Kellynch Hall was cold."
    spans = [span(text, "Kellynch Hall", "PERSON", 0), span(text, "Kellynch Hall", "PERSON", 1)]
    settings.FABULA_NAME_TYPES = write_model(tmp_path, -5.0, drop_threshold_multiword=0.0)
    assert surfaces(text, make_consistent(text, spans)) == [("Kellynch Hall", "FAC")] * 2


def test_rule_spans_and_non_name_labels_are_left_to_themselves(settings, tmp_path):
    text = "Zembla lay quiet in 1820. Zembla waited."
    spans = [
        Span(0, 6, "GPE", fixed=True),
        span(text, "1820", "DATE"),
        span(text, "Zembla", "PERSON", 1),
    ]
    settings.FABULA_NAME_TYPES = write_model(tmp_path, -5.0, drop_threshold=0.5)
    assert surfaces(text, vote_labels(text, spans)) == [("Zembla", "GPE"), ("1820", "DATE")]


def test_without_a_model_the_hand_weighted_vote_decides(settings, tmp_path):
    labels = ("GPE", "PERSON", "GPE")
    settings.FABULA_NAME_TYPES = ""
    # The vote: PERSON has 1 of 3 votes, under the 40% a name the model once called PERSON needs.
    assert surfaces(ZEMBLA, make_consistent(ZEMBLA, zembla_spans(labels))) == [("Zembla", "GPE")] * 3
    settings.FABULA_NAME_TYPES = write_model(tmp_path, 5.0)
    assert surfaces(ZEMBLA, make_consistent(ZEMBLA, zembla_spans(labels))) == [("Zembla", "PERSON")] * 3


def test_without_a_model_a_person_only_name_is_kept_that_a_doubtful_model_drops(settings, tmp_path):
    spans = zembla_spans(("PERSON",) * 3)
    settings.FABULA_NAME_TYPES = ""
    assert surfaces(ZEMBLA, make_consistent(ZEMBLA, spans)) == [("Zembla", "PERSON")] * 3
    settings.FABULA_NAME_TYPES = write_model(tmp_path, -5.0)
    assert make_consistent(ZEMBLA, spans) == []


# --- the shipped weights --------------------------------------------------------------------------------


def test_the_shipped_weights_match_the_features_and_say_where_they_come_from(settings):
    model = load_weights(str(SHIPPED))
    assert model is not None, "data/name_types.json is missing or disabled"
    assert tuple(model["features"]) == FEATURES
    assert len(model["weights"]) == len(FEATURES)
    assert all(math.isfinite(w) for w in model["weights"])
    for key in ("threshold", "drop_threshold", "drop_threshold_multiword"):
        assert 0 < model[key] < 1
    data = model["provenance"]["data"]
    assert "LitBank" in data
    assert "CC BY 4.0" in data
    assert "test never read" in data
    assert Path(settings.FABULA_NAME_TYPES).resolve() == SHIPPED  # the default setting points at it


def test_the_shipped_weights_tell_a_titled_speaker_from_a_place(settings):
    settings.FABULA_NAME_TYPES = str(SHIPPED)
    text = (
        'Mr. Darcy said nothing. " Darcy , wait ! " she cried. Darcy smiled. Darcy \'s hand shook. '
        "They lived in Kellynch Hall. The gardens of Kellynch Hall were wide."
    )
    darcy = [span(text, "Mr. Darcy", "PERSON")] + [span(text, "Darcy", "PERSON", n) for n in (1, 2, 3)]
    hall = [span(text, "Kellynch Hall", "FAC"), span(text, "Kellynch Hall", "PERSON", 1)]
    p_darcy, threshold, _ = person_probability(name_features(text, "Darcy", darcy, 0, 1.0), one_word=True)
    p_hall, _, _ = person_probability(name_features(text, "Kellynch Hall", hall, 0, 0.2), one_word=False)
    assert p_darcy >= threshold > p_hall


# --- name_types_fit.py: fit ---------------------------------------------------------------------------


def test_fit_learns_the_informative_feature():
    rng = np.random.default_rng(0)
    signal = rng.normal(size=200)
    noise = rng.normal(size=200)
    x = np.column_stack([np.ones(200), signal, noise])
    y = (signal > 0).astype(float) * 0.9 + 0.05  # soft targets: 0.95 or 0.05
    beta = fit(x, y, np.ones(200), 1.0)
    assert beta.shape == (3,)
    assert beta[1] > 1.0
    assert abs(beta[2]) < 0.5 * beta[1]
    predicted = 1 / (1 + np.exp(-(x @ beta)))
    assert ((predicted > 0.5) == (signal > 0)).mean() > 0.95


def test_fit_weights_rows_and_takes_soft_targets():
    # One bias column: the fitted probability is the weighted mean target, 3 x 1.0 against 1 x 0.0.
    beta = fit(np.ones((2, 1)), np.array([1.0, 0.0]), np.array([3.0, 1.0]), 1.0)
    assert beta[0] == pytest.approx(math.log(3), abs=1e-6)
    beta = fit(np.ones((1, 1)), np.array([0.2]), np.array([5.0]), 1.0)
    assert beta[0] == pytest.approx(math.log(0.2 / 0.8), abs=1e-6)


def test_fit_does_not_shrink_the_bias():
    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(50), rng.normal(size=(50, 3))])
    y = np.full(50, 0.95)
    beta = fit(x, y, np.ones(50), 1e6)
    assert beta[0] == pytest.approx(math.log(0.95 / 0.05), abs=1e-3)  # the bias is free
    assert np.abs(beta[1:]).max() < 1e-3  # everything else is penalised to nothing


# --- a property of vote_labels --------------------------------------------------------------------------

STORY = (
    "Zembla lay quiet. Anne Elliot walked to Kellynch Hall, said Mr. Darcy. Darcy 's hand shook. "
    "In Raveloe the hills were green, and Zembla waited for Anne. DARCY left in 1820. Velmar Quorn smiled."
)
WORDS = [m.span() for m in re.finditer(r"[\w']+", STORY)]
LABELS = ("PERSON", "PERSON", "GPE", "LOC", "FAC", "ORG", "NORP", "WORK_OF_ART", "EVENT", "DATE")


def random_spans(rng: random.Random) -> list[Span]:
    """Sorted, non-overlapping spans of one to three words with random labels, a few of them fixed."""
    spans, i = [], 0
    while i < len(WORDS):
        if rng.random() < 0.45:
            length = rng.choice((1, 1, 2, 3))
            last = min(i + length, len(WORDS)) - 1
            spans.append(Span(WORDS[i][0], WORDS[last][1], rng.choice(LABELS), fixed=rng.random() < 0.1))
            i = last + 1
        i += 1
    return spans


@pytest.mark.parametrize("model", ["shipped", "vote", "confident", "doubtful"])
def test_vote_labels_keeps_a_subset_of_the_spans_with_one_label_per_name(settings, tmp_path, model):
    settings.FABULA_NAME_TYPES = {
        "shipped": str(SHIPPED),
        "vote": "",
        "confident": write_model(tmp_path, 5.0),
        "doubtful": write_model(tmp_path, -5.0, name="doubtful.json"),
    }[model]
    rng = random.Random(20261121)
    for _ in range(40):
        spans = random_spans(rng)
        result = vote_labels(STORY, spans)
        offsets = {(s.start, s.end) for s in spans}
        assert {(s.start, s.end) for s in result} <= offsets
        ordered = sorted(result, key=lambda s: s.start)
        assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:], strict=False))
        # Rule spans and labels outside the vote come through untouched.
        kept = set(result)
        assert all(s in kept for s in spans if s.fixed or s.label not in VOTING_LABELS)
        # Everything else: one name, one label, and only a voting label.
        by_name: dict[str, set[str]] = {}
        for s in result:
            if not s.fixed and s.label in VOTING_LABELS:
                by_name.setdefault(name_key(STORY, s), set()).add(s.label)
        assert all(len(labels) == 1 for labels in by_name.values()), by_name
