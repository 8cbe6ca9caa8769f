"""Undo and redo: the latest change (`u`, Ctrl+Z) or a chosen earlier one from the history panel, and
redo of the latest undo (Ctrl+Shift+Z, the history panel's Redo)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from annotations.forms import editor as forms
from annotations.models import Edit
from annotations.services.changes import edit_redo, edit_undo
from annotations.views.actions import action_view, form_message, perform, workspace_story
from core.access import editor_required
from core.responses import error_response


@action_view
@editor_required
def story_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """POST edit=<id> undoes that change if it still applies cleanly; without it, the latest change."""
    return _replay(request, pk, edit_undo)


@action_view
@editor_required
def story_redo(request: HttpRequest, pk: int) -> HttpResponse:
    """POST redoes the latest undo (or the undo edit=<id>) if nothing changed its rows since."""
    return _replay(request, pk, edit_redo)


def _replay(request: HttpRequest, pk: int, service) -> HttpResponse:
    story = workspace_story(pk, request.user)
    form = forms.UndoForm(request.POST)
    if not form.is_valid():
        return error_response(request, form_message(form), status=400)
    edit_id = form.cleaned_data["edit"]
    edit = get_object_or_404(Edit, story=story, pk=edit_id) if edit_id else None

    def act(d):
        return service(story=story, edit=edit, version=d["version"], user=request.user)

    return perform(request, story, form, act)
