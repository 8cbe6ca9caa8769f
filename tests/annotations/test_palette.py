"""The default label palette: readable, never near-twins, and told apart with colour-blindness too.

Distances are CIEDE2000 (coloraide); colour-blindness is simulated with coloraide's deutan and protan
filters. The thresholds are what light backgrounds under dark text allow: the old palette fails them.
"""

from __future__ import annotations

import itertools

import pytest
from coloraide import Color

from annotations.models import Label

pytestmark = pytest.mark.django_db

SHOWN_APART_WITH_CVD = 8  # the eight labels with keys, as seen with deuteranopia and protanopia
ALL_APART = 9  # every default label, in normal vision
TEXT_CONTRAST = 7  # against the #111111 text drawn on entity backgrounds (annotations.rendering)


def distance(a: str, b: str, vision: str | None = None) -> float:
    first, second = Color(a), Color(b)
    if vision:
        first, second = first.filter(vision), second.filter(vision)
    return first.delta_e(second, method="2000")


def test_every_default_label_has_its_own_colour_far_from_the_others():
    colours = dict(Label.objects.values_list("name", "color"))
    assert len(colours) == 18 and len(set(colours.values())) == 18
    close = [
        (a, b) for a, b in itertools.combinations(colours, 2) if distance(colours[a], colours[b]) < ALL_APART
    ]
    assert close == []


def test_labels_with_keys_stay_apart_for_colour_blind_editors():
    shown = dict(Label.objects.filter(shown=True).values_list("name", "color"))
    assert len(shown) == 8
    for vision in ("deutan", "protan"):
        close = [
            (a, b)
            for a, b in itertools.combinations(shown, 2)
            if distance(shown[a], shown[b], vision) < SHOWN_APART_WITH_CVD
        ]
        assert close == [], vision


def test_dark_text_stays_readable_on_every_default_colour():
    for name, colour in Label.objects.values_list("name", "color"):
        assert Color(colour).contrast("#111111") >= TEXT_CONTRAST, name


def test_the_old_palette_would_fail():
    old = ["#ffd6a5", "#bde0fe", "#caffbf", "#d0f4de", "#e4c1f9", "#fde4cf", "#ffc8dd", "#fbf8cc"]
    worst = min(distance(a, b, "deutan") for a, b in itertools.combinations(old, 2))
    assert worst < SHOWN_APART_WITH_CVD
