"""Adjudication: settle annotators' layers into the story's final layer, every step an Edit of the story.

`adjudication_start()` (run when the last layer is marked done) moves the story to adjudication and
writes what every layer agrees on into it; `adjudication_decide()` takes one annotator's side of a
span or character disagreement, or keeps the final layer as the reviewer edited it; and
`adjudication_finish()` sends the settled story to the review queue as Done.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotations.models import AdjudicationDecision, Character, Edit, Entity
from annotations.selectors.adjudication import (
    character_key,
    compare_characters,
    compare_spans,
    open_disagreements,
    story_layers,
)
from annotations.selectors.layers import CharacterData, Span
from annotations.services.changes import ChangeLog, gone, snapshot, story_change
from annotations.services.settling import settle_pending
from stories.models import Story

State = Entity.ReviewState
Kind = AdjudicationDecision.Kind


def _links(layer_pks: list[int]) -> dict[int, dict[tuple[int, int, str], str]]:
    """{layer id: {(start, end, label): folded name of the character the span is linked to}}."""
    rows = Entity.objects.final().filter(story_id__in=layer_pks, character__isnull=False)
    out: dict[int, dict[tuple[int, int, str], str]] = {pk: {} for pk in layer_pks}
    for story_id, start, end, label, name in rows.values_list(
        "story_id", "start", "end", "label", "character__name"
    ):
        out[story_id][(start, end, label)] = character_key(name)
    return out


def _characters_by_key(story: Story) -> dict[str, Character]:
    return {character_key(c.name): c for c in Character.objects.filter(story=story).order_by("id")}


def _replace_spans(
    change: ChangeLog, region: tuple[int, int], spans: list[Span], links: dict[tuple[int, int, str], str]
) -> None:
    """Make the final layer's spans inside `region` exactly `spans`, linked by character name per `links`.

    A model prediction that is not wanted is kept as rejected (as an editor's delete keeps it); a row
    that already matches a wanted span is kept, so its provenance survives.
    """
    story = change.story
    characters = _characters_by_key(story)
    rows = list(Entity.objects.filter(story=story, start__lt=region[1], end__gt=region[0]))
    wanted = {(s.start, s.end, s.label): s for s in spans}
    doomed, changed = [], []
    change.before += [snapshot(row) for row in rows]

    def character_for(key) -> int | None:
        name = links.get(key)
        return characters[name].pk if name in characters else None

    for row in rows:
        key = (row.start, row.end, row.label_id)
        if key in wanted:
            wanted.pop(key)
            row.review_state, row.character_id, row.updated_by = (
                State.ACCEPTED,
                character_for(key),
                change.user,
            )
            changed.append(row)
        elif row.model_label:
            if row.review_state != State.REJECTED:
                row.review_state, row.updated_by = State.REJECTED, change.user
            changed.append(row)
        else:
            doomed.append(row)
    for row in doomed:
        change.after.append(gone(row))
        row.delete()
    for row in changed:
        row.save()
        change.after.append(snapshot(row))
    for key, span in sorted(wanted.items()):
        row = Entity.objects.create(
            story=story, start=span.start, end=span.end, text=span.text, label_id=span.label,
            character_id=character_for(key), origin=Entity.Origin.EDITOR, review_state=State.ACCEPTED,
            updated_by=change.user,
        )  # fmt: skip
        change.before.append(gone(row))
        change.after.append(snapshot(row))
    change.starts += [e["fields"]["start"] for e in change.after if e["model"] == "entity" and e["fields"]]


def _set_character(change: ChangeLog, key: str, version: CharacterData | None) -> None:
    """Make the final layer's character with folded name `key` be `version` (None: no such character)."""
    current = _characters_by_key(change.story).get(key)
    if version is None:
        if current is None:
            return
        mentions = list(Entity.objects.filter(story=change.story, character=current))
        change.before += [snapshot(current), *(snapshot(m) for m in mentions)]
        Entity.objects.filter(pk__in=[m.pk for m in mentions]).update(character=None)
        for mention in mentions:
            mention.character_id = None
            change.after.append(snapshot(mention))
        change.after.append(gone(current))
        current.delete()
        return
    if current is None:
        current = Character.objects.create(
            story=change.story, name=version.name, aliases=list(version.aliases), gender=version.gender,
            origin=Character.Origin.EDITOR,
        )  # fmt: skip
        change.before.append(gone(current))
    else:
        change.before.append(snapshot(current))
        current.name, current.aliases, current.gender = version.name, list(version.aliases), version.gender
        current.save()
    change.after.append(snapshot(current))
    change.character_id = current.pk


def _agreed_links(layers, link_maps) -> dict[tuple[int, int, str], str]:
    """The character link of each span on which every layer links the same character (by name)."""
    keys = set().union(*(m.keys() for m in link_maps.values())) if link_maps else set()
    out = {}
    for key in keys:
        names = {link_maps[item.layer.pk].get(key) for item in layers}
        if len(names) == 1 and None not in names:
            out[key] = names.pop()
    return out


def adjudication_start(*, story: Story, user) -> ChangeLog:
    """Move `story` (locked, all layers done) to adjudication and merge what all layers agree on.

    The story's final layer becomes: the spans and characters every annotator has alike; each place
    where they differ is left empty until a reviewer decides it. One Edit records the merge.
    """
    Story.objects.filter(pk=story.pk).update(
        status=Story.Status.ADJUDICATION, version=F("version") + 1, updated_at=timezone.now()
    )
    story.refresh_from_db(fields=["status", "version"])
    change = ChangeLog(story=story, user=user, version=story.version, seen=story.version - 1)
    change.before.append({"model": "story", "id": story.pk, "fields": {"status": Story.Status.IN_PROGRESS}})
    layers = story_layers(story)
    agreed, disagreements = compare_spans(layers)
    agreed_characters, character_disagreements = compare_characters(layers)
    agreed_keys = {character_key(c.name) for c in agreed_characters}
    for key in [k for k in _characters_by_key(story) if k not in agreed_keys]:
        _set_character(change, key, None)
    for character in agreed_characters:
        _set_character(change, character_key(character.name), character)
    change.character_id = None
    link_maps = _links([item.layer.pk for item in layers])
    _replace_spans(change, (0, story.text_length), agreed, _agreed_links(layers, link_maps))
    change.after.append({"model": "story", "id": story.pk, "fields": {"status": story.status}})
    change.bulk = True
    open_count = len(disagreements) + len(character_disagreements)
    change.record(
        Edit.Action.ADJUDICATE,
        f"Merged what all {len(layers)} layers agree on: {len(agreed)} spans, {len(agreed_characters)} "
        f"characters; {open_count} differences to settle",
    )
    return change


def _decision(*, story: Story, kind: str, key: str, choice: str, user, edit: Edit) -> None:
    AdjudicationDecision.objects.update_or_create(
        story=story, kind=kind, key=key, defaults={"choice": choice, "edit": edit, "decided_by": user}
    )


def _describe(spans) -> str:
    return ", ".join(f"“{s.text}” {s.label}" for s in spans) or "no entity"


@transaction.atomic
def adjudication_decide(*, story: Story, kind: str, key: str, choice: str, user, version: int) -> ChangeLog:
    """Settle one disagreement (`kind` span or character, at `key`): take annotator `choice`'s version,
    or with choice "" keep what the final layer holds there now (the reviewer edited it in the reader).

    Only a story in adjudication, by a reviewer (stories.policy); an unknown place or annotator is a
    ValidationError; StaleVersion if someone else changed the same rows since `version`.
    """
    if story.status != Story.Status.ADJUDICATION:
        raise ValidationError(
            f"“{story.title}” is {story.get_status_display().lower()}, not in adjudication; reload the page."
        )
    change = story_change(story=story, version=version, user=user)
    layers = story_layers(story)
    if kind == Kind.SPAN:
        found = next((d for d in compare_spans(layers)[1] if d.key == key), None)
    elif kind == Kind.CHARACTER:
        found = next((d for d in compare_characters(layers)[1] if d.key == key), None)
    else:
        raise ValidationError(f"Unknown kind of disagreement {kind!r}; use span or character.")
    if found is None:
        raise ValidationError(f"The layers do not differ at {key!r}; reload the adjudication page.")
    if choice and choice not in found.sides:
        names = ", ".join(found.sides)
        raise ValidationError(f"{choice!r} has no layer of this story; choose one of {names}.")
    if not choice:
        what = f"at {key}" if kind == Kind.SPAN else f"of character “{found.name}”"
        change.record(Edit.Action.ADJUDICATE, f"Kept the final layer's version {what}")
    elif kind == Kind.SPAN:
        layer = next(item.layer for item in layers if item.layer.username == choice)
        _replace_spans(
            change, (found.start, found.end), list(found.sides[choice]), _links([layer.pk])[layer.pk]
        )
        change.record(Edit.Action.ADJUDICATE, f"Took {choice}'s version: {_describe(found.sides[choice])}")
    else:
        side = found.sides[choice]
        _set_character(change, key, side)
        if side is None:
            summary = f"Took {choice}'s version: no character “{found.name}”"
        else:
            aliases = ", ".join(side.aliases) or "no aliases"
            summary = (
                f"Took {choice}'s version of “{side.name}”: {aliases}; {Character.Gender(side.gender).label}"
            )
        change.record(Edit.Action.ADJUDICATE, summary)
    _decision(story=story, kind=kind, key=key, choice=choice, user=user, edit=change.edit)
    return change


@transaction.atomic
def adjudication_finish(*, story: Story, user, version: int) -> ChangeLog:
    """Every disagreement settled: the story becomes Done and goes to the review queue."""
    if story.status != Story.Status.ADJUDICATION:
        raise ValidationError(
            f"“{story.title}” is {story.get_status_display().lower()}, not in adjudication; reload the page."
        )
    change = story_change(story=story, version=version, user=user)
    if left := open_disagreements(story):
        noun = "difference is" if left == 1 else "differences are"
        raise ValidationError(f"{left} {noun} not settled yet; settle each one, then finish.")
    before, after = settle_pending(story=story, user=user, settle=None, verb="finish adjudication")
    change.before = [*before, {"model": "story", "id": story.pk, "fields": {"status": story.status}}]
    story.status = Story.Status.DONE
    story.save(update_fields=["status", "updated_at"])
    change.after = [*after, {"model": "story", "id": story.pk, "fields": {"status": story.status}}]
    decided = AdjudicationDecision.objects.filter(story=story).count()
    change.record(Edit.Action.STATUS, f"Finished adjudication ({decided} decisions); ready for review")
    return change
