"""Agreement (nlp/agreement.py) on hand-made cases; every expected figure is worked out in the comments."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from nlp.agreement import (
    StoryLayers,
    TagSet,
    agreement,
    bio_tags,
    krippendorff_alpha,
    span_matches,
    token_bounds,
)

# Ten tokens: Anna | Petrova | met | Boris | in | Paris | with | Olga | yesterday | .
TEXT = "Anna Petrova met Boris in Paris with Olga yesterday ."


def at(word: str, label: str, text: str = TEXT) -> tuple[int, int, str]:
    start = text.index(word)
    return start, start + len(word), label


# a:  B-PER I-PER O     B-PER O B-GPE O O     O O
# b:  B-PER O     O     B-PER O B-PER O B-PER O O
A = [at("Anna Petrova", "PERSON"), at("Boris", "PERSON"), at("Paris", "GPE")]
B = [at("Anna", "PERSON"), at("Boris", "PERSON"), at("Paris", "PERSON"), at("Olga", "PERSON")]


def tags_of(text: str, spans) -> list[str]:
    tags = TagSet()
    codes = bio_tags(next(token_bounds([text])), spans, tags)
    return [tags.name(int(c)) for c in codes]


def test_tokens_are_spacys_without_whitespace():
    starts, ends = next(token_bounds(["Mr. Smith's  sun-kissed\n\nday."]))
    words = ["Mr. Smith's  sun-kissed\n\nday."[s:e] for s, e in zip(starts, ends, strict=True)]
    assert words == ["Mr.", "Smith", "'s", "sun", "-", "kissed", "day", "."]


def test_bio_tags_of_the_known_case():
    assert tags_of(TEXT, A) == ["B-PERSON", "I-PERSON", "O", "B-PERSON", "O", "B-GPE", "O", "O", "O", "O"]
    assert tags_of(TEXT, B) == ["B-PERSON", "O", "O", "B-PERSON", "O", "B-PERSON", "O", "B-PERSON", "O", "O"]


def test_a_span_tags_every_token_it_touches_and_the_first_span_wins_a_token():
    # "nna Pe" touches Anna and Petrova; the nested GPE over "Petrova" finds its token taken.
    spans = [(1, 7, "PERSON"), at("Petrova", "GPE"), (4, 5, "ORG")]
    assert tags_of(TEXT, spans)[:3] == ["B-PERSON", "I-PERSON", "O"]


class TestKnownPair:
    """The ten-token case, worked out by hand."""

    def setup_method(self):
        self.result = agreement([StoryLayers(1, TEXT, {"b": B, "a": A}, title="Known")])
        self.pair = self.result.pairs[0]

    def test_pair_is_ordered_and_counts_tokens(self):
        assert (self.pair.a, self.pair.b) == ("a", "b")
        assert (self.pair.figures.tokens, self.pair.figures.stories) == (10, 1)

    def test_span_f1(self):
        # Exact: only Boris/PERSON matches; 2·1 / (3 + 4) = 2/7.
        # Overlap: Anna Petrova ~ Anna and Boris ~ Boris (Paris differs in label): 2·2 / 7 = 4/7.
        spans = self.pair.figures.spans
        assert (spans.a, spans.b, spans.exact, spans.overlap) == (3, 4, 1, 2)
        assert self.pair.figures.exact_f1 == pytest.approx(2 / 7)
        assert self.pair.figures.overlap_f1 == pytest.approx(4 / 7)

    def test_cohen_kappa(self):
        # Tokens agree on 7 of 10 (all but Petrova, Paris, Olga): p_o = 0.7.
        # Marginals a: B-PER 2, I-PER 1, B-GPE 1, O 6; b: B-PER 4, O 6.
        # p_e = (2·4 + 6·6) / 100 = 0.44; κ = (0.7 − 0.44) / (1 − 0.44) = 0.26 / 0.56 = 13/28.
        assert self.pair.figures.kappa == pytest.approx(13 / 28)

    def test_krippendorff_alpha(self):
        # 20 values: B-PER 6, I-PER 1, B-GPE 1, O 12. 3 disagreeing tokens give 6 ordered mismatched pairs.
        # α = 1 − (n − 1)·6 / (n² − Σ n_c²) = 1 − 19·6 / (400 − 36 − 1 − 1 − 144) = 1 − 114/218 = 52/109.
        assert self.pair.figures.alpha == pytest.approx(52 / 109)

    def test_per_label(self):
        person, gpe = self.pair.labels["PERSON"], self.pair.labels["GPE"]
        # PERSON alone (GPE counts as O): a B I O B O O O O O O, b B O O B O B O B O O.
        # Spans: a 2, b 4, exact 1 (Boris), overlap 2: F1 2/6 and 4/6.
        assert (person.exact_f1, person.overlap_f1) == (pytest.approx(1 / 3), pytest.approx(2 / 3))
        # p_o = 0.7; marginals a: B 2, I 1, O 7; b: B 4, O 6; p_e = (8 + 42)/100 = 0.5; κ = 0.2/0.5 = 0.4.
        assert person.kappa == pytest.approx(0.4)
        # n: B 6, I 1, O 13; α = 1 − 19·6 / (400 − 36 − 1 − 169) = 1 − 114/194 = 40/97.
        assert person.alpha == pytest.approx(40 / 97)
        # GPE: only a tagged Paris. p_o = 0.9 = p_e (b is all O), so κ = 0; α = 1 − 19·2 / (2·19·1) = 0.
        assert (gpe.exact_f1, gpe.kappa, gpe.alpha) == (0.0, 0.0, 0.0)

    def test_the_whole_set_with_one_pair_is_that_pair(self):
        assert self.result.annotators == ["a", "b"]
        assert self.result.figures.kappa == pytest.approx(13 / 28)
        assert self.result.figures.alpha == pytest.approx(52 / 109)
        assert self.result.labels["PERSON"].kappa == pytest.approx(0.4)
        story = self.result.stories[0]
        assert (story.story, story.title, story.annotators) == (1, "Known", ["a", "b"])
        assert story.figures.kappa == pytest.approx(13 / 28)


def test_perfect_agreement_is_one_everywhere():
    result = agreement([StoryLayers(1, TEXT, {"a": A, "b": list(A)})])
    figures = result.pairs[0].figures
    assert (figures.exact_f1, figures.overlap_f1, figures.kappa, figures.alpha) == (1.0, 1.0, 1.0, 1.0)
    assert result.labels["GPE"].kappa == 1.0


def test_no_spans_at_all_is_undefined_not_perfect():
    # Every token O for both: p_e = 1, so κ is 0/0; α has one value only; F1 has nothing to count.
    figures = agreement([StoryLayers(1, TEXT, {"a": [], "b": []})]).pairs[0].figures
    assert (figures.exact_f1, figures.overlap_f1, figures.kappa, figures.alpha) == (None, None, None, None)
    assert figures.tokens == 10


def test_one_annotator_empty():
    # b tagged nothing: F1 0. a: B-PER, O×9. p_o = 0.9 = p_e (b all O) → κ = 0.
    # α: n_O = 19, n_B = 1; 1 − 19·2 / (2·19·1) = 0.
    figures = agreement([StoryLayers(1, TEXT, {"a": [at("Anna", "PERSON")], "b": []})]).pairs[0].figures
    assert (figures.exact_f1, figures.overlap_f1, figures.kappa, figures.alpha) == (0.0, 0.0, 0.0, 0.0)


def test_single_annotator_stories_are_left_out():
    result = agreement([StoryLayers(1, TEXT, {"a": A}), StoryLayers(2, "", {})])
    assert result.is_empty and result.pairs == [] and result.figures.kappa is None


def test_overlap_matches_each_span_once_and_prefers_the_larger_share():
    # a's [0, 10) overlaps b's [0, 3) by 3 and [2, 10) by 8: it takes [2, 10); [0, 3) is left over.
    assert span_matches([(0, 10, "P")], [(0, 3, "P"), (2, 10, "P")]) == (0, 1)
    # Exact matches are made first, so a long span cannot steal an exact partner.
    assert span_matches([(0, 4, "P"), (0, 20, "P")], [(0, 4, "P")]) == (1, 1)
    # Touching is not overlapping: [0, 4) and [4, 8) share no character.
    assert span_matches([(0, 4, "P")], [(4, 8, "P")]) == (0, 0)
    # Another label never matches.
    assert span_matches([(0, 4, "P")], [(0, 4, "G")]) == (0, 0)


def test_three_annotators_all_pairs_and_missing_layers():
    other = "Olga saw Boris ."  # annotated by a and c only
    stories = [
        StoryLayers(1, TEXT, {"a": A, "b": B, "c": A}),
        StoryLayers(2, other, {"a": [at("Olga", "PERSON", other)], "c": [at("Boris", "PERSON", other)]}),
    ]
    result = agreement(stories)
    assert [(p.a, p.b, p.figures.stories) for p in result.pairs] == [
        ("a", "b", 1),
        ("a", "c", 2),
        ("b", "c", 1),
    ]
    by_pair = {(p.a, p.b): p.figures for p in result.pairs}
    assert by_pair[("a", "b")].kappa == pytest.approx(13 / 28)
    assert by_pair[("b", "c")].kappa == pytest.approx(13 / 28)
    # a and c agree on all of story 1 and on "saw", "." of story 2 (4 tokens): 12 of 14 tokens.
    # Marginals a: B-PER 3, I-PER 1, B-GPE 1, O 9; c: B-PER 3, I-PER 1, B-GPE 1, O 9.
    # p_e = (9 + 1 + 1 + 81) / 196 = 92/196; κ = (12/14 − 92/196) / (1 − 92/196) = (168 − 92) / 104 = 76/104.
    assert by_pair[("a", "c")].kappa == pytest.approx(76 / 104)
    # α over all three, the same reliability matrix given straight to the package (b missing in story 2).
    nan = np.nan
    # codes as numbered here: B-PERSON 1, I-PERSON 2, B-GPE 3
    a = [1, 2, 0, 1, 0, 3, 0, 0, 0, 0, 1, 0, 0, 0]
    b = [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, nan, nan, nan, nan]
    c = [1, 2, 0, 1, 0, 3, 0, 0, 0, 0, 0, 0, 1, 0]
    expected = krippendorff.alpha(reliability_data=[a, b, c], level_of_measurement="nominal")
    assert result.figures.alpha == pytest.approx(expected)
    assert result.stories[1].annotators == ["a", "c"]


def test_folding_unanimous_tokens_leaves_alpha_unchanged():
    rng = np.random.default_rng(3)
    for _ in range(20):
        coders, units = rng.integers(2, 5), rng.integers(5, 60)
        data = rng.choice([0, 0, 0, 0, 1, 2, 3], size=(coders, units)).astype(float)
        data[rng.random(data.shape) < 0.15] = np.nan
        counts = np.stack([np.bincount(col[~np.isnan(col)].astype(int), minlength=4) for col in data.T])
        try:
            expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        except ValueError:
            expected = None
        got = krippendorff_alpha(counts)
        if expected is None or np.isnan(expected):
            assert got is None
        else:
            assert got == pytest.approx(expected)
