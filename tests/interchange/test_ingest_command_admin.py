"""`ingest` records who imported a batch (--user, or "command line"), refuses an unknown account or an
unloadable pipeline in one line, and the admin shows a batch's errors as a table."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from stories.models import ImportBatch, PipelineSetting
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def ingest(folder, *args, batch="b"):
    folder.mkdir(exist_ok=True)
    (folder / "good.txt").write_text(f"Anna met Boris in {batch}.", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    out = StringIO()
    with pytest.raises(CommandError, match="1 file"):  # the empty file fails, so the command exits non-zero
        call_command("ingest", str(folder), "--no-extract", "--batch", batch, *args, stdout=out, stderr=out)
    return ImportBatch.objects.get(name=batch)


def test_user_is_recorded_and_the_admin_says_command_line_otherwise(tmp_path, admin_client):
    make_user("admin", username="ada")
    assert ingest(tmp_path / "one", "--user", "ada", batch="Moscow").created_by.username == "ada"
    assert ingest(tmp_path / "two", batch="Paris").created_by is None
    html = admin_client.get(reverse("admin:stories_importbatch_changelist")).content.decode()
    assert "command line" in html


def test_an_unknown_user_is_refused_before_anything_is_read(tmp_path):
    make_user("editor", username="edna")
    with pytest.raises(CommandError, match=r"--user 'nobody': no such account\. Accounts: .*edna"):
        call_command("ingest", str(tmp_path), "--user", "nobody", stdout=StringIO())
    assert not ImportBatch.objects.exists()


def test_an_unloadable_pipeline_is_one_line(tmp_path):
    (tmp_path / "a.txt").write_text("Anna.", encoding="utf-8")
    PipelineSetting.objects.create(spacy_model="gone_pipeline")
    with pytest.raises(CommandError, match="The spaCy pipeline 'gone_pipeline' cannot be loaded") as refused:
        call_command("ingest", str(tmp_path), stdout=StringIO())
    assert "\n" not in str(refused.value) and not ImportBatch.objects.exists()


def test_the_admin_shows_errors_as_a_table(tmp_path, admin_client):
    batch = ingest(tmp_path)
    html = admin_client.get(reverse("admin:stories_importbatch_change", args=[batch.pk])).content.decode()
    assert '<table class="import-errors">' in html and "<th>Reason</th>" in html
    assert "empty.txt" in html and '"reason"' not in html  # a table, not the JSON
