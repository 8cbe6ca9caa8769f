"""Entity views: the inspector, and one POST per span action (create, label, resize, delete, accept,
link, apply to all, bulk accept/reject of a label). Each POST goes through workspace.perform()."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRefresh

from annotations.forms import editor as forms
from annotations.models import Entity, Label
from annotations.selectors import reader as selectors
from annotations.services import editing
from annotations.views.actions import (
    action_view,
    confirm_bulk,
    entity_context,
    needs_confirmation,
    perform,
    settle_choice,
    workspace_story,
)
from core.access import editor_required
from stories import policy


def _entity(story, entity_id: int) -> Entity:
    return get_object_or_404(Entity.objects.select_related("label", "character"), story=story, pk=entity_id)


@require_GET
@editor_required
def entity_detail(request: HttpRequest, pk: int, entity_id: int) -> HttpResponse:
    """The entity inspector: a side-panel partial for htmx, a page of its own otherwise."""
    story = workspace_story(pk, request.user)
    entity = _entity(story, entity_id)
    context = {"story": story, "entity": entity, **entity_context(story, entity)}
    if request.htmx:
        return render(request, "annotations/story_detail.html#entity-panel", context)
    context["excerpt"] = selectors.text_window(story, max(0, entity.start - 200), entity.end + 200)
    context["chunk_index"] = selectors.chunk_of_offset(story, entity.start)
    return render(request, "annotations/entity_detail.html", context)


@action_view
@editor_required
def entity_create(request: HttpRequest, pk: int) -> HttpResponse:
    story = workspace_story(pk, request.user)
    return perform(
        request,
        story,
        forms.SpanCreateForm(request.POST),
        lambda d: editing.entity_create(
            story=story,
            start=d["start"],
            end=d["end"],
            label=d["label"],
            user=request.user,
            version=d["version"],
        ),
    )


@action_view
@editor_required
def entity_label(request: HttpRequest, pk: int, entity_id: int) -> HttpResponse:
    story = workspace_story(pk, request.user)
    return perform(
        request,
        story,
        forms.LabelForm(request.POST),
        lambda d: editing.entity_relabel(
            story=story, pk=entity_id, label=d["label"], user=request.user, version=d["version"]
        ),
    )


@action_view
@editor_required
def entity_resize(request: HttpRequest, pk: int, entity_id: int) -> HttpResponse:
    story = workspace_story(pk, request.user)
    return perform(
        request,
        story,
        forms.ResizeForm(request.POST),
        lambda d: editing.entity_resize(
            story=story,
            pk=entity_id,
            side=d["side"],
            grow=d["direction"] == "widen",
            user=request.user,
            version=d["version"],
        ),
    )


@action_view
@editor_required
def entity_delete(request: HttpRequest, pk: int, entity_id: int) -> HttpResponse:
    story = workspace_story(pk, request.user)
    return perform(
        request,
        story,
        forms.VersionForm(request.POST),
        lambda d: editing.entity_delete(story=story, pk=entity_id, user=request.user, version=d["version"]),
    )


@action_view
@editor_required
def entity_accept(request: HttpRequest, pk: int, entity_id: int) -> HttpResponse:
    story = workspace_story(pk, request.user)
    return perform(
        request,
        story,
        forms.VersionForm(request.POST),
        lambda d: editing.entity_accept(story=story, pk=entity_id, user=request.user, version=d["version"]),
    )


@action_view
@editor_required
def entity_link(request: HttpRequest, pk: int, entity_id: int) -> HttpResponse:
    story = workspace_story(pk, request.user)
    return perform(
        request,
        story,
        forms.LinkForm(request.POST),
        lambda d: editing.entity_link(
            story=story,
            pk=entity_id,
            character_id=d["character"],
            new_name=d["new_name"],
            user=request.user,
            version=d["version"],
        ),
    )


@require_GET
@editor_required
def entity_apply_preview(request: HttpRequest, pk: int, entity_id: int) -> HttpResponse:
    """Every other mention "apply to all" would touch, each with its context and a tick box, before
    anything changes."""
    story = workspace_story(pk, request.user, with_text=True)  # matches are searched in all the text
    entity = _entity(story, entity_id)
    matches = selectors.mention_matches(story=story, entity=entity)
    context = {
        "story": story,
        "entity": entity,
        "matches": matches,
        "contexts": selectors.match_contexts(story=story, entity=entity, matches=matches),
    }
    if request.htmx:
        return render(request, "annotations/entity_detail.html#apply-preview", context)
    return render(request, "annotations/entity_detail.html", {**context, **entity_context(story, entity)})


@action_view
@editor_required
def entity_apply_all(request: HttpRequest, pk: int, entity_id: int) -> HttpResponse:
    """Apply to all (or to the ticked mentions); over BULK_CONFIRM_OVER unconfirmed, ask first."""
    story = workspace_story(pk, request.user)
    form = forms.ApplyAllForm(request.POST)
    if form.is_valid() and not form.cleaned_data["confirm"]:
        entity = _entity(story, entity_id)
        matches = selectors.mention_matches(story=story, entity=entity)
        count = len(form.cleaned_data["match"]) if form.cleaned_data["choose"] else matches["changes"]
        if needs_confirmation(form, count):
            fields = [("choose", "1")] if form.cleaned_data["choose"] else []
            fields += [("match", start) for start in form.cleaned_data["match"]]
            return confirm_bulk(
                request, story, fields=fields,
                question=f"Tag {count:,} more “{entity.text}” as {entity.label_id}?",
                yes=f"Yes, tag all {count:,}",
            )  # fmt: skip
    return perform(
        request,
        story,
        form,
        lambda d: editing.entity_apply_all(
            story=story,
            pk=entity_id,
            user=request.user,
            version=d["version"],
            only=d["match"] if d["choose"] else None,
        ),  # fmt: skip
    )


@action_view
@editor_required
def label_review(request: HttpRequest, pk: int, label_id: int) -> HttpResponse:
    """Accept or reject every pending suggestion of one label; over BULK_CONFIRM_OVER, ask once first."""
    story = workspace_story(pk, request.user)
    label_obj = get_object_or_404(Label, pk=label_id)
    form = forms.LabelReviewForm(request.POST)
    if needs_confirmation(form, count := selectors.pending_count(story=story, label=label_obj)):
        verb = "Accept" if form.cleaned_data["decision"] == "accept" else "Reject"
        return confirm_bulk(
            request, story, fields=[("decision", form.cleaned_data["decision"])],
            question=f"{verb} all {count:,} {label_obj.name} suggestions at once?",
            yes=f"Yes, {verb.lower()} all {count:,}",
        )  # fmt: skip
    return perform(
        request,
        story,
        form,
        lambda d: editing.entities_review_label(
            story=story,
            label=label_obj,
            accept=d["decision"] == "accept",
            user=request.user,
            version=d["version"],
        ),
    )


@action_view
@editor_required
def story_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark done; with suggestions pending and no choice made, ask how to settle them first."""
    story = workspace_story(pk, request.user)
    form = forms.SettleForm(request.POST)
    asks = (
        form.is_valid() and not form.cleaned_data["settle"] and not policy.edit_refusal(request.user, story)
    )
    if asks and (first := selectors.first_pending(story=story)):
        return settle_choice(request, story, first, action=request.path, verb="mark it done")
    response = perform(
        request,
        story,
        form,
        lambda d: editing.story_mark_done(
            story=story, user=request.user, version=d["version"], settle=d["settle"] or None
        ),
    )
    # A done story reads differently (no edit controls), so the whole reader comes back.
    return HttpResponseClientRefresh() if request.htmx and response.status_code == 200 else response
