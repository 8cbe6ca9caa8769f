"""Evaluation against the database: the dashboard selector's columns and the `evaluate` command's output."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annotations.selectors.dashboard import evaluation_compute, evaluation_stories
from tests.annotations.review_cases import build_evaluation_case
from tests.nlp.helpers import by_label


@pytest.mark.django_db
class TestEvaluationSelector:
    def test_final_set_and_model_draft_come_from_the_right_columns(self):
        case = build_evaluation_case()
        result = evaluation_compute(stories=evaluation_stories())
        scores = by_label(result)
        assert result.stories == 2
        assert (scores["PERSON"].tp, scores["PERSON"].fp, scores["PERSON"].fn) == (2, 2, 0)
        assert (scores["GPE"].tp, scores["GPE"].fp, scores["GPE"].fn) == (0, 0, 2)
        assert (scores["ORG"].tp, scores["ORG"].fp, scores["ORG"].fn) == (0, 1, 1)
        assert result.overall.f1 == pytest.approx(0.4)
        everything = evaluation_compute(stories=evaluation_stories(status="all", batch=case["batch"]))
        assert everything.stories == 3
        assert by_label(everything)["PERSON"].fp == 3

    def test_stories_without_annotations_count_as_exact(self):
        from tests.factories import make_story

        build_evaluation_case()
        make_story("Nobody here.", status="approved")
        result = evaluation_compute(stories=evaluation_stories())
        assert result.stories == 3 and result.stories_exact == 1


@pytest.mark.django_db
class TestEvaluateCommand:
    def run(self, *args):
        out = StringIO()
        call_command("evaluate", *args, stdout=out)
        return out.getvalue()

    def test_table_per_label_overall_and_confusions(self):
        build_evaluation_case()
        output = self.run()
        lines = {line.split()[0]: line.split() for line in output.splitlines() if line.strip()}
        assert "Evaluated 2 stories (0 unchanged" in output
        # label, final, model, tp, fp, fn, precision, recall, f1
        assert lines["PERSON"] == ["PERSON", "2", "4", "2", "2", "0", "0.500", "1.000", "0.667"]
        assert lines["GPE"] == ["GPE", "2", "0", "0", "0", "2", "—", "0.000", "0.000"]
        assert lines["ORG"] == ["ORG", "1", "1", "0", "1", "1", "0.000", "0.000", "0.000"]
        assert lines["overall"] == ["overall", "5", "5", "2", "3", "3", "0.400", "0.400", "0.400"]
        assert "Most frequent confusions (model → final):" in output
        assert "PERSON → GPE  [same span, other label]" in output
        assert "PERSON → (nothing)  [model span the editors removed]" in output
        assert "(nothing) → GPE  [span the model did not find]" in output
        assert "ORG → ORG  [other bounds, same label]" in output

    def test_batch_and_status_filters(self):
        build_evaluation_case("first")
        output = self.run("--batch", "first", "--status", "done")
        assert "Evaluated 1 story (0 unchanged" in output
        person = next(line.split() for line in output.splitlines() if line.startswith("PERSON"))
        assert person[3:6] == ["0", "1", "0"]

    def test_json_output(self):
        build_evaluation_case()
        data = json.loads(self.run("--json", "--top", "2"))
        assert data["stories"] == 2
        assert data["overall"]["tp"] == 2 and data["overall"]["f1"] == pytest.approx(0.4)
        assert len(data["confusions"]) == 2

    def test_unknown_batch_is_a_clear_error(self):
        build_evaluation_case("real")
        with pytest.raises(CommandError, match=r"No import batch named 'nope'\. Known batches: real\."):
            self.run("--batch", "nope")

    def test_no_matching_stories_is_a_clear_error(self):
        with pytest.raises(CommandError, match="No stories with status 'approved' to evaluate"):
            self.run()

    def test_negative_top_is_refused(self):
        build_evaluation_case()
        with pytest.raises(CommandError, match="--top must be 0 or more, not -2"):
            self.run("--top", "-2")

    def test_bad_status_is_refused(self):
        with pytest.raises(CommandError, match="invalid choice"):
            self.run("--status", "finished")
