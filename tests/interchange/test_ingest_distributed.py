"""`ingest --distributed --no-wait` with the broker's messages captured: the texts are stored and marked,
the command prints the batch and returns, and a re-run after the messages were lost queues what is left."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from annotations.services import distributed
from stories.models import ImportBatch, Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch, settings):
    if connection.vendor != "postgresql":
        pytest.skip("--distributed needs PostgreSQL; run with DATABASE_URL=postgres://...")
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
    settings.EXTRACTION_CHUNK_SIZE = 2
    messages = []
    monkeypatch.setattr(distributed.app, "send_task", lambda name, args: messages.append(args))
    return messages


def test_no_wait_stores_marks_and_prints_the_batch_and_a_rerun_queues_the_rest(sent, tmp_path):
    for index in range(3):
        (tmp_path / f"s{index}.txt").write_text(f"Anna wrote letter {index} to Boris.\n")
    out = StringIO()
    call_command("ingest", str(tmp_path), "--batch", "spread", "--distributed", "--no-wait", stdout=out)
    batch = ImportBatch.objects.get()
    assert f"Batch 'spread' (id {batch.pk}): 3 stories queued for extraction." in out.getvalue()
    assert f"/import/batches/{batch.pk}/" in out.getvalue()
    assert "extraction queued for the workers" in out.getvalue()
    assert [len(ids) for ids, _ in sent] == [2, 1]
    assert Story.objects.filter(batch=batch, extraction_queued_at__isnull=False).count() == 3
    assert not Story.objects.filter(entities__isnull=False).exists()  # nothing extracted here

    # The messages are lost (the broker went away); the same command again sends the stories left.
    sent.clear()
    out = StringIO()
    call_command("ingest", str(tmp_path), "--batch", "spread", "--distributed", "--no-wait", stdout=out)
    assert (
        "0 imported, 3 duplicates" in out.getvalue() and "3 stories queued for extraction" in out.getvalue()
    )
    assert sorted(i for ids, _ in sent for i in ids) == sorted(Story.objects.values_list("pk", flat=True))


def test_extract_distributed_queues_a_batch_leaving_settled_stories_alone(sent):
    from tests.factories import make_batch, make_story

    batch = make_batch("stored")
    stories = [make_story(f"Anna and Boris, part {i}.", batch=batch) for i in range(3)]
    make_story("Anna, approved.", batch=batch, status=Story.Status.APPROVED)
    out = StringIO()
    call_command("extract", "--batch", "stored", "--distributed", "--no-wait", stdout=out)
    assert "3 stories queued for extraction; 1 done or approved stories left as they are." in out.getvalue()
    assert sorted(i for ids, _ in sent for i in ids) == [s.pk for s in stories]
