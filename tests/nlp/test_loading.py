"""The loaded pipeline (loading.py): the rule layer runs after the model and tensors are dropped."""

from __future__ import annotations


def test_the_pipeline_runs_the_rule_layer_and_drops_tensors(nlp):
    assert nlp.pipe_names[-2:] == ["fabula_rules", "fabula_release_tensor"]
    doc = nlp("Anna Petrova danced Swan Lake in Moscow.")
    assert doc.tensor.size == 0
    assert [(e.text, e.label_) for e in doc.ents if e.label_ == "WORK_OF_ART"] == [
        ("Swan Lake", "WORK_OF_ART")
    ]
