"""extract(): unit tests per module on small constructed texts, then the real pipeline on data/samples."""

from __future__ import annotations

import json

import pytest

from nlp.extraction import extract
from nlp.extraction.boundaries import extend_modifiers
from nlp.extraction.characters import cluster
from nlp.extraction.consistency import make_consistent
from nlp.extraction.gender import gender_of, mention_pronouns
from nlp.extraction.names import same_given_name
from nlp.extraction.rules import RULER_NAME, add_rules, file_patterns
from nlp.extraction.spans import clean
from nlp.extraction.types import Span
from nlp.windows import StoryDocs, pipe_windows
from tests.conftest import SAMPLES_DIR


def span(text: str, surface: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(start, start + len(surface), label)


def surfaces(text: str, spans) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.label) for s in spans]


def story_docs(blank_nlp, text: str, ents: list[tuple[str, str, int]]) -> StoryDocs:
    """A StoryDocs whose single window carries the given (surface, label, nth occurrence) entities."""
    doc = blank_nlp(text)
    doc.ents = [doc.char_span(s.start, s.end, label=s.label) for s in (span(text, *e) for e in ents)]
    return StoryDocs(context=None, text=text, windows=[(0, doc)])


# --- spans.py ------------------------------------------------------------------------------------------


def test_clean_drops_possessives_and_edge_punctuation():
    text = "Victoria Bektemirova's love. “Anna,” she said. Jarndyce 's case."
    spans = [
        span(text, "Victoria Bektemirova's", "PERSON"),
        span(text, "“Anna,”", "PERSON"),
        span(text, "Jarndyce 's", "PERSON"),
    ]
    assert surfaces(text, clean(text, spans)) == [
        ("Victoria Bektemirova", "PERSON"),
        ("Anna", "PERSON"),
        ("Jarndyce", "PERSON"),
    ]


def test_clean_keeps_titles_with_names_and_makes_them_people():
    text = "Her coach, the venerable Madame Petrova, met Mr. Darcy and Sir Walter."
    spans = [span(text, "Petrova", "GPE"), span(text, "Darcy", "PERSON"), span(text, "Walter", "ORG")]
    assert surfaces(text, clean(text, spans)) == [
        ("Madame Petrova", "PERSON"),
        ("Mr. Darcy", "PERSON"),
        ("Sir Walter", "PERSON"),
    ]


def test_clean_mends_a_name_spacy_split_into_unrelated_labels():
    text = "She studied under the legendary Natalia Makarova in 1990."
    spans = [span(text, "Natalia", "GPE"), span(text, "Makarova", "DATE"), span(text, "1990", "DATE")]
    assert surfaces(text, clean(text, spans)) == [("Natalia Makarova", "PERSON"), ("1990", "DATE")]


def test_clean_keeps_the_name_after_an_interjection():
    text = '" True , Florence , but no . " Wal, Beasley! Richmond , Virginia .'
    spans = [span(text, "True , Florence", "WORK_OF_ART"), span(text, "Wal, Beasley", "ORG")]
    spans.append(span(text, "Richmond , Virginia", "GPE"))
    assert surfaces(text, clean(text, spans)) == [
        ("Florence", "WORK_OF_ART"),
        ("Beasley", "ORG"),
        ("Richmond , Virginia", "GPE"),
    ]


def test_clean_drops_person_spans_that_name_nobody():
    text = "The bush moved. Uncle laughed."
    spans = [span(text, "bush", "PERSON"), span(text, "Uncle", "PERSON")]
    assert clean(text, spans) == []


# --- consistency.py ------------------------------------------------------------------------------------


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


# --- characters.py and names.py ------------------------------------------------------------------------


def clusters_of(text: str, names: list[str]) -> list[set[str]]:
    mentions = []
    position = 0
    for name in names:
        start = text.index(name, position)
        mentions.append(Span(start, start + len(name), "PERSON"))
        position = start + len(name)
    found, _ = cluster(text, mentions)
    return [{text[mentions[i].start : mentions[i].end] for i in c.mentions} for c in found]


def test_short_form_joins_its_full_name():
    text = "Anna Zhunussova danced. Anna bowed."
    assert clusters_of(text, ["Anna Zhunussova", "Anna"]) == [{"Anna Zhunussova", "Anna"}]


