"""Where annotators' layers agree and where they differ, for adjudication and for export votes.

`compare_spans()` and `compare_characters()` are pure: layers in, agreed items and disagreements out.
A span disagreement is a run of overlapping spans (from any layer) on which the layers do not all
hold the same (start, end, label) set; a character is matched across layers by its folded name.
`adjudication_page()` adds paragraphs, rendered layers and the decisions taken so far.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from annotations.models import AdjudicationDecision, Entity
from annotations.rendering import render_paragraphs
from annotations.selectors.layers import (
    CharacterData,
    LayerAnnotations,
    Span,
    layered_annotations,
)
from annotations.selectors.reader import paragraph_bounds
from stories.models import Story

CONTEXT_CHARS = 60  # of story text shown either side of a difference


def span_key(start: int, end: int) -> str:
    return f"{start:d}-{end:d}"


def character_key(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass
class SpanDisagreement:
    start: int
    end: int
    sides: dict[str, tuple[Span, ...]]  # username → that layer's spans here (empty: none)
    decision: AdjudicationDecision | None = None
    # The story text around it, within its paragraph, for the page (set by adjudication_page).
    before: str = ""
    text: str = ""
    after: str = ""

    @property
    def key(self) -> str:
        return span_key(self.start, self.end)

    @property
    def settled(self) -> bool:
        return self.decision is not None


@dataclass
class CharacterDisagreement:
    key: str
    sides: dict[str, CharacterData | None]  # username → that layer's version (None: it has none)
    decision: AdjudicationDecision | None = None

    @property
    def name(self) -> str:
        return next(side.name for side in self.sides.values() if side is not None)

    @property
    def settled(self) -> bool:
        return self.decision is not None


def compare_spans(layers: list[LayerAnnotations]) -> tuple[list[Span], list[SpanDisagreement]]:
    """(spans every layer has, disagreements), both in text order."""
    names = [item.layer.username for item in layers]
    tagged = sorted(
        ((span, item.layer.username) for item in layers for span in item.spans),
        key=lambda pair: (pair[0].start, pair[0].end),
    )
    agreed: list[Span] = []
    disagreements: list[SpanDisagreement] = []
    run: list[tuple[Span, str]] = []
    run_end = -1

    def close() -> None:
        if not run:
            return
        sides = {name: tuple(s for s, who in run if who == name) for name in names}
        keys = {name: tuple((s.start, s.end, s.label) for s in spans) for name, spans in sides.items()}
        if len(set(keys.values())) == 1:
            agreed.extend(sides[names[0]])
        else:
            start = min(s.start for s, _ in run)
            disagreements.append(SpanDisagreement(start=start, end=run_end, sides=sides))

    for span, who in tagged:
        if span.start >= run_end:
            close()
            run, run_end = [], span.end
        run.append((span, who))
        run_end = max(run_end, span.end)
    close()
    return agreed, disagreements


def _same(a: CharacterData | None, b: CharacterData | None) -> bool:
    if a is None or b is None:
        return a is b
    folded = lambda c: sorted({character_key(alias) for alias in c.aliases})  # noqa: E731
    return character_key(a.name) == character_key(b.name) and folded(a) == folded(b) and a.gender == b.gender


def compare_characters(
    layers: list[LayerAnnotations],
) -> tuple[list[CharacterData], list[CharacterDisagreement]]:
    """(characters every layer has alike: name, aliases and gender; disagreements), by first appearance."""
    order: list[str] = []
    by_key: dict[str, dict[str, CharacterData]] = {}
    for item in layers:
        for character in item.characters:
            key = character_key(character.name)
            if key not in by_key:
                order.append(key)
                by_key[key] = {}
            by_key[key].setdefault(item.layer.username, character)
    names = [item.layer.username for item in layers]
    agreed, disagreements = [], []
    for key in order:
        sides = {name: by_key[key].get(name) for name in names}
        versions = list(sides.values())
        if all(_same(versions[0], other) for other in versions[1:]):
            agreed.append(versions[0])
        else:
            disagreements.append(CharacterDisagreement(key=key, sides=sides))
    return agreed, disagreements


@dataclass
class ParagraphRow:
    """One paragraph on the adjudication page: each layer's rendering, the final layer's, what differs."""

    start: int
    end: int
    layers: list[tuple[str, str]]  # (username, html)
    final: str
    disagreements: list[SpanDisagreement] = field(default_factory=list)
    reader_url: str = ""  # where the reviewer edits this paragraph of the final layer (set by the view)


@dataclass
class AdjudicationPage:
    story: Story
    annotators: list[str]
    paragraphs: list[ParagraphRow]
    characters: list[CharacterDisagreement]
    agreed_spans: int
    agreed_characters: int

    @property
    def disagreements(self) -> list[SpanDisagreement]:
        return [d for row in self.paragraphs for d in row.disagreements]

    @property
    def open_count(self) -> int:
        return sum(not d.settled for d in self.disagreements) + sum(not c.settled for c in self.characters)

    @property
    def total(self) -> int:
        return len(self.disagreements) + len(self.characters)


def live_decisions(story: Story):
    """The story's decisions, less those whose change was undone since (that place is open again)."""
    return AdjudicationDecision.objects.filter(story=story).exclude(edit__undone_by__isnull=False)


