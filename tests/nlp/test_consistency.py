"""Consistency (consistency.py): one label per name in a story, and the names the model missed."""

from __future__ import annotations

from nlp.extraction.consistency import make_consistent
from nlp.extraction.types import Span
from tests.nlp.helpers import span, surfaces


def test_majority_label_wins_for_a_name_everywhere_in_the_story():
    text = "Noah Kalmurzaeva danced. Noah Kalmurzaeva bowed. Noah Kalmurzaeva smiled."
    spans = [
        span(text, "Noah Kalmurzaeva", "ORG", 0),
        span(text, "Noah Kalmurzaeva", "PERSON", 1),
        span(text, "Noah Kalmurzaeva", "PERSON", 2),
    ]
    assert {label for _, label in surfaces(text, make_consistent(text, spans))} == {"PERSON"}


def test_known_part_of_a_name_is_a_person_and_untagged_mentions_are_tagged():
    text = (
        "Anna Zhunussova was a ballerina. Years later Anna left, and then Anna returned. Moscow loved Anna."
    )
    spans = [
        span(text, "Anna Zhunussova", "PERSON"),
        span(text, "Anna", "GPE", 1),
        span(text, "Moscow", "GPE"),
    ]
    result = surfaces(text, make_consistent(text, spans))
    assert result == [
        ("Anna Zhunussova", "PERSON"),
        ("Anna", "PERSON"),
        ("Anna", "PERSON"),
        ("Moscow", "GPE"),
        ("Anna", "PERSON"),
    ]


def test_a_lone_capitalised_word_opening_a_sentence_is_not_tagged_on_its_own():
    text = "Will Turner sailed. Will you come? Will Turner laughed."
    spans = [span(text, "Will Turner", "PERSON", 0)]
    result = surfaces(text, make_consistent(text, spans))
    assert result == [("Will Turner", "PERSON"), ("Will Turner", "PERSON")]


def test_place_evidence_outweighs_a_person_label():
    text = "He lived in Raveloe. Raveloe was quiet. They dined at Kellynch Hall."
    spans = [
        span(text, "Raveloe", "PERSON", 0),
        span(text, "Raveloe", "PERSON", 1),
        span(text, "Kellynch Hall", "PERSON"),
    ]
    assert surfaces(text, make_consistent(text, spans)) == [
        ("Raveloe", "GPE"),
        ("Raveloe", "GPE"),
        ("Kellynch Hall", "FAC"),
    ]


def test_speech_verbs_and_given_names_are_person_evidence():
    text = (
        "Agnes , a housekeeper , owned it . “ Come , ” said Agnes . Then Cameron laughed , and Cameron ran ."
    )
    spans = [span(text, "Agnes", "LOC", 0), span(text, "Agnes", "LOC", 1), span(text, "Cameron", "ORG", 0)]
    spans.append(span(text, "Cameron", "PERSON", 1))
    assert surfaces(text, make_consistent(text, spans)) == [
        ("Agnes", "PERSON"),
        ("Agnes", "PERSON"),
        ("Cameron", "PERSON"),
        ("Cameron", "PERSON"),
    ]


def test_a_word_the_story_mostly_writes_in_lower_case_is_not_a_person():
    text = "Nay! He said nay, and nay again. Rose smiled; Rose rose. Rose left."
    spans = [span(text, "Nay", "PERSON")] + [span(text, "Rose", "PERSON", k) for k in range(3)]
    assert surfaces(text, make_consistent(text, spans)) == [("Rose", "PERSON")] * 3


def test_rule_spans_are_never_relabelled():
    text = "Swan Lake opened, and Swan Lake closed; she loved Swan Lake."
    spans = [span(text, "Swan Lake", "PERSON", 0), span(text, "Swan Lake", "PERSON", 1)]
    rule = span(text, "Swan Lake", "WORK_OF_ART", 2)
    spans.append(Span(rule.start, rule.end, rule.label, fixed=True))
    assert surfaces(text, make_consistent(text, spans))[-1] == ("Swan Lake", "WORK_OF_ART")


def test_a_title_before_capitalised_words_is_a_person_even_when_the_model_missed_it():
    text = "“ How do you mean , Mr Cotter ? ” asked my aunt. LETTER II MR. VILLARS TO LADY HOWARD"
    assert surfaces(text, make_consistent(text, [])) == [
        ("Mr Cotter", "PERSON"),
        ("MR. VILLARS", "PERSON"),
        ("LADY HOWARD", "PERSON"),
    ]