def test_a_titled_surname_joins_a_full_name_only_with_the_matching_gender():
    text = "Robert Lebrun came; he sat down. Madame Lebrun sewed. Mr. Lebrun read."
    found = clusters_of(text, ["Robert Lebrun", "Madame Lebrun", "Mr. Lebrun"])
    assert found == [{"Robert Lebrun"}, {"Madame Lebrun"}, {"Mr. Lebrun"}]  # Mr and Madame: a family
    text = "Robert Lebrun came; he sat down. Mr. Lebrun read."
    assert clusters_of(text, ["Robert Lebrun", "Mr. Lebrun"]) == [{"Robert Lebrun", "Mr. Lebrun"}]


def test_a_bare_surname_shared_by_a_family_is_the_mans():
    # Charlotte Temple was mentioned last, so "nearest earlier" alone would give her "Temple".
    text = "Mr. Temple rode home. Charlotte Temple wept. Temple came in and said nothing."
    found = clusters_of(text, ["Mr. Temple", "Charlotte Temple", "Temple"])
    assert found == [{"Charlotte Temple"}, {"Mr. Temple", "Temple"}]
    # With no "Mr." in the family the nearest earlier mention still decides.
    text = "Lucy Temple read. Charlotte Temple wept. Temple came in."
    assert clusters_of(text, ["Lucy Temple", "Charlotte Temple", "Temple"]) == [
        {"Lucy Temple"},
        {"Charlotte Temple", "Temple"},
    ]


def test_the_same_title_links_a_surname_to_its_full_name_even_in_a_family():
    text = "Mr. Peter Pett sighed. Mrs. Pett spoke. Mr. Pett listened."
    found = clusters_of(text, ["Mr. Peter Pett", "Mrs. Pett", "Mr. Pett"])
    assert found == [{"Mr. Peter Pett", "Mr. Pett"}, {"Mrs. Pett"}]


def test_people_sharing_a_surname_are_never_merged():
    text = "Mr. Bennet spoke to Mrs. Bennet. Elizabeth Bennet and Jane Bennet listened. Elizabeth smiled."
    found = clusters_of(text, ["Mr. Bennet", "Mrs. Bennet", "Elizabeth Bennet", "Jane Bennet", "Elizabeth"])
    assert {frozenset(c) for c in found} == {
        frozenset({"Mr. Bennet"}),
        frozenset({"Mrs. Bennet"}),
        frozenset({"Jane Bennet"}),
        frozenset({"Elizabeth Bennet", "Elizabeth"}),
    }


def test_titles_and_nicknames_join_the_one_full_name_they_fit():
    text = "Fitzwilliam Darcy arrived; he bowed. Mr. Darcy sat. Elizabeth Bennet laughed. Lizzy, said he."
    found = clusters_of(text, ["Fitzwilliam Darcy", "Mr. Darcy", "Elizabeth Bennet", "Lizzy"])
    assert found == [{"Fitzwilliam Darcy", "Mr. Darcy"}, {"Elizabeth Bennet", "Lizzy"}]
    assert same_given_name("Lizzy", "Elizabeth") and not same_given_name("Anna", "Elizabeth")


# --- gender.py -----------------------------------------------------------------------------------------


def test_gender_comes_from_pronouns_and_titles_never_from_first_names():
    text = "Noah stepped on stage; her smile shone. Noah bowed and she left. Mr. Ruskin wrote. Tom slept."
    mentions = [span(text, "Noah", "PERSON", 0), span(text, "Noah", "PERSON", 1)]
    mentions += [span(text, "Mr. Ruskin", "PERSON"), span(text, "Tom", "PERSON")]
    pronouns = mention_pronouns(text, mentions)
    assert pronouns == ["female", "female", None, None]
    assert gender_of(text, mentions, [0, 1], pronouns) == "female"
    assert gender_of(text, mentions, [2], pronouns) == "male"
    assert gender_of(text, mentions, [3], pronouns) == "unknown"


# --- rules.py ------------------------------------------------------------------------------------------