def story_layers(story: Story) -> list[LayerAnnotations]:
    return layered_annotations([story]).get(story.pk, [])


def _rows(spans, offset: int = 0) -> list[dict]:
    return [
        {"id": offset + i, "start": s.start, "end": s.end, "label_id": s.label, "review_state": "accepted",
         "character_id": None}
        for i, s in enumerate(spans)
    ]  # fmt: skip


def adjudication_page(story: Story, *, only: str | None = None, everything: bool = False) -> AdjudicationPage:
    """The page's data: paragraphs with a disagreement (all paragraphs with `everything`), each layer
    rendered beside the final layer, and the character differences. `only`: just the paragraph holding
    the disagreement with that key (what an htmx decision redraws)."""
    story = Story.objects.get(pk=story.pk)  # with the text: every paragraph shown is rendered from it
    layers = story_layers(story)
    agreed, disagreements = compare_spans(layers)
    agreed_characters, character_disagreements = compare_characters(layers)
    decisions = {(d.kind, d.key): d for d in live_decisions(story).select_related("decided_by", "edit")}
    for item in disagreements:
        item.decision = decisions.get((AdjudicationDecision.Kind.SPAN, item.key))
    for item in character_disagreements:
        item.decision = decisions.get((AdjudicationDecision.Kind.CHARACTER, item.key))
    bounds = paragraph_bounds(story)
    pairs = list(zip(bounds[0::2], bounds[1::2], strict=True))
    starts = [p[0] for p in pairs]
    by_paragraph: dict[int, list[SpanDisagreement]] = {}
    for item in disagreements:
        index = max(0, bisect.bisect_right(starts, item.start) - 1)
        by_paragraph.setdefault(index, []).append(item)
        p_start, p_end = pairs[index]
        item.before = story.text[max(p_start, item.start - CONTEXT_CHARS) : item.start]
        item.text = story.text[item.start : item.end]
        item.after = story.text[item.end : min(p_end, item.end + CONTEXT_CHARS)]
    if only is not None:
        wanted = [i for i, items in by_paragraph.items() if any(d.key == only for d in items)]
    elif everything:
        wanted = list(range(len(pairs)))
    else:
        wanted = sorted(by_paragraph)
    final = list(
        Entity.objects.final().filter(story=story).order_by("start", "end")
        .values("id", "start", "end", "label_id", "review_state", "character_id")
    )  # fmt: skip
    rows = []
    for index in wanted:
        p_start, p_end = pairs[index]
        rendered = []
        for item in layers:
            spans = [s for s in item.spans if p_start <= s.start < p_end]
            html = render_paragraphs(
                text=story.text, offset=0, paragraphs=[(p_start, p_end)], rows=_rows(spans)
            )
            # The layers' marks are pictures of rows, not rows: no ids, so the page's ids stay unique.
            rendered.append((item.layer.username, SafeString(html.replace(' id="entity-', ' data-mark="'))))
        mine = [r for r in final if p_start <= r["start"] < p_end]
        html = render_paragraphs(text=story.text, offset=0, paragraphs=[(p_start, p_end)], rows=mine)
        rows.append(
            ParagraphRow(start=p_start, end=p_end, layers=rendered, final=html,
                         disagreements=by_paragraph.get(index, []))
        )  # fmt: skip
    return AdjudicationPage(
        story=story, annotators=[item.layer.username for item in layers], paragraphs=rows,
        characters=character_disagreements, agreed_spans=len(agreed),
        agreed_characters=len(agreed_characters),
    )  # fmt: skip


def open_disagreements(story: Story) -> int:
    """How many disagreements of `story` have no decision yet."""
    layers = story_layers(story)
    spans = compare_spans(layers)[1]
    characters = compare_characters(layers)[1]
    keys = set(live_decisions(story).values_list("kind", "key"))
    return sum((AdjudicationDecision.Kind.SPAN, d.key) not in keys for d in spans) + sum(
        (AdjudicationDecision.Kind.CHARACTER, c.key) not in keys for c in characters
    )


def span_votes(stories) -> dict[int, dict[tuple[int, int], dict[str, str | None]]]:
    """{story id: {(start, end): {annotator: label or None}}} for the final spans of double stories.

    A vote is the label the annotator gave exactly those bounds; None when their layer has no span there.
    """
    annotated = layered_annotations(stories)
    out: dict[int, dict] = {}
    for story_id, layers in annotated.items():
        labels = {item.layer.username: {(s.start, s.end): s.label for s in item.spans} for item in layers}
        out[story_id] = {"labels": labels}
    finals = Entity.objects.final().filter(story_id__in=list(out)).values_list("story_id", "start", "end")
    votes: dict[int, dict[tuple[int, int], dict[str, str | None]]] = {story_id: {} for story_id in out}
    for story_id, start, end in finals.iterator(chunk_size=5000):
        labels = out[story_id]["labels"]
        votes[story_id][(start, end)] = {name: spans.get((start, end)) for name, spans in labels.items()}
    return votes
