"""Learn entity patterns from editors' consistent corrections.

Contract: `patterns_learn(*, min_count, min_stories, min_agreement, dry_run)` looks at every text that
editors relabelled or added (final set: not rejected) and proposes `LearnedPattern(text, label)` when the
same text got the same label at least `min_count` times in at least `min_stories` stories, and that label
is at least `min_agreement` of everything the final sets say about the text (other labels and rejected
spans with this label count against it). Evidence is stored on the pattern: {"stories", "count",
"agreement"}. Patterns an admin disabled stay disabled; manual ones are never touched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q

from annotations.models import Entity, LearnedPattern

MAX_PATTERN_CHARS = 300  # LearnedPattern.text max_length
MAX_STORIES_IN_EVIDENCE = 50


@dataclass
class Proposal:
    text: str
    label: str
    count: int
    stories: list[int]
    agreement: float
    action: str = ""  # created, updated, unchanged (disabled/manual), or "" on a dry run


def corrections() -> Q:
    """Annotations whose label is an editor's decision: added by an editor, or a model span relabelled."""
    return Q(origin=Entity.Origin.EDITOR) | (
        Q(origin=Entity.Origin.MODEL) & ~Q(model_label="") & ~Q(model_label=F("label_id"))
    )


def propose(*, min_count: int, min_stories: int, min_agreement: float) -> list[Proposal]:
    # One vote per story: annotators' layers would count a double-annotated story once per annotator.
    final = Entity.objects.final().filter(story__layer_of__isnull=True)
    votes: dict[tuple[str, str], list[int]] = defaultdict(list)  # (text, label) -> story ids, one per edit
    for text, label, story_id in final.filter(corrections()).values_list("text", "label_id", "story_id"):
        if len(text) <= MAX_PATTERN_CHARS and not text.islower():
            votes[(text, label)].append(story_id)
    candidates = {
        key: stories
        for key, stories in votes.items()
        if len(stories) >= min_count and len(set(stories)) >= min_stories
    }
    if not candidates:
        return []
    texts = {text for text, _ in candidates}
    # Everything the final sets say about these texts, whoever said it, and what editors rejected.
    said: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for text, label in final.filter(text__in=texts).values_list("text", "label_id"):
        said[text][label] += 1
    rejected: dict[tuple[str, str], int] = defaultdict(int)
    rejected_rows = Entity.objects.filter(text__in=texts, review_state=Entity.ReviewState.REJECTED)
    for text, label in rejected_rows.values_list("text", "label_id"):
        rejected[(text, label)] += 1
    proposals = []
    for (text, label), stories in sorted(candidates.items()):
        support = said[text][label]
        against = sum(n for other, n in said[text].items() if other != label) + rejected[(text, label)]
        agreement = support / (support + against)
        if agreement >= min_agreement:
            proposals.append(Proposal(text, label, len(stories), sorted(set(stories)), round(agreement, 3)))
    return proposals


@transaction.atomic
def patterns_learn(
    *, min_count: int = 3, min_stories: int = 2, min_agreement: float = 0.9, dry_run: bool = False
) -> list[Proposal]:
    proposals = propose(min_count=min_count, min_stories=min_stories, min_agreement=min_agreement)
    if dry_run:
        return proposals
    for p in proposals:
        evidence = {
            "stories": p.stories[:MAX_STORIES_IN_EVIDENCE],
            "count": p.count,
            "agreement": p.agreement,
        }
        pattern = LearnedPattern.objects.filter(text=p.text, label_id=p.label).first()
        if pattern is None:
            LearnedPattern.objects.create(
                text=p.text, label_id=p.label, source=LearnedPattern.Source.LEARNED, evidence=evidence
            )
            p.action = "created"
        elif pattern.source == LearnedPattern.Source.LEARNED and pattern.evidence != evidence:
            pattern.evidence = evidence  # fresh evidence; `enabled` stays as the admin left it
            pattern.save(update_fields=["evidence", "updated_at"])
            p.action = "updated"
        else:
            p.action = "unchanged"
    return proposals