def test_patterns_are_read_from_jsonl_files_with_clear_errors(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        '{"label": "WORK_OF_ART", "pattern": "Giselle"}\n// a comment\n\n', encoding="utf-8"
    )
    assert file_patterns(tmp_path) == [{"label": "WORK_OF_ART", "pattern": "Giselle"}]
    (tmp_path / "b.jsonl").write_text('{"label": "WORK_OF_ART"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"b\.jsonl:1: needs \"label\" and \"pattern\""):
        file_patterns(tmp_path)


def test_rule_layer_overrides_the_model_inside_the_pipeline(blank_nlp, settings, tmp_path):
    import spacy

    (tmp_path / "works.jsonl").write_text(
        json.dumps({"label": "WORK_OF_ART", "pattern": "Swan Lake"}) + "\n", encoding="utf-8"
    )
    nlp = add_rules(spacy.blank("en"), file_patterns(tmp_path))
    assert RULER_NAME in nlp.pipe_names
    text = "Tonight's Swan Lake was her last."
    result = extract(StoryDocs(context=None, text=text, windows=[(0, nlp(text))]))
    assert surfaces(text, result.spans) == [("Swan Lake", "WORK_OF_ART")]


# --- extract() on constructed docs ---------------------------------------------------------------------


def test_extract_links_person_spans_to_characters_protagonist_first(blank_nlp):
    text = (
        "Madame Petrova taught Anna Zhunussova. Anna danced; she was tired, and Anna slept. "
        "Petrova's class ended."
    )
    docs = story_docs(
        blank_nlp,
        text,
        [
            ("Petrova", "GPE", 0),
            ("Anna Zhunussova", "PERSON", 0),
            ("Anna", "PERSON", 1),
            ("Petrova", "ORG", 1),
        ],
    )
    result = extract(docs)
    assert [c.name for c in result.characters] == ["Anna Zhunussova", "Madame Petrova"]
    assert result.characters[0].aliases == ["Anna"] and result.characters[0].gender == "female"
    rows = [(text[s.start : s.end], s.label, s.character) for s in result.spans]
    assert rows == [
        ("Madame Petrova", "PERSON", 1),
        ("Anna Zhunussova", "PERSON", 0),
        ("Anna", "PERSON", 0),
        ("Anna", "PERSON", 0),  # untagged by the model, tagged as a known name
        ("Petrova", "PERSON", 1),
    ]


# --- boundaries.py -------------------------------------------------------------------------------------


def test_person_spans_grow_over_the_words_that_describe_them():
    text = (
        "Then old Pontifex met the late John Astor and my dear Watson. Dear Judy : her sister Celia saw "
        "the poet Syme, the amiable Miss Sedley and uncle Charles."
    )
    names = ["Pontifex", "John Astor", "Watson", "Judy", "Celia", "Syme", "Miss Sedley", "Charles"]
    spans = [span(text, name, "PERSON") for name in names]
    assert [text[s.start : s.end] for s in extend_modifiers(text, spans)] == [
        "old Pontifex",
        "the late John Astor",
        "Watson",  # "my dear X" is how one speaks to someone, not part of the name
        "Dear Judy",
        "Celia",  # a relation ("her sister"), not a title
        "Syme",  # a noun, not a describing word
        "the amiable Miss Sedley",
        "uncle Charles",
    ]


def test_person_spans_lose_words_that_are_not_names():
    text = "Stephen answered. Sometimes Dick strayed in. CHAPTER I. Down went Alice."
    spans = [
        span(text, "Stephen answered", "PERSON"),
        span(text, "Sometimes Dick", "PERSON"),
        span(text, "CHAPTER I. Down", "PERSON"),
    ]
    assert surfaces(text, clean(text, spans)) == [("Stephen", "PERSON"), ("Dick", "PERSON")]


def test_a_title_before_capitalised_words_is_a_person_even_when_the_model_missed_it():
    text = "“ How do you mean , Mr Cotter ? ” asked my aunt. LETTER II MR. VILLARS TO LADY HOWARD"
    assert surfaces(text, make_consistent(text, [])) == [
        ("Mr Cotter", "PERSON"),
        ("MR. VILLARS", "PERSON"),
        ("LADY HOWARD", "PERSON"),
    ]


def test_a_widened_span_keeps_the_character_of_its_name(blank_nlp):
    text = "Mr Pontifex smiled. Then old Pontifex laughed, and he left."
    docs = story_docs(blank_nlp, text, [("Pontifex", "PERSON", 1)])
    result = extract(docs)
    rows = [(text[s.start : s.end], result.characters[s.character].name) for s in result.spans]
    assert rows == [("Mr Pontifex", "Mr Pontifex"), ("old Pontifex", "Mr Pontifex")]
    assert result.characters[0].gender == "male"


def test_a_nickname_joins_the_full_name_of_the_same_person():
    text = "Lawrence Lefferts came. Larry Lefferts left."
    clusters, assignment = cluster(
        text, [span(text, "Lawrence Lefferts", "PERSON"), span(text, "Larry Lefferts", "PERSON")]
    )
    assert len(clusters) == 1 and assignment == [0, 0]


# --- the real pipeline on the samples ------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(nlp):
    texts = [(p.read_text(encoding="utf-8"), p.name) for p in sorted(SAMPLES_DIR.glob("*.txt"))]
    return {sd.context: (sd.text, extract(sd)) for sd in pipe_windows(texts, nlp=nlp)}


def labelled(sample, surface: str) -> set[str]:
    text, result = sample
    return {s.label for s in result.spans if text[s.start : s.end] == surface}


def character(sample, name: str):
    return next(c for c in sample[1].characters if c.name == name)


def test_samples_offsets_are_exact_and_clean(samples):
    for text, result in samples.values():
        for s in result.spans:
            surface = text[s.start : s.end]
            assert surface == surface.strip() and not surface.endswith(("'s", "’s", ",", "."))


def test_samples_anna_is_one_character_and_the_protagonist(samples):
    sample = samples["001_b126eebb701a6029.txt"]
    anna = sample[1].characters[0]
    assert anna.name == "Anna Zhunussova" and anna.aliases == ["Anna"] and anna.gender == "female"
    text, result = sample
    assert {s.character for s in result.spans if text[s.start : s.end] in {"Anna", "Anna Zhunussova"}} == {0}


def test_samples_noah_is_female_person_and_madame_petrova_keeps_her_title(samples):
    sample = samples["003_82bd803467e94874.txt"]
    assert labelled(sample, "Noah Kalmurzaeva") == {"PERSON"}
    noah = sample[1].characters[0]
    assert noah.name == "Noah Kalmurzaeva" and noah.gender == "female"
    assert character(sample, "Madame Petrova").gender == "female"


def test_samples_possessives_dropped_and_victoria_first(samples):
    text, result = samples["004_c36f7fb160905074.txt"]
    assert result.characters[0].name == "Victoria Bektemirova"
    assert "Victoria Bektemirova's" not in {text[s.start : s.end] for s in result.spans}


def test_samples_issue_examples_are_fixed(samples):
    assert labelled(samples["000_4e5102402ef939e4.txt"], "Swan Lake") == {"WORK_OF_ART"}
    ballet = samples["002_3644c97cb6daeaa2.txt"]
    assert labelled(ballet, "Swan Lake") == {"WORK_OF_ART"}
    assert labelled(ballet, "La Sylphide") == {"WORK_OF_ART"}
    assert labelled(ballet, "Natalia Makarova") == {"PERSON"}
    assert labelled(ballet, "Natalia") == labelled(ballet, "Makarova") == set()


def test_windows_give_the_same_extraction_as_one_piece(nlp):
    path = SAMPLES_DIR / "001_b126eebb701a6029.txt"
    text = path.read_text(encoding="utf-8")
    whole = extract(next(pipe_windows([(text, 1)], nlp=nlp)))
    windowed_docs = next(pipe_windows([(text, 1)], nlp=nlp, window_chars=600))
    assert len(windowed_docs.windows) > 3
    windowed = extract(windowed_docs)
    assert [(c.name, c.gender) for c in windowed.characters] == [(c.name, c.gender) for c in whole.characters]
    for s in windowed.spans:
        assert text[s.start : s.end].strip() == text[s.start : s.end] != ""


def test_the_pipeline_runs_the_rule_layer_and_drops_tensors(nlp):
    assert nlp.pipe_names[-2:] == ["fabula_rules", "fabula_release_tensor"]
    doc = nlp("Anna Petrova danced Swan Lake in Moscow.")
    assert doc.tensor.size == 0
    assert [(e.text, e.label_) for e in doc.ents if e.label_ == "WORK_OF_ART"] == [
        ("Swan Lake", "WORK_OF_ART")
    ]
