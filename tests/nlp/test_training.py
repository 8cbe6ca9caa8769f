"""nlp.training without a database: reference docs, the dev split, and the config read from training.cfg."""

from __future__ import annotations

from pathlib import Path

from nlp.training import reference_docs, reference_docs_per_story, split_dev, training_config


def test_reference_docs_resolve_overlaps_and_snaps_to_tokens(blank_nlp):
    text = "Madame Petrova met Anna in Paris."
    spans = [
        (0, 14, "PERSON"),
        (7, 14, "PERSON"),
        (19, 23, "PERSON"),
        (26, 32, "GPE"),
    ]  # " Paris" shrinks to "Paris"
    [doc] = reference_docs(blank_nlp, text, spans)
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Madame Petrova", "PERSON"),
        ("Anna", "PERSON"),
        ("Paris", "GPE"),
    ]


def test_long_texts_become_several_reference_docs_at_story_offsets(blank_nlp):
    paragraph = "Anna Petrova danced in Paris. " * 100
    text = paragraph + "\n\n" + paragraph + "\n\nBoris Orlov bowed."
    boris = text.index("Boris Orlov")
    [docs] = reference_docs_per_story([(text, [(0, 12, "PERSON"), (boris, boris + 11, "PERSON")])])
    assert len(docs) > 1
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Anna Petrova", "PERSON")]
    assert [(e.text, e.label_) for e in docs[-1].ents] == [("Boris Orlov", "PERSON")]


def test_the_dev_split_holds_out_whole_stories_and_is_stable():
    train, dev = split_dev(6, 0.2)
    assert len(dev) == 1 and sorted(train + dev) == list(range(6))
    assert split_dev(6, 0.2) == (train, dev)
    assert len(split_dev(2, 0.9)[0]) == 1  # at least one story is always trained on


def test_the_config_file_gets_the_run_settings():
    config = training_config(
        base="en_core_web_sm", train=Path("t.spacy"), dev=Path("d.spacy"), max_steps=2, max_minutes=3.0
    ).interpolate()
    assert config["components"]["ner"]["source"] == "en_core_web_sm"
    assert config["initialize"]["before_init"]["vocab"] == "en_core_web_sm"
    assert config["corpora"]["train"]["path"] == "t.spacy" and config["corpora"]["dev"]["path"] == "d.spacy"
    training = config["training"]
    assert (training["max_steps"], training["eval_frequency"], training["patience"]) == (2, 1, 400)
    assert training["before_update"]["minutes"] == 3.0
