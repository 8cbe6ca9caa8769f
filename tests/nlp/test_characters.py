"""Characters (characters.py, names.py): which PERSON mentions name the same person."""

from __future__ import annotations

from nlp.extraction.characters import cluster
from nlp.extraction.names import same_given_name
from nlp.extraction.types import Span
from tests.nlp.helpers import span


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


def test_a_nickname_joins_the_full_name_of_the_same_person():
    text = "Lawrence Lefferts came. Larry Lefferts left."
    clusters, assignment = cluster(
        text, [span(text, "Lawrence Lefferts", "PERSON"), span(text, "Larry Lefferts", "PERSON")]
    )
    assert len(clusters) == 1 and assignment == [0, 0]
