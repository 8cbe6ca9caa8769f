"""Inter-annotator agreement over plain data: several annotators' spans of the same texts in, figures out.
`agreement(stories)` gives span F1 (exact and overlap), Cohen's κ and Krippendorff's α over BIO tags of
spaCy's tokens, per story, per pair of annotators and per label, and α over all annotators; no database.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from nlp.tokens import tokenizer

Span = tuple[int, int, str]
Bounds = tuple[np.ndarray, np.ndarray]  # (starts, ends) of a text's non-space tokens, character offsets

OUTSIDE = "O"
TOKENIZE_BATCH = 256


@dataclass(frozen=True)
class StoryLayers:
    """One text and each annotator's spans of it; an annotator with an empty list annotated nothing."""

    story: int | str
    text: str
    layers: Mapping[str, Sequence[Span]]
    title: str = ""


@dataclass
class SpanCounts:
    """Spans of the pair's first (`a`) and second (`b`) annotator, and how many of them matched."""

    a: int = 0
    b: int = 0
    exact: int = 0
    overlap: int = 0

    def __iadd__(self, other: SpanCounts) -> SpanCounts:
        self.a += other.a
        self.b += other.b
        self.exact += other.exact
        self.overlap += other.overlap
        return self

    # F1 = 2·matched / (|A| + |B|): precision and recall with either annotator as the reference, so the
    # figure is the same whichever way round the pair is. None when neither annotated anything.
    @property
    def exact_f1(self) -> float | None:
        return 2 * self.exact / (self.a + self.b) if self.a + self.b else None

    @property
    def overlap_f1(self) -> float | None:
        return 2 * self.overlap / (self.a + self.b) if self.a + self.b else None


@dataclass
class Figures:
    """Agreement on some tokens and spans. None means undefined (nothing to compare, or no variation)."""

    spans: SpanCounts = field(default_factory=SpanCounts)
    kappa: float | None = None
    alpha: float | None = None
    tokens: int = 0
    stories: int = 0

    @property
    def exact_f1(self) -> float | None:
        return self.spans.exact_f1

    @property
    def overlap_f1(self) -> float | None:
        return self.spans.overlap_f1


@dataclass
class PairFigures:
    """Two annotators (a < b) over the stories both annotated; `labels` is empty for a single story."""

    a: str
    b: str
    figures: Figures
    labels: dict[str, Figures] = field(default_factory=dict)


@dataclass
class StoryFigures:
    """One story: every pair of its annotators, and over all of them (spans summed, κ the pairs' mean)."""

    story: int | str
    title: str
    annotators: list[str]
    figures: Figures
    pairs: list[PairFigures]


@dataclass
class Agreement:
    """All figures of one set of stories. `figures` and `labels` are over every pair: span counts summed,
    κ the mean of the pairs' κ, α over all annotators at once. `stories` is empty unless asked for."""

    annotators: list[str]
    figures: Figures
    pairs: list[PairFigures]
    labels: dict[str, Figures]
    stories: list[StoryFigures]

    @property
    def is_empty(self) -> bool:
        return self.figures.stories == 0


# --- Tokens and tags ----------------------------------------------------------------------------------


def token_bounds(texts: Iterable[str], *, batch_size: int = TOKENIZE_BATCH) -> Iterator[Bounds]:
    """(starts, ends) of each text's tokens, whitespace tokens left out; tokenised in batches."""
    from spacy.attrs import IDX, IS_SPACE, LENGTH

    for doc in tokenizer().pipe(texts, batch_size=batch_size):
        rows = doc.to_array([IDX, LENGTH, IS_SPACE]).astype(np.int64).reshape(-1, 3)
        rows = rows[rows[:, 2] == 0]
        yield rows[:, 0], rows[:, 0] + rows[:, 1]


