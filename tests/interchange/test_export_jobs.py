"""Export jobs from the Export page: the job's life, its file byte for byte the same as `manage.py
export`'s, failures recorded with the reason, who may download it, nothing half-written ever served,
the in-process path in a thread of its own, and the clean-up of old files."""

from __future__ import annotations

import datetime as dt
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from interchange.models import ExportJob
from interchange.services import exports
from stories.models import ImportBatch
from tests.factories import make_user
from tests.interchange.export_data import make_export_set

pytestmark = pytest.mark.django_db
JOBS = reverse("interchange:export-jobs")
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.FABULA_EXPORT_DIR = tmp_path / "exports"
    return settings.FABULA_EXPORT_DIR


def start(client, **options) -> tuple[ExportJob, str]:
    response = client.post(JOBS, {"status": "approved", "layer": "final", **options}, headers=HTMX)
    assert response.status_code == 200, response.content.decode()
    return ExportJob.objects.order_by("-pk").first(), response.content.decode()


def download(client, job: ExportJob) -> bytes:
    response = client.get(reverse("interchange:export-job-download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def command_bytes(tmp_path: Path, *args: str, suffix: str) -> bytes:
    target = tmp_path / f"command{suffix}"
    call_command("export", *args, "-o", str(target), stdout=StringIO(), stderr=StringIO())
    return target.read_bytes()


def test_a_job_runs_to_the_end_and_its_panel_links_the_file(reviewer_client, reviewer, export_dir):
    make_export_set()
    job, html = start(reviewer_client, format="jsonl")
    assert (job.state, job.done, job.total, job.requested_by, job.format) == (
        "finished",
        3,
        3,
        reviewer,
        "jsonl",
    )
    assert job.started_at and job.finished_at and job.error == ""
    assert job.filters == {"format": "jsonl", "status": "approved", "layer": "final"}
    assert job.download_name.startswith("fabula-approved-final-") and job.download_name.endswith(".jsonl")
    assert [path.name for path in export_dir.iterdir()] == [job.file_name]  # no partial file left
    assert job.size == (export_dir / job.file_name).stat().st_size
    assert reverse("interchange:export-job-download", args=[job.pk]) in html
    assert f"Download {job.download_name}" in html and "3 stories as jsonl" in html
    assert (
        'hx-trigger="every 1s"' not in html and 'aria-disabled="true"' not in html
    )  # done: no poll, button live

    response = reviewer_client.get(reverse("interchange:export-job-download", args=[job.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="{job.download_name}"'
    assert response["Content-Type"] == "application/x-ndjson"
    page = reviewer_client.get(reverse("interchange:export")).content.decode()
    assert f"Download {job.download_name}" in page  # the page shows the latest job on return


@pytest.mark.parametrize(
    ("options", "flags", "suffix"),
    [
        ({"format": "jsonl"}, [], ".jsonl"),
        (
            {"format": "jsonl", "flavor": "doccano", "status": "all"},
            ["--flavor", "doccano", "--status", "all"],
            ".jsonl",
        ),
        ({"format": "spacy"}, [], ".spacy"),
        ({"format": "spacy", "shard_size": "2"}, ["--shard-size", "2"], ".zip"),
        ({"format": "conll", "layer": "model"}, ["--layer", "model"], ".conll"),
        ({"format": "brat", "labels": "PERSON"}, ["--labels", "PERSON"], ".zip"),
        (
            {"format": "csv", "per_entity": "on", "pending": "include"},
            ["--per-entity", "--pending", "include"],
            ".csv",
        ),
    ],
)
def test_the_file_is_byte_for_byte_what_the_command_writes(reviewer_client, tmp_path, options, flags, suffix):
    make_export_set()
    job, _html = start(reviewer_client, **options)
    assert job.state == "finished", job.error
    assert job.download_name.endswith(suffix)
    expected = command_bytes(tmp_path, "--format", options["format"], *flags, suffix=suffix)
    assert download(reviewer_client, job) == expected and expected


def test_a_failing_writer_is_recorded_with_the_reason_and_leaves_no_file(
    reviewer_client, export_dir, monkeypatch
):
    make_export_set()

    def broken(stories, *, options, warn):
        yield b'{"id": 1}\n'
        raise ValueError("the tokenizer ran out of patience")

    monkeypatch.setattr("interchange.writers.jsonl.write", broken)
    job, html = start(reviewer_client, format="jsonl")
    assert job.state == "failed" and job.file_name == ""
    assert "ValueError: the tokenizer ran out of patience" in job.error
    assert "The export failed: The export stopped with an error (ValueError" in html
    assert not any(export_dir.iterdir())  # the partial file went with it
    assert reviewer_client.get(reverse("interchange:export-job-download", args=[job.pk])).status_code == 404


def test_options_no_longer_valid_when_the_job_runs_say_which(reviewer_client, monkeypatch):
    make_export_set()
    # The batch disappears between the request and the run: the job validates its options again.
    monkeypatch.setattr(exports, "run_in_background", lambda name, *args, body: None)
    job, _html = start(reviewer_client, format="jsonl", batch="spring")
    ImportBatch.objects.filter(name="spring").delete()
    exports.run_export(job.pk)
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.error.startswith(
        "The options are no longer valid: --batch: No import batch is named 'spring'."
    )


def test_an_unwritable_folder_is_named_in_the_reason(reviewer_client, settings, tmp_path):
    make_export_set()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.FABULA_EXPORT_DIR = blocker / "exports"
    job, _html = start(reviewer_client, format="csv")
    assert job.state == "failed" and f"Could not write the export file in {blocker / 'exports'}" in job.error


def test_only_the_requester_and_admins_may_follow_or_download(client, reviewer_client, admin_user):
    make_export_set()
    job, _html = start(reviewer_client, format="jsonl")
    urls = [
        reverse("interchange:export-job", args=[job.pk]),
        reverse("interchange:export-job-download", args=[job.pk]),
    ]
    for url in urls:
        assert reviewer_client.get(url).status_code == 200
    client.force_login(make_user("reviewer", username="other"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403 and "started by someone else" in response.content.decode()
    client.force_login(make_user("editor", username="eddie"))
    assert all(client.get(url).status_code == 403 for url in urls)
    client.force_login(admin_user)
    assert all(client.get(url).status_code == 200 for url in urls)


def test_nothing_half_written_is_served(reviewer_client, export_dir, monkeypatch):
    """While the writer is mid-way, the job names no file and the download answers 404."""
    make_export_set()
    seen = {}
    real = exports.ExportPlan.chunks

    def chunks(plan, stories, *, warn):
        for number, chunk in enumerate(real(plan, stories, warn=warn)):
            if number == 1:
                job = ExportJob.objects.get()
                seen["state"], seen["file_name"] = job.state, job.file_name
                seen["status"] = reviewer_client.get(
                    reverse("interchange:export-job-download", args=[job.pk])
                ).status_code
                seen["on_disk"] = sorted(path.name for path in export_dir.iterdir())
            yield chunk

    monkeypatch.setattr(exports.ExportPlan, "chunks", chunks)
    job, _html = start(reviewer_client, format="jsonl")
    assert seen["state"] == "running" and seen["file_name"] == "" and seen["status"] == 404
    assert all(name.startswith(".") and name.endswith(".partial") for name in seen["on_disk"])
    assert job.state == "finished" and download(reviewer_client, job).count(b"\n") == 3


def test_progress_is_written_as_the_stories_go(reviewer_client, monkeypatch):
    make_export_set()
    monkeypatch.setattr(exports, "PROGRESS_SECONDS", 0)
    seen = []
    real = exports.export_stories

    def watched(**kwargs):
        for story in real(**kwargs):
            seen.append(ExportJob.objects.get().done)
            yield story

    monkeypatch.setattr(exports, "export_stories", watched)
    job, _html = start(reviewer_client, format="jsonl")
    assert seen == [0, 1, 2] and job.done == 3


def test_a_running_job_is_shown_with_its_progress_and_a_disabled_button(reviewer_client, reviewer):
    make_export_set()
    job = ExportJob.objects.create(requested_by=reviewer, format="conll", state="running", done=1, total=3)
    html = reviewer_client.get(
        reverse("interchange:export-job", args=[job.pk]), headers=HTMX
    ).content.decode()
    assert (
        'hx-trigger="every 1s"' in html and 'disabled aria-disabled="true"' in html and "Exporting…" in html
    )
    assert '<progress max="3" value="1"' in html and 'data-count="done">1<' in html
    # Asking again while it runs gives the same job, not a second one.
    again, _html = start(reviewer_client, format="jsonl")
    assert again == job and ExportJob.objects.count() == 1


def test_invalid_options_are_refused_with_the_reason(reviewer_client):
    make_export_set()
    response = reviewer_client.post(
        JOBS, {"format": "jsonl", "status": "approved", "layer": "final", "labels": "HERO"}
    )
    assert response.status_code == 400 and "--labels: Unknown label(s) HERO." in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_long_job_notifies_its_requester(reviewer_client, reviewer, monkeypatch):
    make_export_set()
    job, _html = start(reviewer_client, format="jsonl")
    assert not Notification.objects.exists()  # quick: the page showed it
    monkeypatch.setattr(exports, "NOTIFY_AFTER_SECONDS", 0)
    job.delete()
    job, _html = start(reviewer_client, format="jsonl")
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.url) == (reviewer, "export_ready", f"/export/jobs/{job.pk}/")
    assert note.message == "Your jsonl export of 3 stories is ready to download."
    page = reviewer_client.get(note.url).content.decode()
    assert f"Download {job.download_name}" in page and "<html" in page


def test_a_redelivered_task_leaves_a_finished_job_alone(reviewer_client, export_dir):
    make_export_set()
    job, _html = start(reviewer_client, format="jsonl")
    exports.run_export(job.pk)
    assert ExportJob.objects.get().file_name == job.file_name and len(list(export_dir.iterdir())) == 1


def test_lost_jobs_are_marked_failed(reviewer):
    old = timezone.now() - dt.timedelta(hours=1)
    running = ExportJob.objects.create(requested_by=reviewer, format="jsonl", state="running")
    queued = ExportJob.objects.create(requested_by=reviewer, format="jsonl")
    fresh = ExportJob.objects.create(requested_by=reviewer, format="jsonl", state="running")
    ExportJob.objects.filter(pk__in=[running.pk, queued.pk]).update(updated_at=old)
    assert exports.mark_stale_jobs() == 2
    states = dict(ExportJob.objects.values_list("pk", "state"))
    assert (states[running.pk], states[queued.pk], states[fresh.pk]) == ("failed", "failed", "running")
    assert "the process writing it ended" in ExportJob.objects.get(pk=running.pk).error


def test_old_files_are_removed_by_the_command_and_on_the_next_export(reviewer_client, reviewer, export_dir):
    make_export_set()
    job, _html = start(reviewer_client, format="jsonl")
    leftover = export_dir / ".9-dead.jsonl.partial"
    leftover.write_bytes(b"half")
    out = StringIO()
    call_command("clean_exports", stdout=out)
    assert "Removed 0 files" in out.getvalue() and leftover.exists()  # all recent: kept

    two_days = time.time() - 48 * 3600
    os.utime(leftover, (two_days, two_days))
    ExportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(hours=48))
    call_command("clean_exports", stdout=out)
    assert "Removed 2 files" in out.getvalue() and "(1 finished export expired)" in out.getvalue()
    job.refresh_from_db()
    assert (job.state, job.file_name) == ("expired", "") and not any(export_dir.iterdir())
    assert reviewer_client.get(reverse("interchange:export-job-download", args=[job.pk])).status_code == 404
    assert (
        "file was removed after a while"
        in reviewer_client.get(reverse("interchange:export")).content.decode()
    )

    second, _html = start(reviewer_client, format="jsonl")
    ExportJob.objects.filter(pk=second.pk).update(finished_at=timezone.now() - dt.timedelta(hours=48))
    third, _html = start(reviewer_client, format="csv")  # the next export cleans up first
    assert ExportJob.objects.get(pk=second.pk).state == "expired"
    assert [path.name for path in export_dir.iterdir()] == [third.file_name]


def test_clean_exports_refuses_a_negative_age():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--older-than -1: give a number of hours of 0 or more"):
        call_command("clean_exports", "--older-than", "-1")


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_job_runs_in_a_thread_and_the_page_polls_it(client, settings, tmp_path):
    """The in-process path as `make run` has it: the request answers at once, the thread writes."""
    settings.FABULA_IN_PROCESS_TASKS = "thread"
    make_export_set()
    user = make_user("reviewer", username="rita")
    client.force_login(user)
    response = client.post(JOBS, {"format": "conll", "status": "approved", "layer": "final"}, headers=HTMX)
    job = ExportJob.objects.get()
    html = response.content.decode()
    if job.running:  # the thread may already be done; if not, the panel polls
        assert f'hx-get="/export/jobs/{job.pk}/"' in html and 'aria-disabled="true"' in html
    deadline = time.monotonic() + 60
    while ExportJob.objects.get().running and time.monotonic() < deadline:
        time.sleep(0.1)
    job.refresh_from_db()
    assert job.state == "finished", job.error
    panel = client.get(reverse("interchange:export-job", args=[job.pk]), headers=HTMX).content.decode()
    assert "Download fabula-approved-final-" in panel
    assert download(client, job) == command_bytes(tmp_path, "--format", "conll", suffix=".conll")
