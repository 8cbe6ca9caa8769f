"""Distributed extraction against real RabbitMQ, PostgreSQL and two Celery worker processes, one of
which is killed with SIGKILL mid-way: every story is still extracted exactly once, with the same
entities as an in-process ingest of the same texts."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from annotations.models import Entity
from interchange.services.ingest import ingest
from stories.models import ImportBatch, Story
from tests.integration import workers

pytestmark = [pytest.mark.distributed, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue():
    if reason := workers.why_not_available():
        pytest.skip(reason)
    name = workers.new_queue()
    yield name
    workers.delete_queue(name)


def entities_by_text() -> dict[str, list[tuple[int, int, str, str]]]:
    return {
        story.sha256: sorted(
            Entity.objects.filter(story=story).values_list("start", "end", "label_id", "text")
        )
        for story in Story.objects.all()
    }


def write_texts(folder, texts) -> None:
    folder.mkdir()
    for index, text in enumerate(texts):
        (folder / f"text-{index:02d}.txt").write_text(text, encoding="utf-8")


def test_two_workers_one_killed_every_story_extracted_once_as_in_process(queue, tmp_path):
    texts = workers.litbank_texts()
    write_texts(tmp_path / "texts", texts)
    ingest([tmp_path / "texts"], batch_name="in-process")
    expected = entities_by_text()
    assert len(expected) == len(texts) and sum(map(len, expected.values())) > 50
    Story.objects.all().delete()
    ImportBatch.objects.all().delete()

    logs = tmp_path / "logs"
    logs.mkdir()
    pool = [workers.Worker(f"w{i}", queue, logs / f"w{i}.log") for i in (1, 2)]
    command = None
    try:
        for worker in pool:
            worker.wait_ready()
        command = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "ingest",
                str(tmp_path / "texts"),
                "--batch",
                "spread",
                "--distributed",
            ],
            cwd=workers.ROOT,
            env=workers.environment(queue),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Kill the first worker once the work is well under way (a chunk of its own in hand).
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            extracted = Story.objects.filter(extracted_at__isnull=False).count()
            if extracted >= 4:
                break
            assert command.poll() is None, command.communicate()
            time.sleep(0.05)
        assert extracted < len(texts), "the workers finished before one could be killed"
        pool[0].kill()
        out, err = command.communicate(timeout=300)
    finally:
        if command is not None and command.poll() is None:
            command.kill()
        for worker in pool:
            worker.stop()

    assert command.returncode == 0, (out, err, (logs / "w2.log").read_text()[-3000:])
    assert f"{len(texts)} imported" in out
    assert f"{len(texts)} stories extracted by the workers, 0 failed" in out
    stories = list(Story.objects.all())
    assert len(stories) == len(texts)
    assert all(
        s.extracted_at and s.extraction_queued_at is None and s.extraction_error is None for s in stories
    )
    assert entities_by_text() == expected
    # Extracting bumps the version of a story it gives entities to; a second extraction would bump it
    # again (its untouched predictions replaced), so version 2 means exactly once.
    assert {s.version for s in stories if expected[s.sha256]} == {2}
    assert "w2@" in (logs / "w2.log").read_text() and pool[0].process.returncode == -9


def test_a_browser_upload_runs_as_a_task_on_the_workers(queue, tmp_path, client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from core.queue import app
    from tests.factories import make_user

    uploads = tmp_path / "uploads"
    settings.INGEST_UPLOAD_DIR = uploads
    settings.CELERY_BROKER_URL = workers.BROKER_URL
    saved = app.conf.broker_url, app.conf.task_default_queue
    app.conf.broker_url, app.conf.task_default_queue = workers.BROKER_URL, queue
    texts = workers.litbank_texts()[:6]
    worker = workers.Worker("up", queue, tmp_path / "up.log", INGEST_UPLOAD_DIR=str(uploads))
    try:
        worker.wait_ready()
        client.force_login(make_user("admin", username="ada"))
        files = [SimpleUploadedFile(f"t{i}.txt", text.encode()) for i, text in enumerate(texts)]
        response = client.post(reverse("interchange:import"), {"files": files, "name": "queued"})
        assert response.status_code == 302
        batch = ImportBatch.objects.get()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            batch.refresh_from_db()
            done = Story.objects.filter(batch=batch, extracted_at__isnull=False).count()
            if batch.state == ImportBatch.State.FINISHED and done == len(texts):
                break
            time.sleep(0.2)
        page = client.get(response["Location"]).content.decode()
    finally:
        app.conf.broker_url, app.conf.task_default_queue = saved
        worker.stop()
    assert (batch.state, batch.imported_count) == (ImportBatch.State.FINISHED, len(texts))
    assert done == len(texts), (tmp_path / "up.log").read_text()[-3000:]
    assert f'data-count="extracted">{len(texts)}<' in page and "Done." in page
    assert not any(uploads.iterdir())
