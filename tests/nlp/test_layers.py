"""Rule layers by name: the ablation keeps only the layers that help a pipeline on held-out stories, the
choice is read back from the pipeline's meta.json, and a pipeline that does without the patterns layer is
loaded without the EntityRuler."""

from __future__ import annotations

import spacy

from nlp.extraction.ablation import choose_layers
from nlp.extraction.rules import RULE_ID, RULER_NAME
from nlp.layers import DEFAULT_LAYERS, LAYERS, LAYERS_KEY, layers_of
from nlp.loading import load_pipeline
from nlp.windows import StoryDocs

TEXT = "In Paris the venerable Madame Duval saw Swan Lake twice."


def drafted(blank_nlp, *, with_patterns: bool) -> StoryDocs:
    doc = blank_nlp(TEXT)
    swan = TEXT.index("Swan Lake")
    ruled = doc.char_span(swan, swan + 9, label="WORK_OF_ART", span_id=RULE_ID)
    doc.ents = [
        doc.char_span(3, 8, label="GPE"),
        doc.char_span(TEXT.index("Madame"), TEXT.index(" saw"), label="PERSON"),
        ruled if with_patterns else doc.char_span(swan, swan + 9, label="ORG"),
    ]
    return StoryDocs(context=None, text=TEXT, windows=[(0, doc)])


def test_the_ablation_keeps_the_layers_that_help_and_drops_the_one_that_hurts(blank_nlp):
    # The collection tags names without describing words, and "Swan Lake" as a work (which only the
    # shipped patterns know); the model types it ORG.
    gold = [[(3, 8, "GPE"), (TEXT.index("Madame"), TEXT.index(" saw"), "PERSON"), (40, 49, "WORK_OF_ART")]]
    assert TEXT[40:49] == "Swan Lake"
    result = choose_layers(
        [drafted(blank_nlp, with_patterns=True)], [drafted(blank_nlp, with_patterns=False)], gold
    )
    assert result["layers"] == ["patterns"]
    f1 = result["f1"]
    assert f1["chosen"] == 1.0 and f1["without noun_phrases"] == 1.0
    assert f1["all"] < 1.0 and f1["without patterns"] < f1["all"]
    assert result["stories"] == 1


def test_layers_are_read_from_the_pipeline_meta(blank_nlp):
    assert layers_of(blank_nlp) == DEFAULT_LAYERS and "noun_phrases" not in DEFAULT_LAYERS
    blank_nlp.meta[LAYERS_KEY] = {"layers": ["consistency", "unknown"], "f1": {}}
    assert layers_of(blank_nlp) == {"consistency"}
    blank_nlp.meta[LAYERS_KEY] = {"layers": list(LAYERS)}
    assert layers_of(blank_nlp) == set(LAYERS)


def test_a_pipeline_without_the_patterns_layer_is_loaded_without_the_ruler(tmp_path):
    for name, layers in (("lean", ["consistency"]), ("full", ["patterns", "consistency"])):
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.meta[LAYERS_KEY] = {"layers": layers}
        nlp.to_disk(tmp_path / name)
    assert RULER_NAME not in load_pipeline(str(tmp_path / "lean"), ()).pipe_names
    assert RULER_NAME in load_pipeline(str(tmp_path / "full"), ()).pipe_names
