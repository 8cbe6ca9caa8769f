"""An export requested on the Export page with a broker configured: a real Celery worker over RabbitMQ
writes the file, the page's panel follows the job, and the download is byte for byte what
`manage.py export` writes for the same options."""

from __future__ import annotations

import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from interchange.models import ExportJob
from tests.factories import make_user
from tests.integration import workers
from tests.interchange.export_data import make_export_set

pytestmark = [pytest.mark.distributed, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue():
    if reason := workers.why_not_available():
        pytest.skip(reason)
    name = workers.new_queue()
    yield name
    workers.delete_queue(name)


def test_an_export_job_runs_on_a_worker_and_downloads_the_commands_bytes(queue, tmp_path, client, settings):
    from core.queue import app

    exports = tmp_path / "exports"
    settings.FABULA_EXPORT_DIR = exports
    settings.CELERY_BROKER_URL = workers.BROKER_URL
    saved = app.conf.broker_url, app.conf.task_default_queue, app.conf.task_routes
    app.conf.broker_url, app.conf.task_default_queue = workers.BROKER_URL, queue
    app.conf.task_routes = {"interchange.tasks.export_job": {"queue": queue}}
    make_export_set()
    worker = workers.Worker("exporter", queue, tmp_path / "exporter.log", FABULA_EXPORT_DIR=str(exports))
    try:
        worker.wait_ready()
        client.force_login(make_user("reviewer", username="rita"))
        options = {"format": "spacy", "shard_size": "2", "status": "all", "layer": "final"}
        response = client.post(reverse("interchange:export-jobs"), options, headers={"HX-Request": "true"})
        job = ExportJob.objects.get()
        assert response.status_code == 200 and f'hx-get="/export/jobs/{job.pk}/"' in response.content.decode()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if not job.running:
                break
            time.sleep(0.2)
        panel = client.get(reverse("interchange:export-job", args=[job.pk]), headers={"HX-Request": "true"})
    finally:
        app.conf.broker_url, app.conf.task_default_queue, app.conf.task_routes = saved
        worker.stop()
    log = (tmp_path / "exporter.log").read_text(errors="replace")
    assert job.state == ExportJob.State.FINISHED, (job.error, log[-3000:])
    assert "interchange.tasks.export_job" in log
    assert (job.done, job.total) == (4, 4) and "Download fabula-all-final-" in panel.content.decode()
    served = b"".join(client.get(reverse("interchange:export-job-download", args=[job.pk])).streaming_content)
    target = tmp_path / "command.zip"
    call_command(
        "export", "--format", "spacy", "--shard-size", "2", "--status", "all", "-o", str(target),
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    assert served == target.read_bytes()
