"""The rule layer (rules.py): pattern files and the ruler's precedence over the model."""

from __future__ import annotations

import json

import pytest

from nlp.extraction import extract
from nlp.extraction.rules import RULER_NAME, add_rules, file_patterns
from nlp.windows import StoryDocs
from tests.nlp.helpers import surfaces


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
