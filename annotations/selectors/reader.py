"""Reads for the editor workspace: text chunks, entities per chunk, legend, characters panel, history.

Chunks are windows of settings.READER_CHUNK_PARAGRAPHS paragraphs. Paragraph offsets are computed once
per story and kept in the Django cache (keyed by id and sha256, so they can never be stale: the text is
immutable); after that a chunk costs one substring query and one indexed range query on
(story, start), whatever the story's length.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.safestring import SafeString

from annotations.models import Character, Edit, Entity, Label
from annotations.rendering import render_paragraphs
from core.compiled import CompiledRead
from stories.models import Story

_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")
# Text with no blank lines (one paragraph per line) is split at single newlines once a block is this long.
LONG_BLOCK = 20_000
CHUNK_TEXT_SECONDS = 6 * 60 * 60


def split_paragraphs(text: str) -> list[int]:
    """Flat [start0, end0, start1, end1, ...] of the text's paragraphs (blank-line separated)."""
    bounds: list[int] = []
    pos = 0
    for match in [*_BLANK_LINES.finditer(text), None]:
        end = match.start() if match else len(text)
        if end - pos > LONG_BLOCK and "\n" in text[pos:end]:
            for line in re.finditer(r"[^\n]*\S[^\n]*", text[pos:end]):
                bounds += [pos + line.start(), pos + line.end()]
        elif end > pos:
            bounds += [pos, end]
        pos = match.end() if match else pos
    return bounds


def paragraph_bounds(story: Story) -> list[int]:
    """The story's paragraph offsets, computed on first use and cached (the text never changes)."""
    bounds = getattr(story, "_paragraph_bounds", None)  # one cache read per request, not one per use
    if bounds is None:
        key = f"fabula:paragraphs:v1:{story.pk}:{story.sha256[:16]}"
        bounds = cache.get(key)
        if bounds is None:
            bounds = split_paragraphs(story.text)
            cache.set(key, bounds, None)
            story._paragraph_bounds = bounds
            _warm_chunk_texts(story)  # the text is in memory now; later edits need never read it again
        story._paragraph_bounds = bounds
    return bounds


def _paragraph_index(story: Story, offset: int) -> int:
    """The index of the last paragraph starting at or before `offset` (-1 if none does).

    Bisects the flat [start, end, ...] list itself: paragraphs never touch, so an offset inside or
    after paragraph i lands at position 2i+1 or 2i+2.
    """
    return (bisect.bisect_right(paragraph_bounds(story), offset) - 1) // 2


@dataclass
class Chunk:
    index: int
    count: int
    start: int
    end: int
    html: SafeString = SafeString("")
    # The story's whole final set (values() dicts) when this chunk is the whole story, else None: the
    # legend then counts these rows rather than query them again.
    story_rows: list[dict] | None = None

    @property
    def next_index(self) -> int | None:
        return self.index + 1 if self.index + 1 < self.count else None

    @property
    def prev_index(self) -> int | None:
        return self.index - 1 if self.index > 0 else None

    @property
    def number(self) -> int:
        return self.index + 1