class TagSet:
    """Codes for BIO tags: 0 is O; label number k is B-k = 2k+1 and I-k = 2k+2. Labels are numbered as met."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self._index: dict[str, int] = {}

    def number(self, label: str) -> int:
        if label not in self._index:
            self._index[label] = len(self.labels)
            self.labels.append(label)
        return self._index[label]

    @property
    def size(self) -> int:
        return 2 * len(self.labels) + 1

    def name(self, code: int) -> str:
        if code == 0:
            return OUTSIDE
        return f"{'BI'[(code - 1) % 2]}-{self.labels[(code - 1) // 2]}"

    def only(self, label: str) -> np.ndarray:
        """A lookup table that keeps `label`'s B and I (as 1 and 2) and makes every other tag O."""
        table = np.zeros(self.size, dtype=np.int16)
        k = self._index[label]
        table[2 * k + 1], table[2 * k + 2] = 1, 2
        return table


def bio_tags(bounds: Bounds, spans: Iterable[Span], tags: TagSet) -> np.ndarray:
    """One BIO code per token. A span tags every token it shares a character with; a token covered by
    two spans keeps the tag of the one that starts first (the longer one on a tie). A span over
    whitespace only tags nothing."""
    starts, ends = bounds
    ordered = sorted(spans, key=lambda s: (s[0], -s[1], s[2]))
    # Both edges of every span looked up in one call each; the tagging itself is a short loop per span.
    firsts = np.searchsorted(ends, [s[0] for s in ordered], side="right").tolist()  # first token ending after
    stops = np.searchsorted(starts, [s[1] for s in ordered], side="left").tolist()  # first starting at/after
    codes = [0] * len(starts)
    for (_start, _end, label), first, stop in zip(ordered, firsts, stops, strict=True):
        k = tags.number(label)
        for index in range(first, stop):
            if codes[index] == 0:
                codes[index] = 2 * k + 1 if index == first else 2 * k + 2
    return np.array(codes, dtype=np.int16)


# --- Spans ---------------------------------------------------------------------------------------------


def span_matches(a: Sequence[Span], b: Sequence[Span]) -> tuple[int, int]:
    """(exact, overlap) matches between two annotators' spans of one text, each span matched at most once.

    Exact: same start, end and label. Overlap: same label and at least one character in common. The
    exact matches are made first; then, among the spans left, pairs sharing the most characters are
    matched first (ties: earlier start in `a`, then in `b`). So overlap >= exact, and two spans of one
    annotator can never both be matched to one span of the other.
    """
    left_a = list(a)
    left_b = list(b)
    exact = 0
    pool: dict[Span, int] = {}
    for span in left_b:
        pool[span] = pool.get(span, 0) + 1
    unmatched_a = []
    for span in left_a:
        if pool.get(span):
            pool[span] -= 1
            exact += 1
        else:
            unmatched_a.append(span)
    unmatched_b = [span for span, n in pool.items() for _ in range(n)]
    candidates = []
    # A sweep over both lists sorted by start: only spans that can overlap are ever compared, so a novel
    # with thousands of spans per layer costs about what its spans do, not their square.
    ordered_b = sorted(range(len(unmatched_b)), key=lambda j: unmatched_b[j][:2])
    active: list[int] = []
    next_b = 0
    for i in sorted(range(len(unmatched_a)), key=lambda i: unmatched_a[i][:2]):
        start, end, label = unmatched_a[i]
        while next_b < len(ordered_b) and unmatched_b[ordered_b[next_b]][0] < end:
            active.append(ordered_b[next_b])
            next_b += 1
        active = [j for j in active if unmatched_b[j][1] > start]
        for j in active:
            b_start, b_end, b_label = unmatched_b[j]
            if b_label == label and b_start < end:
                shared = min(end, b_end) - max(start, b_start)
                candidates.append((-shared, start, b_start, i, j))
    used_a: set[int] = set()
    used_b: set[int] = set()
    overlap = exact
    for _shared, _sa, _sb, i, j in sorted(candidates):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            overlap += 1
    return exact, overlap


def span_counts(a: Sequence[Span], b: Sequence[Span]) -> dict[str | None, SpanCounts]:
    """SpanCounts per label, and over all labels under the key None."""
    counts: dict[str | None, SpanCounts] = {}
    for label in sorted({s[2] for s in a} | {s[2] for s in b}):
        in_a = [s for s in a if s[2] == label]
        in_b = [s for s in b if s[2] == label]
        exact, overlap = span_matches(in_a, in_b)
        counts[label] = SpanCounts(a=len(in_a), b=len(in_b), exact=exact, overlap=overlap)
    total = SpanCounts()
    for one in counts.values():
        total += one
    counts[None] = total
    return counts


