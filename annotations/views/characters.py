"""Characters panel: the list (with mention counts and first appearance) and one POST per action."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations.forms import editor as forms
from annotations.models import Character
from annotations.selectors import reader as selectors
from annotations.services import characters as services
from annotations.views.actions import (
    action_view,
    perform,
    render_reader,
    workspace_story,
)
from core.access import editor_required


@require_GET
@editor_required
def character_list(request: HttpRequest, pk: int) -> HttpResponse:
    story = workspace_story(pk, request.user)
    if not request.htmx:
        return render_reader(request, story, with_characters=True)
    context = {
        "story": story,
        "characters": selectors.character_panel(story=story),
        "show_all_characters": request.GET.get("all") == "1",
    }
    return render(request, "annotations/story_detail.html#character-panel", context)


@require_GET
@editor_required
def character_detail(request: HttpRequest, pk: int, character_id: int) -> HttpResponse:
    """A character's edit forms: in the inspector for htmx, as a page of its own otherwise."""
    story = workspace_story(pk, request.user)
    try:
        character = selectors.character_get(story=story, pk=character_id)
    except Character.DoesNotExist:
        raise Http404("No such character in this story.") from None
    others = story.characters.exclude(pk=character.pk).order_by("name").values("id", "name")
    context = {"story": story, "character": character, "genders": Character.Gender.choices, "others": others}
    template = "annotations/character_detail.html"
    return render(request, f"{template}#character-editor" if request.htmx else template, context)


@action_view
@editor_required
def character_create(request: HttpRequest, pk: int) -> HttpResponse:
    story = workspace_story(pk, request.user)

    def act(d):
        return services.character_create(story=story, name=d["name"], user=request.user, version=d["version"])

    return perform(request, story, forms.NameForm(request.POST), act)


@action_view
@editor_required
def character_rename(request: HttpRequest, pk: int, character_id: int) -> HttpResponse:
    story = workspace_story(pk, request.user)

    def act(d):
        return services.character_rename(
            story=story, pk=character_id, name=d["name"], user=request.user, version=d["version"]
        )

    return perform(request, story, forms.NameForm(request.POST), act)


@action_view
@editor_required
def character_gender(request: HttpRequest, pk: int, character_id: int) -> HttpResponse:
    story = workspace_story(pk, request.user)

    def act(d):
        return services.character_set_gender(
            story=story, pk=character_id, gender=d["gender"], user=request.user, version=d["version"]
        )

    return perform(request, story, forms.GenderForm(request.POST), act)


@action_view
@editor_required
def character_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the chosen source character into the chosen target."""
    story = workspace_story(pk, request.user)

    def act(d):
        return services.character_merge(
            story=story,
            source_pk=d["source"],
            target_pk=d["target"],
            user=request.user,
            version=d["version"],
        )

    return perform(request, story, forms.MergeForm(request.POST), act)


@action_view
@editor_required
def character_split(request: HttpRequest, pk: int, character_id: int) -> HttpResponse:
    story = workspace_story(pk, request.user)

    def act(d):
        return services.character_split(
            story=story, pk=character_id, alias=d["alias"], user=request.user, version=d["version"]
        )

    return perform(request, story, forms.SplitForm(request.POST), act)


@action_view
@editor_required
def character_delete(request: HttpRequest, pk: int, character_id: int) -> HttpResponse:
    story = workspace_story(pk, request.user)

    def act(d):
        return services.character_delete(
            story=story, pk=character_id, user=request.user, version=d["version"]
        )

    return perform(request, story, forms.VersionForm(request.POST), act)