def chunk_count(story: Story) -> int:
    per = settings.READER_CHUNK_PARAGRAPHS
    return max(1, -(-len(paragraph_bounds(story)) // (2 * per)))


def chunk_of_offset(story: Story, offset: int) -> int:
    """Index of the chunk holding character `offset`."""
    paragraph = max(0, _paragraph_index(story, offset))
    return min(paragraph // settings.READER_CHUNK_PARAGRAPHS, chunk_count(story) - 1)


def paragraph_containing(story: Story, start: int, end: int) -> tuple[int, int] | None:
    """The [start, end) of the paragraph holding the whole span, or None if it crosses a break."""
    bounds = paragraph_bounds(story)
    i = _paragraph_index(story, start)
    if i < 0 or end > bounds[2 * i + 1]:
        return None
    return bounds[2 * i], bounds[2 * i + 1]


def _substring(story: Story, start: int, end: int) -> str:
    if "text" in story.__dict__:
        return story.text[start:end]
    # Substr positions are 1-based characters on both SQLite and PostgreSQL.
    return (
        Story.with_layers.filter(pk=story.pk)
        .annotate(window=Substr("text", start + 1, max(end - start, 0)))
        .values_list("window", flat=True)
        .get()
    )


def _chunk_span(story: Story, index: int) -> tuple[int, int, list[tuple[int, int]]]:
    bounds = paragraph_bounds(story)
    per = settings.READER_CHUNK_PARAGRAPHS
    flat = bounds[2 * index * per : 2 * (index + 1) * per]
    pairs = list(zip(flat[0::2], flat[1::2], strict=True))
    return (pairs[0][0], pairs[-1][1], pairs) if pairs else (0, 0, [])


def _chunk_text_key(story: Story, index: int) -> str:
    return f"fabula:chunk-text:v1:{story.pk}:{story.sha256[:16]}:{settings.READER_CHUNK_PARAGRAPHS}:{index}"


def _warm_chunk_texts(story: Story) -> None:
    texts = {}
    for index in range(chunk_count(story)):
        start, end, _ = _chunk_span(story, index)
        texts[_chunk_text_key(story, index)] = story.text[start:end]
    cache.set_many(texts, CHUNK_TEXT_SECONDS)


def chunk_text(story: Story, index: int) -> str:
    """The text of chunk `index`, cached: the story text is immutable, so a chunk's text never changes.

    Reading it from the cache means an edit never touches the story's (possibly 1 MB) text column.
    """
    key = _chunk_text_key(story, index)
    text = cache.get(key)
    if text is None:
        start, end, _ = _chunk_span(story, index)
        text = _substring(story, start, end)
        cache.set(key, text, CHUNK_TEXT_SECONDS)
    return text


def text_window(story: Story, start: int, end: int) -> str:
    """story.text[start:end], from the cached chunk when the range lies inside one."""
    index = chunk_of_offset(story, start)
    chunk_start, chunk_end, _ = _chunk_span(story, index)
    if chunk_start <= start and end <= chunk_end:
        return chunk_text(story, index)[start - chunk_start : end - chunk_start]
    return _substring(story, start, end)


@dataclass(frozen=True)
class ChapterLink:
    number: int  # 1-based, as the reader's ?chapter=N and #chapter-N say it
    title: str
    start: int
    chunk: int


def chapters(story: Story) -> list[ChapterLink]:
    """The story's chapters from Story.meta["chapters"] (found at ingest or by `extract`), each with the
    chunk that holds its heading; entries that do not fit the text are left out."""
    links = []
    for row in (story.meta or {}).get("chapters") or []:
        if not isinstance(row, dict):
            continue
        start, title = row.get("start"), row.get("title")
        if not isinstance(start, int) or not isinstance(title, str) or not 0 <= start < story.text_length:
            continue
        links.append(ChapterLink(len(links) + 1, title, start, chunk_of_offset(story, start)))
    return links


def chapter_chunk(story: Story, number: int) -> int | None:
    """The chunk holding chapter `number` (1-based), or None when the story has no such chapter."""
    found = chapters(story)
    return found[number - 1].chunk if 1 <= number <= len(found) else None


def _mark_chapters(story: Story, html: SafeString, start: int, end: int) -> SafeString:
    """Give each chapter heading's paragraph in this chunk the anchor the chapter menu links to."""
    for link in chapters(story):
        if not start <= link.start < end:
            continue
        paragraph = paragraph_containing(story, link.start, link.start + 1)
        if paragraph is None:
            continue
        marker = f'<p class="para" data-start="{paragraph[0]:d}"'
        html = SafeString(
            html.replace(
                marker, f'<p class="para" id="chapter-{link.number}" data-start="{paragraph[0]:d}"', 1
            )
        )
    return html


def _drawn_rows(story_id: int):
    return (
        Entity.objects.final()
        .filter(story_id=story_id)
        .order_by("start", "end")
        .values("id", "start", "end", "label_id", "review_state", "character_id")
    )


# What a chunk draws, compiled once: every reader page and chunk load reads it.
_STORY_ROWS = CompiledRead(_drawn_rows)
_CHUNK_ROWS = CompiledRead(
    lambda story_id, start, end: _drawn_rows(story_id).filter(start__gte=start, start__lt=end), 3
)


def reader_chunk(*, story: Story, index: int) -> Chunk:
    """Chunk `index` (clamped to the story) rendered to HTML with its final-set entities; chapter
    headings carry their anchors (#chapter-N)."""
    count = chunk_count(story)
    index = min(max(index, 0), count - 1)
    start, end, pairs = _chunk_span(story, index)
    # A story of one chunk reads its whole final set, which the legend counts too: the same rows as the
    # range would give, since an entity starts at a non-space character (entity_no_edge_whitespace).
    rows = _CHUNK_ROWS.rows(story.pk, start, end) if count > 1 else _STORY_ROWS.rows(story.pk)
    html = render_paragraphs(
        text=chunk_text(story, index),
        offset=start,
        paragraphs=pairs,
        rows=rows,
    )
    html = _mark_chapters(story, html, start, end)
    return Chunk(
        index=index, count=count, start=start, end=end, html=html, story_rows=rows if count == 1 else None
    )


@dataclass
class Paragraph:
    chunk: int
    start: int
    end: int
    html: SafeString


def reader_paragraph(*, story: Story, offset: int) -> Paragraph:
    """The paragraph holding `offset`, rendered alone with its entities: what an edit inside it redraws.

    An edit never crosses a paragraph, so re-rendering one paragraph (not its whole chunk) is enough,
    and the edit's cost depends neither on the story's length nor on how long its chunk is.
    """
    index = chunk_of_offset(story, offset)
    chunk_start = _chunk_span(story, index)[0]
    i = max(0, _paragraph_index(story, offset))
    bounds = paragraph_bounds(story)
    start, end = bounds[2 * i], bounds[2 * i + 1]
    rows = (
        Entity.objects.final()
        .filter(story=story, start__gte=start, start__lt=end)
        .order_by("start", "end")
        .values("id", "start", "end", "label_id", "review_state", "character_id")
    )
    html = render_paragraphs(
        text=chunk_text(story, index), offset=chunk_start, paragraphs=[(start, end)], rows=rows
    )
    return Paragraph(chunk=index, start=start, end=end, html=html)


def legend(*, story: Story, labels: list[Label] | None = None, rows: list[dict] | None = None) -> list[dict]:
    """Every label with its colour, hotkey, and this story's entity and pending-suggestion counts.

    `rows`: the story's whole final set as values() dicts with label_id and review_state, when the
    caller has read it already (Chunk.story_rows); they are counted here instead of in the database."""
    if rows is None:
        counts = {
            row["label_id"]: row
            for row in Entity.objects.final()
            .filter(story=story)
            .values("label_id")
            .annotate(
                total=Count("id"), pending=Count("id", filter=Q(review_state=Entity.ReviewState.PENDING))
            )
        }
    else:
        counts = {}
        for row in rows:
            count = counts.setdefault(row["label_id"], {"total": 0, "pending": 0})
            count["total"] += 1
            count["pending"] += row["review_state"] == Entity.ReviewState.PENDING
    items = []
    for label in labels if labels is not None else Label.objects.all():
        row = counts.get(label.name, {})
        if label.shown or row:
            items.append(
                {"label": label, "total": row.get("total", 0),
                 "pending": row.get("pending", 0)}
            )  # fmt: skip
    return items


_LABELS = CompiledRead(lambda: Label.objects.all(), arity=0)


def labels() -> list[Label]:
    """Every label, in the toolbar's order: compiled once, since every reader page and edit reads them."""
    return _LABELS.rows()


def labels_version(labels: list[Label]) -> str:
    """Changes whenever what the reader's toolbar and label picker show of `labels` (all of them, in
    order) does: the key of those parts' cached HTML."""
    shown = [(label.name, label.description, label.hotkey, label.shown) for label in labels]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def character_stats(*, story: Story, character_id: int | None = None) -> dict[int, tuple[int, int]]:
    """{character id: (mention count, first mention's start)} over the final set.

    Grouped on Entity's character_id alone: grouping Character rows (JSON aliases and all) by a
    join was ten times slower on a novel with 400 characters.
    """
    rows = Entity.objects.final().filter(story=story, character__isnull=False)
    if character_id is not None:
        rows = rows.filter(character_id=character_id)
    stats = rows.values("character_id").annotate(count=Count("id"), first=Min("start")).order_by()
    return {row["character_id"]: (row["count"], row["first"]) for row in stats}


def character_get(*, story: Story, pk: int) -> Character:
    """One character of this story with mention_count; Character.DoesNotExist otherwise."""
    character = Character.objects.get(story=story, pk=pk)
    character.mention_count, character.first_start = character_stats(story=story, character_id=pk).get(
        pk, (0, None)
    )
    return character


def character_panel(*, story: Story) -> list[Character]:
    """The story's characters with mention_count, first_start (first appearance) and first_chunk.

    In reading order; characters without mentions come last, by name.
    """
    stats = character_stats(story=story)
    characters = list(Character.objects.filter(story=story))
    for character in characters:
        character.mention_count, character.first_start = stats.get(character.pk, (0, None))
        has_start = character.first_start is not None
        character.first_chunk = chunk_of_offset(story, character.first_start) if has_start else None
    characters.sort(key=lambda c: (c.first_start is None, c.first_start or 0, c.name, c.pk))
    return characters


HISTORY_ROWS = 20


def _newest(story_id: int, limit: int = HISTORY_ROWS) -> QuerySet[Edit]:
    return (
        Edit.objects.filter(story_id=story_id)
        .select_related("user")
        .defer("before", "after")
        .order_by("-id")[:limit]
    )


_HISTORY = CompiledRead(_newest)  # the history panel of every reader page and edit


def history(*, story: Story, limit: int = HISTORY_ROWS) -> list[Edit]:
    """The newest `limit` changes with their users, without their snapshots (the panel never shows them)."""
    if limit == HISTORY_ROWS:
        return _HISTORY.rows(story.pk)
    return list(_newest(story.pk, limit))


def mention_matches(*, story: Story, entity: Entity) -> dict:
    """Other word-boundary occurrences of the entity's text, for "apply to all mentions".

    Returns {"new": [starts], "update": [entity ids], "same": n, "blocked": n, "changes": n}:
    occurrences with no entity, with an entity of the same bounds to relabel/relink, already identical,
    or overlapping a different entity (left alone); "changes" counts what applying would touch.
    """
    pattern = re.compile(r"(?<!\w)" + re.escape(entity.text) + r"(?!\w)")
    starts = [m.start() for m in pattern.finditer(story.text) if m.start() != entity.start]
    length = len(entity.text)
    final = Entity.objects.final().filter(story=story)
    existing = list(final.values_list("id", "start", "end", "label_id", "character_id"))
    by_bounds = {(s, e): (pk, label, char) for pk, s, e, label, char in existing}
    ends = sorted((s, e) for _, s, e, _, _ in existing)
    result: dict = {"new": [], "update": [], "same": 0, "blocked": 0}
    for start in starts:
        twin = by_bounds.get((start, start + length))
        if twin:
            if twin[1] == entity.label_id and twin[2] == entity.character_id:
                result["same"] += 1
            else:
                result["update"].append(twin[0])
            continue
        i = bisect.bisect_left(ends, (start + length, -1))
        if any(s < start + length and e > start for s, e in ends[max(0, i - 5) : i]):
            result["blocked"] += 1
        else:
            result["new"].append(start)
    result["changes"] = len(result["new"]) + len(result["update"])
    return result


def first_pending(*, story: Story) -> Entity | None:
    """The first suggestion nobody has decided, in text order, or None."""
    return Entity.objects.pending().filter(story=story).order_by("start", "end").first()


def pending_count(*, story: Story, label=None) -> int:
    rows = Entity.objects.pending().filter(story=story)
    return (rows.filter(label=label) if label is not None else rows).count()


def match_contexts(*, story: Story, entity: Entity, matches: dict, width: int = 40) -> list[dict]:
    """Each mention "apply to all" would touch, in text order: its offset, the text either side (one
    line, `width` characters), and the label it has now (None for an untagged one)."""
    labelled = dict(Entity.objects.filter(pk__in=matches["update"]).values_list("start", "label_id"))
    starts = sorted([*matches["new"], *labelled])
    length = len(entity.text)
    text = story.text

    def line(part: str) -> str:
        return re.sub(r"\s+", " ", part)

    return [
        {
            "start": start,
            "before": line(text[max(0, start - width) : start]),
            "text": text[start : start + length],
            "after": line(text[start + length : start + length + width]),
            "label": labelled.get(start),
        }
        for start in starts
    ]
