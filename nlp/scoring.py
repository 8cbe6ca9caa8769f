"""Score the model's original predictions against the editors' final entities; pure, no database.
`evaluate(pairs)` gives strict-match precision/recall/F1 per label and overall, and the confusions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

Span = tuple[int, int, str]

# Confusion kinds, in the order the matcher resolves them.
LABEL = "label"  # same start/end, different label
BOUNDARY = "boundary"  # overlapping, same label, different start/end
BOUNDARY_LABEL = "boundary+label"  # overlapping, different start/end and label
SPURIOUS = "spurious"  # predicted, nothing overlapping in the final set
MISSED = "missed"  # in the final set, nothing overlapping was predicted

KIND_DESCRIPTIONS = {
    LABEL: "same span, other label",
    BOUNDARY: "other bounds, same label",
    BOUNDARY_LABEL: "other bounds and label",
    SPURIOUS: "model span the editors removed",
    MISSED: "span the model did not find",
}


def _ratio(numerator: int, denominator: int) -> float | None:
    # None, not 0, when nothing was there to count: "no predictions" is not "all predictions wrong".
    return numerator / denominator if denominator else None


@dataclass
class LabelScore:
    label: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def gold(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        # 2PR/(P+R) rewritten over counts, so it is defined (as 0) when only one side is empty.
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)


@dataclass(frozen=True)
class Confusion:
    kind: str
    predicted: str | None  # the model's label; None for a missed span
    gold: str | None  # the final label; None for a spurious prediction
    count: int

    @property
    def description(self) -> str:
        return KIND_DESCRIPTIONS[self.kind]


@dataclass
class EvaluationResult:
    labels: list[LabelScore] = field(default_factory=list)
    overall: LabelScore = field(default_factory=lambda: LabelScore("overall"))
    confusions: list[Confusion] = field(default_factory=list)
    stories: int = 0
    stories_exact: int = 0  # stories whose final set equals the model's draft exactly

    @property
    def macro_f1(self) -> float | None:
        scores = [score.f1 for score in self.labels if score.f1 is not None]
        return sum(scores) / len(scores) if scores else None

    def top_confusions(self, limit: int = 10) -> list[Confusion]:
        return self.confusions[:limit]


def _overlap(a: Span, b: Span) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def _match_story(predicted: list[Span], gold: list[Span], counts: dict[str, LabelScore], confusions: Counter):
    pred_left = Counter(predicted)
    gold_left = Counter(gold)
    exact = pred_left & gold_left
    for span, n in exact.items():
        counts.setdefault(span[2], LabelScore(span[2])).tp += n
    pred_left -= exact
    gold_left -= exact
    for span, n in pred_left.items():
        counts.setdefault(span[2], LabelScore(span[2])).fp += n
    for span, n in gold_left.items():
        counts.setdefault(span[2], LabelScore(span[2])).fn += n

    # Pair the leftovers to explain them: same bounds first, then the largest overlap.
    preds = sorted(pred_left.elements())
    golds = sorted(gold_left.elements())
    used = [False] * len(golds)
    unpaired: list[Span] = []
    for span in preds:
        same = next(
            (i for i, g in enumerate(golds) if not used[i] and g[0] == span[0] and g[1] == span[1]), None
        )
        if same is not None:
            used[same] = True
            confusions[(LABEL, span[2], golds[same][2])] += 1
        else:
            unpaired.append(span)
    for span in unpaired:
        best, best_overlap = None, 0
        for i, g in enumerate(golds):
            if not used[i] and _overlap(span, g) > best_overlap:
                best, best_overlap = i, _overlap(span, g)
        if best is None:
            confusions[(SPURIOUS, span[2], None)] += 1
            continue
        used[best] = True
        kind = BOUNDARY if golds[best][2] == span[2] else BOUNDARY_LABEL
        confusions[(kind, span[2], golds[best][2])] += 1
    for i, g in enumerate(golds):
        if not used[i]:
            confusions[(MISSED, None, g[2])] += 1


def evaluate(stories: Iterable[tuple[Iterable[Span], Iterable[Span]]]) -> EvaluationResult:
    """Score (predicted, gold) span lists, one pair per story; a span counts only on an exact match.

    Micro-averaged overall; every miss is explained by a confusion: same span with another label,
    overlapping span, or nothing at all.
    """
    counts: dict[str, LabelScore] = {}
    confusions: Counter = Counter()
    result = EvaluationResult()
    for predicted, gold in stories:
        predicted, gold = list(predicted), list(gold)
        result.stories += 1
        if Counter(predicted) == Counter(gold):
            result.stories_exact += 1
        _match_story(predicted, gold, counts, confusions)
    result.labels = [counts[name] for name in sorted(counts)]
    result.overall = LabelScore(
        "overall",
        tp=sum(s.tp for s in result.labels),
        fp=sum(s.fp for s in result.labels),
        fn=sum(s.fn for s in result.labels),
    )
    # Most frequent first; ties in a fixed order so reports are stable.
    result.confusions = [
        Confusion(kind, pred, gold, n)
        for (kind, pred, gold), n in sorted(
            confusions.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or "", item[0][2] or "")
        )
    ]
    return result


def format_score(value: float | None) -> str:
    """0.8333 -> '0.833'; None (nothing to measure) -> '—'."""
    return "—" if value is None else f"{value:.3f}"
