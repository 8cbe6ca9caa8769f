"""Ingest under faults: the database lost mid-import or down at the start (one line, exit 1, re-run
resumes), batch counts that stay true chunk by chunk, an interrupted batch marked so, one commit per
chunk, and no spaCy import for a command that does not extract."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from interchange.services import ingest as ingest_module
from interchange.services.ingest import DatabaseWentAway, ingest
from stories.models import ImportBatch, Story

ROOT = Path(__file__).resolve().parents[2]


def write_texts(folder: Path, count: int) -> Path:
    folder.mkdir(exist_ok=True)
    for index in range(count):
        (folder / f"story-{index:02d}.txt").write_text(f"Story number {index} tells of Anna in Paris.\n")
    return folder


def terminate_own_backend() -> None:
    """Kill this test's database session from a second connection, as a server restart would."""
    pid = connection.connection.info.backend_pid
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        dbname=s["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_database_lost_mid_ingest_is_one_line_counts_stay_true_and_a_rerun_resumes(
    tmp_path, monkeypatch, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("terminates a PostgreSQL backend; run with DATABASE_URL=postgres://...")
    settings.INGEST_CHUNK_SIZE = 2
    folder = write_texts(tmp_path / "texts", 7)
    real_flush = ingest_module._Run.flush
    flushes = []

    def flush_then_lose_the_database(run):
        real_flush(run)
        flushes.append(1)
        if len(flushes) == 2:  # two chunks (4 stories) are committed; the third is being read
            terminate_own_backend()

    monkeypatch.setattr(ingest_module._Run, "flush", flush_then_lose_the_database)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("ingest", str(folder), "--no-extract", "--batch", "cut", stdout=out, stderr=err)
    message = str(excinfo.value)
    assert "\n" not in message and "Traceback" not in err.getvalue()
    assert message.startswith("The database went away (")
    assert "4 stories of batch 'cut' were stored whole" in message
    assert message.endswith(
        "Run the same command again when it is back to resume: stories already stored are skipped."
    )

    batch = ImportBatch.objects.get()  # a new connection: the session above was terminated
    assert (batch.state, batch.imported_count, batch.finished_at) == (ImportBatch.State.INTERRUPTED, 4, None)
    assert Story.objects.filter(batch=batch).count() == 4

    monkeypatch.setattr(ingest_module._Run, "flush", real_flush)
    out = StringIO()
    call_command("ingest", str(folder), "--no-extract", "--batch", "cut", stdout=out)
    assert "3 imported, 4 duplicates, 0 failed" in out.getvalue()
    assert Story.objects.count() == 7


def test_database_down_at_the_start_is_one_line_and_exit_1(tmp_path):
    folder = write_texts(tmp_path / "texts", 1)
    result = subprocess.run(
        [sys.executable, "manage.py", "ingest", str(folder), "--no-extract"],
        cwd=ROOT,
        env={
            **_env(),
            # Nothing listens on port 9: the connection is refused at once.
            "DATABASE_URL": "postgres://postgres@127.0.0.1:9/fabula_nowhere",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError: The database went away (")
    assert "Run the same command again when it is back to resume" in lines[0]


def test_no_extract_never_imports_spacy(tmp_path):
    folder = write_texts(tmp_path / "texts", 2)
    database = tmp_path / "db.sqlite3"
    script = (
        "import sys, django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        f"call_command('ingest', {str(folder)!r}, no_extract=True, verbosity=0);"
        "from stories.models import Story; assert Story.objects.count() == 2;"
        "print('spacy' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**_env(), "DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.django_db(transaction=True)
def test_one_commit_per_chunk_and_the_batch_counts_follow_each_commit(tmp_path, monkeypatch):
    folder = write_texts(tmp_path / "texts", 5)
    commits = []
    real_commit = connection.commit
    monkeypatch.setattr(connection, "commit", lambda: (commits.append(1), real_commit())[1])
    seen = []

    def watch(event):
        batch = ImportBatch.objects.get()
        seen.append((event.report.imported, batch.imported_count, batch.state))

    report = ingest([folder], extract=False, chunk_size=2, progress=watch)
    assert report.imported == 5
    assert len(commits) == 3  # chunks of 2, 2 and 1 stories
    # Every story reported as imported is already counted in the batch row, which grows chunk by chunk.
    assert all(committed >= reported for reported, committed, _ in seen)
    assert sorted({committed for _, committed, _ in seen}) == [2, 4, 5]
    assert {state for *_, state in seen} == {ImportBatch.State.RUNNING}
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.FINISHED and batch.finished_at is not None


@pytest.mark.django_db
def test_a_lost_connection_inside_the_service_is_database_went_away(tmp_path, monkeypatch):
    from django.db import OperationalError

    folder = write_texts(tmp_path / "texts", 3)

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly\n\tThis probably means...")

    monkeypatch.setattr(ingest_module, "story_duplicate_of", lost)
    monkeypatch.setattr(ingest_module, "stories_duplicate_of", lost)
    with pytest.raises(DatabaseWentAway) as excinfo:
        ingest([folder], extract=False, batch_name="lost")
    assert str(excinfo.value).startswith(
        "The database went away (server closed the connection unexpectedly)."
    )
    assert ImportBatch.objects.get().state == ImportBatch.State.INTERRUPTED


def _env() -> dict[str, str]:
    import os

    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PYTEST") and k != "DJANGO_SETTINGS_MODULE"
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    return env
