"""Distributed extraction without a broker: what a worker does with a chunk (idempotent, editors' work
kept, locked stories skipped, a failing story recorded while the others go on, database errors retried),
how the chunks are queued, and the one-line refusals of `--distributed` where it cannot run."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction

from annotations import tasks
from annotations.services import distributed
from annotations.services.distributed import BatchCounts, ExtractionProgress, extract_queued, queue_extraction
from nlp.extraction import CharacterRow, EntityRow, Extraction
from stories.models import Story
from tests.factories import make_batch, make_entity, make_story, make_user

pytestmark = pytest.mark.django_db


def fake(story_docs, layers=None) -> Extraction:
    text = story_docs.text
    if "poison" in text:
        raise ValueError("the model choked on this text")
    return Extraction(
        spans=[EntityRow(text.index("Anna"), text.index("Anna") + 4, "PERSON", character=0)],
        characters=[CharacterRow("Anna", [], "female")],
    )


@pytest.fixture
def sent(monkeypatch):
    """Tasks that would go to the broker, captured instead."""
    messages = []
    monkeypatch.setattr(distributed.app, "send_task", lambda name, args: messages.append((name, args)))
    monkeypatch.setattr(distributed, "extract", fake)
    return messages


def spans(story: Story) -> list[tuple[int, int, str, str]]:
    return sorted(story.entities.values_list("start", "end", "label_id", "origin"))


def test_queueing_marks_the_stories_and_sends_one_task_per_chunk(sent, settings):
    settings.EXTRACTION_CHUNK_SIZE = 2
    batch = make_batch()
    stories = [make_story(f"Anna number {i}.", batch=batch) for i in range(5)]
    settled = make_story("Anna is approved.", batch=batch, status=Story.Status.APPROVED)
    token, total = queue_extraction([s.pk for s in [*stories, settled]])
    assert total == 5
    assert [name for name, _ in sent] == ["annotations.tasks.extract_stories"] * 3
    assert [args[0] for _, args in sent] == [
        [stories[0].pk, stories[1].pk],
        [stories[2].pk, stories[3].pk],
        [stories[4].pk],
    ]
    assert {args[1] for _, args in sent} == {token.isoformat()}
    assert Story.objects.filter(extraction_queued_at=token).count() == 5
    assert Story.objects.get(pk=settled.pk).extraction_queued_at is None
    assert ExtractionProgress.of(token, total) == ExtractionProgress(total=5, waiting=5, failed=0)
    assert BatchCounts.of(batch) == BatchCounts(stored=6, extracted=0, failed=0, waiting=5)


def test_a_chunk_is_extracted_once_even_when_delivered_twice_and_editors_work_stays(sent):
    editor = make_user("editor")
    story = make_story("Anna met Boris in Paris.")
    other = make_story("Anna stayed home.")
    kept = make_entity(story, "Boris", updated_by=editor, review_state="accepted", origin="editor")
    token, _ = queue_extraction([story.pk, other.pk])
    assert extract_queued([story.pk, other.pk], token) == 2
    first = spans(Story.objects.get(pk=story.pk))
    assert (0, 4, "PERSON", "model") in first and (kept.start, kept.end, "PERSON", "editor") in first
    # A re-delivered task (the worker died after writing, before the acknowledgement) writes nothing.
    assert extract_queued([story.pk, other.pk], token) == 0
    assert spans(Story.objects.get(pk=story.pk)) == first
    done = Story.objects.get(pk=story.pk)
    assert done.extracted_at is not None and done.extraction_queued_at is None
    assert ExtractionProgress.of(token, 2).done


def test_a_story_that_fails_is_recorded_with_the_reason_and_the_others_are_written(sent):
    good, bad = make_story("Anna danced."), make_story("Anna drank the poison.")
    token, total = queue_extraction([good.pk, bad.pk])
    assert extract_queued([good.pk, bad.pk], token) == 1
    assert Story.objects.get(pk=good.pk).entities.count() == 1
    failed = Story.objects.get(pk=bad.pk)
    assert failed.extraction_error == "ValueError: the model choked on this text"
    assert ExtractionProgress.of(token, total) == ExtractionProgress(total=2, waiting=0, failed=1)
    assert distributed.failures(token) == [(bad.pk, bad.title, "ValueError: the model choked on this text")]
    # Queueing it again (a re-run) clears the failure and retries it.
    queue_extraction([bad.pk])
    assert Story.objects.get(pk=bad.pk).extraction_error is None


def test_database_errors_retry_with_backoff_then_the_chunk_is_recorded_as_failed(sent, monkeypatch):
    story = make_story("Anna waited.")
    token, _ = queue_extraction([story.pk])
    attempts = []

    def lost(ids, token):
        attempts.append(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(tasks, "extract_queued", lost)
    tasks.extract_stories.apply(args=[[story.pk], token.isoformat()])
    assert len(attempts) == tasks.MAX_RETRIES + 1
    reason = Story.objects.get(pk=story.pk).extraction_error
    assert reason.startswith("the database kept failing after 6 retries: server closed the connection")


@pytest.mark.django_db(transaction=True)
def test_a_story_locked_by_another_worker_is_skipped(sent):
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED are PostgreSQL's")
    busy, free = make_story("Anna is busy."), make_story("Anna is free.")
    token, _ = queue_extraction([busy.pk, free.pk])
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            list(Story.objects.select_for_update().filter(pk=busy.pk))
            locked.set()
            release.wait(30)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(30)
        assert extract_queued([busy.pk, free.pk], token) == 1
    finally:
        release.set()
        thread.join(30)
    assert Story.objects.get(pk=busy.pk).extraction_queued_at == token  # still the other worker's
    assert Story.objects.get(pk=free.pk).extraction_queued_at is None


def test_distributed_needs_postgresql_and_a_broker_in_one_line(tmp_path, settings):
    (tmp_path / "a.txt").write_text("Anna danced.")
    # On PostgreSQL the missing broker is what stops it; on SQLite the database, even with a broker.
    settings.CELERY_BROKER_URL = (
        "" if connection.vendor == "postgresql" else "amqp://guest:guest@127.0.0.1:5672//"
    )
    expected = (
        "--distributed needs a broker: set CELERY_BROKER_URL"
        if settings.CELERY_BROKER_URL == ""
        else (
            "--distributed needs PostgreSQL (workers on other machines share the database); this is sqlite."
        )
    )
    for command, args in [("ingest", [str(tmp_path)]), ("extract", ["--all"])]:
        with pytest.raises(CommandError) as excinfo:
            call_command(command, *args, "--distributed", stdout=StringIO())
        assert "\n" not in str(excinfo.value)
        assert str(excinfo.value).startswith(expected)
    assert not Story.objects.exists()


def test_no_wait_needs_distributed(tmp_path):
    with pytest.raises(CommandError, match="--no-wait goes with --distributed"):
        call_command("ingest", str(tmp_path), "--no-wait")
