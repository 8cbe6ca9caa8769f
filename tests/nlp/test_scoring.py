"""Scoring (nlp/scoring.py): exact P/R/F1 and confusions on hand-made cases, no database."""

from __future__ import annotations

import pytest

from nlp.scoring import BOUNDARY, BOUNDARY_LABEL, LABEL, MISSED, SPURIOUS, evaluate, format_score
from tests.nlp.helpers import by_label


class TestEvaluate:
    """Pure scoring on spans given by hand; every expected figure is worked out in the comments."""

    def setup_method(self):
        self.result = evaluate(
            [
                # A: PERSON exact; Paris PERSON vs GPE; Boris spurious.
                (
                    [(0, 12, "PERSON"), (23, 28, "PERSON"), (34, 39, "PERSON")],
                    [(0, 12, "PERSON"), (23, 28, "GPE")],
                ),
                # B: PERSON exact; ORG with other bounds; LOC missed.
                ([(0, 4, "PERSON"), (10, 20, "ORG")], [(0, 4, "PERSON"), (10, 15, "ORG"), (30, 35, "LOC")]),
                # C: nothing predicted, nothing wanted: an exact story.
                ([], []),
                # D: the same label confusion again.
                ([(0, 5, "PERSON")], [(0, 5, "GPE")]),
            ]
        )

    def test_counts_per_label(self):
        scores = by_label(self.result)
        assert sorted(scores) == ["GPE", "LOC", "ORG", "PERSON"]
        assert (scores["PERSON"].tp, scores["PERSON"].fp, scores["PERSON"].fn) == (2, 3, 0)
        assert (scores["GPE"].tp, scores["GPE"].fp, scores["GPE"].fn) == (0, 0, 2)
        assert (scores["ORG"].tp, scores["ORG"].fp, scores["ORG"].fn) == (0, 1, 1)
        assert (scores["LOC"].tp, scores["LOC"].fp, scores["LOC"].fn) == (0, 0, 1)

    def test_precision_recall_f1(self):
        person = by_label(self.result)["PERSON"]
        assert person.precision == pytest.approx(2 / 5)
        assert person.recall == 1.0
        assert person.f1 == pytest.approx(2 * 0.4 * 1 / 1.4)
        gpe = by_label(self.result)["GPE"]
        # Nothing predicted as GPE: precision is undefined, not zero, and prints as a dash.
        assert gpe.precision is None and format_score(gpe.precision) == "—"
        assert gpe.recall == 0.0 and gpe.f1 == 0.0
        overall = self.result.overall
        assert (overall.tp, overall.fp, overall.fn) == (2, 4, 4)
        assert overall.precision == pytest.approx(1 / 3)
        assert overall.recall == pytest.approx(1 / 3)
        assert overall.f1 == pytest.approx(1 / 3)
        assert self.result.macro_f1 == pytest.approx((4 / 7) / 4)

    def test_stories_and_exact_match(self):
        assert self.result.stories == 4
        assert self.result.stories_exact == 1

    def test_confusions_most_frequent_first(self):
        found = [(c.kind, c.predicted, c.gold, c.count) for c in self.result.confusions]
        assert found == [
            (LABEL, "PERSON", "GPE", 2),
            (BOUNDARY, "ORG", "ORG", 1),
            (MISSED, None, "LOC", 1),
            (SPURIOUS, "PERSON", None, 1),
        ]
        assert self.result.top_confusions(1)[0].description == "same span, other label"

    def test_boundary_and_label_and_duplicate_labels_on_one_span(self):
        result = evaluate(
            [
                (
                    [(0, 10, "ORG"), (20, 25, "PERSON"), (20, 25, "GPE")],
                    [(2, 10, "PERSON"), (20, 25, "PERSON")],
                )
            ]
        )
        assert [(c.kind, c.predicted, c.gold) for c in result.confusions] == [
            (BOUNDARY_LABEL, "ORG", "PERSON"),
            (SPURIOUS, "GPE", None),
        ]
        assert (result.overall.tp, result.overall.fp, result.overall.fn) == (1, 2, 1)

    def test_nothing_at_all(self):
        result = evaluate([])
        assert result.stories == 0 and result.labels == []
        assert result.overall.precision is None and result.overall.f1 is None
