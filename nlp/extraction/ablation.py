"""Which rule layers help a pipeline: `choose_layers(...)` drafts held-out stories with every layer, then
without each one in turn, and keeps the layers whose removal lowers the
entity F1 (exact start, end and label). The answer is plain data to save in the pipeline's meta.json.
"""

from __future__ import annotations

from collections.abc import Iterable

from nlp.extraction.pipeline import extract
from nlp.layers import LAYERS

Entities = Iterable[tuple[int, int, str]]


def micro_f1(gold: list[set], predicted: list[set]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, predicted, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, predicted, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def choose_layers(with_patterns: list, without_patterns: list, gold: list[Entities]) -> dict:
    """{"layers": the helpful ones, "f1": {"all": …, "without <layer>": …, "chosen": …, "none": …},
    "stories": n}. `with_patterns` and `without_patterns` are the held-out stories' StoryDocs drafted with
    and without the EntityRuler ("patterns"), in the order of their `gold` entities."""
    gold = [{(s, e, label) for s, e, label in entities} for entities in gold]

    def score(layers: frozenset[str]) -> float:
        docs = with_patterns if "patterns" in layers else without_patterns
        predicted = [{(s.start, s.end, s.label) for s in extract(d, layers).spans} for d in docs]
        return micro_f1(gold, predicted)

    every = frozenset(LAYERS)
    scores = {"all": score(every)}
    chosen = set()
    for layer in LAYERS:
        scores[f"without {layer}"] = score(every - {layer})
        if scores["all"] > scores[f"without {layer}"]:
            chosen.add(layer)
    scores["chosen"] = score(frozenset(chosen))
    scores["none"] = score(frozenset())
    return {
        "layers": [layer for layer in LAYERS if layer in chosen],
        "f1": {k: round(v, 4) for k, v in scores.items()},
        "stories": len(gold),
    }
