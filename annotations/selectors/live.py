"""What an open reader needs to stay current: who else is here, and what others changed since its version.

`others_here()` lists the other people whose readers touched their presence recently.
`changes_since()` reads the change log after the page's version, leaves out the page's own person's
edits (their page already shows them), and says which paragraphs to redraw, or that there are too
many and the page should reload the parts it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from annotations.models import Edit, Presence
from annotations.selectors.reader import Paragraph, reader_paragraph
from stories.models import Story

# A reader polls every few seconds; one that has not for this long has been closed or put to sleep.
PRESENT_FOR = timedelta(seconds=20)
# Past this many changed paragraphs, reloading the loaded parts is cheaper than redrawing each.
MAX_PARAGRAPHS = 30


def others_here(*, story: Story, user) -> list[str]:
    """Names of the other people who have `story` open now, alphabetically."""
    rows = (
        Presence.objects.filter(story=story, seen_at__gte=timezone.now() - PRESENT_FOR)
        .exclude(user=user)
        .select_related("user")
    )
    return sorted(row.user.get_full_name() or row.user.get_username() for row in rows)


@dataclass
class LiveChanges:
    version: int  # the story's version now: the page has seen everything up to it once these are drawn
    status: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)  # "olga: Accepted “Moscow”", oldest first
    reload: bool = False  # too many paragraphs: reload every loaded part instead
    characters: bool = False  # a character row changed: the characters panel should refresh

    @property
    def any(self) -> bool:
        return bool(self.summaries)


def changes_since(*, story: Story, version: int, user) -> LiveChanges:
    """Other people's changes to `story` after `version`, as the paragraphs they touched."""
    story.version, story.status = Story.with_layers.values_list("version", "status").get(pk=story.pk)
    live = LiveChanges(version=story.version, status=story.status)
    if version >= story.version:
        return live
    edits = Edit.objects.filter(story=story, story_version__gt=version).select_related("user")
    if user is not None:
        edits = edits.exclude(user=user)
    starts: set[int] = set()
    for edit in edits.order_by("story_version"):
        who = (edit.user.get_full_name() or edit.user.get_username()) if edit.user else "The command line"
        live.summaries.append(f"{who}: {edit.summary}")
        for entry in [*(edit.before or []), *(edit.after or [])]:
            if not isinstance(entry, dict):
                continue
            fields = entry.get("fields") or {}
            if entry.get("model") == "character":
                live.characters = True
            elif entry.get("model") == "entity" and "start" in fields:
                starts.add(fields["start"])
            elif entry.get("model") == "story":
                live.reload = True  # a status change: read-only or not, the whole page may differ
    drawn: dict[int, Paragraph] = {}
    for start in sorted(starts):
        if len(drawn) > MAX_PARAGRAPHS:
            live.reload = True
            break
        paragraph = reader_paragraph(story=story, offset=start)
        drawn.setdefault(paragraph.start, paragraph)
    live.paragraphs = [] if live.reload else list(drawn.values())
    return live