# --- κ and α ---------------------------------------------------------------------------------------------


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cohen's κ between two annotators' tags of the same tokens (scikit-learn's cohen_kappa_score).

    None when it is undefined: no tokens, or both annotators gave every token one and the same tag,
    where agreement by chance is already 1.
    """
    if len(a) == 0 or (a.min() == a.max() == b.min() == b.max()):
        return None
    # scikit-learn rather than statsmodels: both are well kept, but statsmodels brings pandas and patsy
    # on top of the scipy both need; imported here because importing it takes a second or more.
    from sklearn import config_context
    from sklearn.metrics import cohen_kappa_score

    # Called once per story and pair: skipping the argument checks (the codes are ours, always valid
    # integers) takes a quarter off each call.
    with warnings.catch_warnings(), config_context(skip_parameter_validation=True, assume_finite=True):
        warnings.simplefilter("ignore")
        value = cohen_kappa_score(a, b, replace_undefined_by=np.nan)
    return None if math.isnan(value) else float(value)


def value_counts(layers: Sequence[np.ndarray], size: int) -> np.ndarray:
    """Krippendorff's value counts of one text: per token, how many annotators gave it each tag."""
    counts = np.zeros((len(layers[0]), size), dtype=np.int32)
    rows = np.arange(len(layers[0]))
    for codes in layers:
        counts[rows, codes] += 1  # one tag per token per annotator, so no index repeats within a layer
    return counts


def krippendorff_alpha(counts: np.ndarray) -> float | None:
    """Nominal Krippendorff's α (the `krippendorff` package) from value counts (tokens × tags).

    None when undefined: fewer than two tags used, or no token tagged by two annotators.

    Before the call, every token on which all its annotators agree is folded into one row per tag
    holding all their votes. For nominal α this changes nothing: a unanimous token with m annotators
    adds m to its tag's cell of the coincidence matrix, as does a folded row with m votes; but the
    package builds a tokens × tags × tags array, 600 MB for a thousand stories unfolded, kilobytes so.
    """
    counts = counts[counts.sum(axis=1) >= 2]  # a token only one annotator saw cannot be compared
    used = counts.sum(axis=0) > 0
    if counts.shape[0] == 0 or used.sum() < 2:
        return None
    counts = counts[:, used]
    unanimous = (counts > 0).sum(axis=1) == 1
    folded = np.diag(counts[unanimous].sum(axis=0))
    folded = folded[folded.sum(axis=1) > 0]
    counts = np.concatenate([counts[~unanimous], folded])
    import krippendorff

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
        except ValueError:
            return None
    return None if math.isnan(value) else float(value)


# --- Putting it together ------------------------------------------------------------------------------


@dataclass
class _Story:
    story: int | str
    title: str
    annotators: list[str]
    codes: dict[str, np.ndarray]
    spans: dict[tuple[str, str], dict[str | None, SpanCounts]]


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def _tagged(stories: Iterable[StoryLayers], tags: TagSet, batch_size: int) -> Iterator[_Story]:
    """Tokenise in batches and tag; stories with fewer than two annotators are left out."""
    iterator = iter(stories)
    while batch := list(itertools.islice(iterator, batch_size)):
        chunk = [s for s in batch if len(s.layers) >= 2]
        for item, bounds in zip(
            chunk, token_bounds((s.text for s in chunk), batch_size=batch_size), strict=True
        ):
            annotators = sorted(item.layers)
            yield _Story(
                story=item.story,
                title=item.title,
                annotators=annotators,
                codes={name: bio_tags(bounds, item.layers[name], tags) for name in annotators},
                spans={
                    (a, b): span_counts(item.layers[a], item.layers[b])
                    for a, b in itertools.combinations(annotators, 2)
                },
            )


def _pair(a: str, b: str, stories: list[_Story], tags: TagSet) -> PairFigures:
    codes_a = np.concatenate([s.codes[a] for s in stories])
    codes_b = np.concatenate([s.codes[b] for s in stories])
    totals: dict[str | None, SpanCounts] = {}
    for story in stories:
        for label, counts in story.spans[(a, b)].items():
            totals.setdefault(label, SpanCounts())
            totals[label] += counts

    def figures(x: np.ndarray, y: np.ndarray, spans: SpanCounts, size: int) -> Figures:
        return Figures(
            spans=spans,
            kappa=cohen_kappa(x, y),
            alpha=krippendorff_alpha(value_counts([x, y], size)),
            tokens=len(x),
            stories=len(stories),
        )

    labels = {}
    for label in sorted(tags.labels):
        table = tags.only(label)
        labels[label] = figures(table[codes_a], table[codes_b], totals.get(label, SpanCounts()), 3)
    return PairFigures(a, b, figures(codes_a, codes_b, totals[None], tags.size), labels)


def agreement(
    stories: Iterable[StoryLayers], *, per_story: bool = True, batch_size: int = TOKENIZE_BATCH
) -> Agreement:
    """Agreement over `stories` (those with two or more annotators; the others are left out); with
    `per_story`, each story's figures too (about a third of the time for short stories).

    Per pair, the stories both annotated are pooled: span counts are summed, and κ and α are taken over
    all their tokens at once. Per label, tags of other labels count as O. α over all annotators treats
    an annotator who did not annotate a story as missing there, not as disagreeing.
    """
    tags = TagSet()
    tagged = list(_tagged(stories, tags, batch_size))
    annotators = sorted({name for story in tagged for name in story.annotators})
    story_figures = []
    for story in tagged if per_story else ():
        pairs = [
            PairFigures(
                a,
                b,
                Figures(
                    spans=story.spans[(a, b)][None],
                    kappa=cohen_kappa(story.codes[a], story.codes[b]),
                    alpha=krippendorff_alpha(value_counts([story.codes[a], story.codes[b]], tags.size)),
                    tokens=len(story.codes[a]),
                    stories=1,
                ),
            )
            for a, b in itertools.combinations(story.annotators, 2)
        ]
        total = SpanCounts()
        for pair in pairs:
            total += pair.figures.spans
        layers = [story.codes[name] for name in story.annotators]
        story_figures.append(
            StoryFigures(
                story=story.story,
                title=story.title,
                annotators=story.annotators,
                figures=Figures(
                    spans=total,
                    kappa=_mean(p.figures.kappa for p in pairs),
                    alpha=krippendorff_alpha(value_counts(layers, tags.size)),
                    tokens=len(layers[0]),
                    stories=1,
                ),
                pairs=pairs,
            )
        )

    pairs = []
    for a, b in itertools.combinations(annotators, 2):
        both = [s for s in tagged if a in s.codes and b in s.codes]
        if both:
            pairs.append(_pair(a, b, both, tags))

    counts = [value_counts([s.codes[n] for n in s.annotators], tags.size) for s in tagged]
    all_counts = np.concatenate(counts) if counts else np.zeros((0, tags.size), dtype=np.int32)
    tokens = sum(len(s.codes[s.annotators[0]]) for s in tagged)

    def over_pairs(label: str | None) -> Figures:
        spans = SpanCounts()
        kappas = []
        for pair in pairs:
            one = pair.labels[label] if label is not None else pair.figures
            spans += one.spans
            kappas.append(one.kappa)
        alpha_counts = all_counts
        if label is not None:
            # Projecting value counts onto one label: its B and I columns, everything else summed as O.
            k = tags.labels.index(label)
            b_col, i_col = all_counts[:, 2 * k + 1], all_counts[:, 2 * k + 2]
            alpha_counts = np.stack([all_counts.sum(axis=1) - b_col - i_col, b_col, i_col], axis=1)
        return Figures(
            spans=spans,
            kappa=_mean(kappas),
            alpha=krippendorff_alpha(alpha_counts),
            tokens=tokens,
            stories=len(tagged),
        )

    return Agreement(
        annotators=annotators,
        figures=over_pairs(None),
        pairs=pairs,
        labels={label: over_pairs(label) for label in sorted(tags.labels)},
        stories=story_figures,
    )
