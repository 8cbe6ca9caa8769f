"""Character edits from the characters panel: create, rename, set gender, merge, split an alias, delete.

Same contract as annotations.services.editing: each claims the next story version, writes inside one
transaction, records one undoable Edit with snapshots of every row it touched (a merge records the
moved mentions too), and raises ValidationError with an editor-facing message on bad input.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from annotations.models import Character, Edit, Entity
from annotations.services.changes import ChangeLog, gone, snapshot, story_change
from stories.models import Story


def _get(story: Story, pk: int) -> Character:
    return Character.objects.get(story=story, pk=pk)


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A character needs a name.")
    if len(name) > 300:
        raise ValidationError("Character names are at most 300 characters.")
    return name


def _finish(change: ChangeLog, action: str, summary: str) -> ChangeLog:
    change.bulk = True  # data-character moves on marks anywhere in the story
    change.record(action, summary)
    return change


@transaction.atomic
def character_create(*, story: Story, name: str, user, version: int) -> ChangeLog:
    """Add a character with no mentions yet."""
    change = story_change(story=story, version=version, user=user)
    character = Character.objects.create(story=story, name=_clean_name(name), origin=Character.Origin.EDITOR)
    change.before, change.after, change.character_id = [gone(character)], [snapshot(character)], character.pk
    change.record(Edit.Action.CHARACTER_CREATE, f"Created character “{character.name}”")
    return change


@transaction.atomic
def character_rename(*, story: Story, pk: int, name: str, user, version: int) -> ChangeLog:
    """Rename; the old name is kept as an alias so mentions that use it still make sense."""
    change = story_change(story=story, version=version, user=user)
    character = _get(story, pk)
    name, old = _clean_name(name), character.name
    if name == old:
        raise ValidationError(f"The character is already called “{name}”.")
    change.before = [snapshot(character)]
    character.aliases = [a for a in [*character.aliases, old] if a != name]
    character.name = name
    character.full_clean()
    character.save()
    change.after, change.character_id = [snapshot(character)], character.pk
    change.record(Edit.Action.CHARACTER_RENAME, f"Renamed “{old}” to “{name}”")
    return change


@transaction.atomic
def character_set_gender(*, story: Story, pk: int, gender: str, user, version: int) -> ChangeLog:
    """Set the gender to one of Character.Gender (female, male, nonbinary, unknown)."""
    change = story_change(story=story, version=version, user=user)
    character = _get(story, pk)
    if gender not in Character.Gender.values:
        raise ValidationError(
            f"Unknown gender “{gender}”; choose one of {', '.join(Character.Gender.values)}."
        )
    change.before = [snapshot(character)]
    character.gender = gender
    character.save()
    change.after, change.character_id = [snapshot(character)], character.pk
    change.record(
        Edit.Action.CHARACTER_GENDER, f"Set {character.name}'s gender to {character.get_gender_display()}"
    )
    return change


@transaction.atomic
def character_merge(*, story: Story, source_pk: int, target_pk: int, user, version: int) -> ChangeLog:
    """Merge `source` into `target`: its mentions move, names join the aliases, `source` is deleted."""
    if source_pk == target_pk:
        raise ValidationError("Choose two different characters to merge.")
    change = story_change(story=story, version=version, user=user)
    source, target = _get(story, source_pk), _get(story, target_pk)
    mentions = list(Entity.objects.filter(character=source))
    change.before = [snapshot(source), snapshot(target)] + [snapshot(m) for m in mentions]
    names = [*target.aliases, source.name, *source.aliases]
    target.aliases = list(dict.fromkeys(n for n in names if n and n != target.name))
    target.save()
    Entity.objects.filter(character=source).update(character=target, updated_by=user)
    for mention in mentions:
        mention.character = target
    change.after = [gone(source), snapshot(target)] + [snapshot(m) for m in mentions]
    source.delete()
    change.character_id = target.pk
    return _finish(change, Edit.Action.CHARACTER_MERGE, f"Merged “{source.name}” into “{target.name}”")


@transaction.atomic
def character_split(*, story: Story, pk: int, alias: str, user, version: int) -> ChangeLog:
    """Make alias `alias` its own character; mentions whose text is exactly that alias move to it."""
    change = story_change(story=story, version=version, user=user)
    character = _get(story, pk)
    if alias not in character.aliases:
        raise ValidationError(f"“{alias}” is not an alias of {character.name}.")
    mentions = list(Entity.objects.filter(character=character, text=alias))
    change.before = [snapshot(character)] + [snapshot(m) for m in mentions]
    character.aliases = [a for a in character.aliases if a != alias]
    character.save()
    new = Character.objects.create(
        story=story, name=alias, gender=character.gender, origin=Character.Origin.EDITOR
    )
    Entity.objects.filter(pk__in=[m.pk for m in mentions]).update(character=new, updated_by=user)
    for mention in mentions:
        mention.character = new
    change.before.insert(1, gone(new))
    change.after = [snapshot(character), snapshot(new)] + [snapshot(m) for m in mentions]
    change.character_id = new.pk
    summary = f"Split “{alias}” off {character.name} ({len(mentions)} mentions)"
    return _finish(change, Edit.Action.CHARACTER_SPLIT, summary)


@transaction.atomic
def character_delete(*, story: Story, pk: int, user, version: int) -> ChangeLog:
    """Delete a character; its mentions stay as entities, unlinked."""
    change = story_change(story=story, version=version, user=user)
    character = _get(story, pk)
    mentions = list(Entity.objects.filter(character=character))
    change.before = [snapshot(character)] + [snapshot(m) for m in mentions]
    Entity.objects.filter(character=character).update(character=None, updated_by=user)
    for mention in mentions:
        mention.character = None
    change.after = [gone(character)] + [snapshot(m) for m in mentions]
    character.delete()
    return _finish(change, Edit.Action.CHARACTER_DELETE, f"Deleted character “{character.name}”")
