"""Every Fabula model's admin lists, searches, filters and opens a row without errors."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from annotations.models import Edit, Label
from stories.models import ImportBatch, PipelineSetting
from tests.factories import make_character, make_entity, make_story

pytestmark = pytest.mark.django_db

FABULA_APPS = {"stories", "annotations", "interchange"}


@pytest.fixture
def data(admin_user):
    batch = ImportBatch.objects.create(name="Batch one", errors=[{"path": "x.txt", "reason": "empty"}])
    story = make_story("Anna Petrova danced in Paris with Boris.", title="Anna's night", batch=batch)
    anna = make_character(story)
    make_entity(story, "Anna Petrova", character=anna)
    Edit.objects.create(story=story, user=admin_user, action="create", summary="Tagged Anna")
    PipelineSetting.objects.create(spacy_model="")
    return story


def fabula_models():
    return [model for model in admin.site._registry if model._meta.app_label in FABULA_APPS]


def test_every_model_of_both_apps_is_registered():
    names = {model.__name__ for model in fabula_models()}
    assert {"ImportBatch", "Story", "PipelineSetting", "Label", "Character", "Entity", "Edit"} <= names


def test_changelists_search_and_change_pages_render(client, admin_user, data):
    client.force_login(admin_user)
    for model in fabula_models():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist, {"q": "Anna"}).status_code == 200, changelist
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change


def test_story_list_shows_titles_not_texts(client, admin_user, data):
    client.force_login(admin_user)
    html = client.get(reverse("admin:stories_story_changelist")).content.decode()
    assert "Anna&#x27;s night" in html and "danced in Paris" not in html


def test_labels_are_editable_in_the_list(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("admin:annotations_label_changelist")).content.decode()
    person = Label.objects.get(name="PERSON")
    assert 'name="form-0-color"' in html and person.color in html


@pytest.mark.parametrize("model", ["entity", "character", "edit", "story"])
def test_a_changelist_costs_the_same_queries_for_5_rows_as_for_60(client, admin_user, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin_user)
    url = reverse(f"admin:{'stories' if model == 'story' else 'annotations'}_{model}_changelist")

    def add(n: int) -> None:
        for _ in range(n):
            story = make_story("Anna Petrova danced in Paris with Boris.")
            anna = make_character(story)
            make_entity(story, "Anna Petrova", character=anna)
            Edit.objects.create(story=story, user=admin_user, action="create", summary="Tagged Anna")

    counts = []
    for n in (5, 55):
        add(n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
