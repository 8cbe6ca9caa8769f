"""The Import page in Chromium: an admin uploads files, lands on the batch page with its counts and the
per-file error report, and a running batch's progress bar follows the database by htmx polling."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from stories.models import ImportBatch, Story
from tests.browser.conftest import log_in
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.INGEST_UPLOAD_DIR = tmp_path / "uploads"


def test_admin_uploads_files_and_sees_the_batch_report(page, shot, tmp_path, nlp):
    make_user("admin", username="ada")
    (tmp_path / "anna.txt").write_text("Anna Petrova danced in Paris with Boris.\n")
    (tmp_path / "more.jsonl").write_text(json.dumps({"text": "Olga wrote to Ivan."}) + "\n{broken\n")
    log_in(page, "ada")
    page.get_by_role("link", name="Import").click()
    page.get_by_label("Files").set_input_files([str(tmp_path / "anna.txt"), str(tmp_path / "more.jsonl")])
    page.get_by_label("Batch name").fill("first upload")
    shot("import-page", doc=True)
    page.get_by_role("button", name="Import").click()

    page.get_by_role("heading", name="Batch “first upload”").wait_for()
    progress = page.locator("#batch-progress")
    assert progress.locator('[data-count="stored"]').inner_text() == "2"
    assert progress.locator('[data-count="extracted"]').inner_text() == "2"
    assert progress.locator('[data-count="refused"]').inner_text() == "1"
    assert "more.jsonl:2" in progress.get_by_role("listitem").first.inner_text()
    shot("import-batch-report", doc=True, full_page=True)
    assert Story.objects.filter(batch__name="first upload").count() == 2


def test_a_running_batch_page_follows_the_workers(page, shot):
    make_user("admin", username="ada")
    batch = ImportBatch.objects.create(name="on the workers", source_paths=["corpus/"])
    queued = timezone.now()
    stories = [
        Story.objects.create(
            title=f"Story {i}",
            text=f"Anna {i}.",
            text_length=len(f"Anna {i}."),
            sha256=f"{i:064d}",
            batch=batch,
            extraction_queued_at=queued,
        )
        for i in range(4)
    ]
    log_in(page, "ada")
    page.goto(f"/import/batches/{batch.pk}/")
    bar = page.locator("#batch-progress progress")
    assert bar.get_attribute("value") == "0"
    # A worker writes two stories, then the import finishes: the page catches up without a reload.
    Story.objects.filter(pk__in=[s.pk for s in stories[:2]]).update(
        extracted_at=timezone.now(), extraction_queued_at=None
    )
    page.wait_for_function("() => document.querySelector('#batch-progress progress').value === 2")
    assert page.locator('[data-count="waiting"]').inner_text() == "2"
    shot("import-batch-progress", doc=True)
    Story.objects.filter(batch=batch).update(extracted_at=timezone.now(), extraction_queued_at=None)
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.FINISHED, finished_at=timezone.now()
    )
    page.get_by_text("Done.").wait_for()
    assert page.locator('[data-count="extracted"]').inner_text() == "4"
