from __future__ import annotations

from django.urls import path

from annotations.views import adjudication as adjudication_views
from annotations.views import agreement as agreement_views
from annotations.views import assigning as assigning_views
from annotations.views import characters as character_views
from annotations.views import dashboard as dashboard_views
from annotations.views import entities as entity_views
from annotations.views import labels as label_views
from annotations.views import reader as reader_views
from annotations.views import review as review_views
from annotations.views import undo as undo_views

app_name = "annotations"

urlpatterns: list = []

# Reviewers: queue, one story's changes, approve/return, dashboard.
urlpatterns += [
    path("review/", review_views.review_queue, name="review-queue"),
    path("review/<int:pk>/", review_views.review_detail, name="review-detail"),
    path("review/<int:pk>/approve/", review_views.review_approve, name="review-approve"),
    path("review/<int:pk>/return/", review_views.review_return, name="review-return"),
    path("review/<int:pk>/reopen/", review_views.review_reopen, name="review-reopen"),
    *(
        path(
            f"review/<int:pk>/entities/<int:entity_id>/{decision}/",
            review_views.review_entity,
            {"decision": decision},
            name=f"review-entity-{decision}",
        )
        for decision in review_views.ENTITY_DECISIONS
    ),
    path(
        "review/<int:pk>/edits/<int:edit_id>/revert/",
        review_views.review_edit_revert,
        name="review-edit-revert",
    ),
    path("review/<int:pk>/adjudication/", adjudication_views.adjudication, name="adjudication"),
    path(
        "review/<int:pk>/adjudication/decide/",
        adjudication_views.adjudication_decision,
        name="adjudication-decide",
    ),
    path(
        "review/<int:pk>/adjudication/finish/",
        adjudication_views.adjudication_done,
        name="adjudication-finish",
    ),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("agreement/", agreement_views.agreement_page, name="agreement"),
    path("labels.css", label_views.label_stylesheet, name="label-stylesheet"),
]

# Editor workspace: the reader and every edit, all under one story.
_story = "stories/<int:pk>/"
_entity = _story + "entities/<int:entity_id>/"
_character = _story + "characters/<int:character_id>/"
urlpatterns += [
    path("stories/assign/double/", assigning_views.story_assign_double, name="story-assign-double"),
    path(_story, reader_views.story_detail, name="story-detail"),
    path(_story + "legend/", reader_views.story_legend, name="story-legend"),
    path(_story + "history/", reader_views.story_history, name="story-history"),
    path(_story + "panels/", reader_views.story_panels, name="story-panels"),
    path(_story + "live/", reader_views.story_live, name="story-live"),
    path(_story + "undo/", undo_views.story_undo, name="story-undo"),
    path(_story + "redo/", undo_views.story_redo, name="story-redo"),
    path(_story + "done/", entity_views.story_done, name="story-done"),
    path(_story + "entities/", entity_views.entity_create, name="entity-create"),
    # By id: a label's name is checked where it is made, but an id needs no escaping at all.
    path(_story + "labels/<int:label_id>/review/", entity_views.label_review, name="label-review"),
    path(_entity, entity_views.entity_detail, name="entity-detail"),
    path(_entity + "label/", entity_views.entity_label, name="entity-label"),
    path(_entity + "resize/", entity_views.entity_resize, name="entity-resize"),
    path(_entity + "delete/", entity_views.entity_delete, name="entity-delete"),
    path(_entity + "accept/", entity_views.entity_accept, name="entity-accept"),
    path(_entity + "link/", entity_views.entity_link, name="entity-link"),
    path(_entity + "apply-all/", entity_views.entity_apply_preview, name="entity-apply-preview"),
    path(_entity + "apply-all/confirm/", entity_views.entity_apply_all, name="entity-apply-all"),
    path(_story + "characters/", character_views.character_list, name="character-list"),
    path(_story + "characters/new/", character_views.character_create, name="character-create"),
    path(_character, character_views.character_detail, name="character-detail"),
    path(_character + "rename/", character_views.character_rename, name="character-rename"),
    path(_character + "gender/", character_views.character_gender, name="character-gender"),
    path(_story + "characters/merge/", character_views.character_merge, name="character-merge"),
    path(_character + "split/", character_views.character_split, name="character-split"),
    path(_character + "delete/", character_views.character_delete, name="character-delete"),
]
