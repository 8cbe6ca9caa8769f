"""The admins' Import page: uploads of .txt, .jsonl and .zip run the ingest service (in-process here:
no broker), the batch page shows the counts and the same per-file error report as the command, and
everyone else is refused."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stories.models import ImportBatch, Story

pytestmark = pytest.mark.django_db

IMPORT = reverse("interchange:import")


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.INGEST_UPLOAD_DIR = tmp_path / "uploads"
    return settings.INGEST_UPLOAD_DIR


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_upload_of_txt_jsonl_and_zip_imports_and_reports_bad_lines(admin_client, admin_user, nlp, uploads):
    jsonl = "\n".join(
        [
            json.dumps({"text": "Anna Petrova danced in Paris."}),
            "{not json",
            json.dumps({"text": "Boris sang."}),
        ]
    )
    files = [
        SimpleUploadedFile("anna.txt", b"Anna went to Moscow with Boris.\n"),
        SimpleUploadedFile("more.jsonl", jsonl.encode()),
        SimpleUploadedFile(
            "folder.zip", zipped({"inner/one.txt": b"Olga wrote to Ivan.\n", "notes.pdf": b"%PDF"})
        ),
    ]
    response = admin_client.post(IMPORT, {"files": files, "name": "from the browser"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "interchange:batch-detail", args=[batch.pk]
    )
    assert (batch.name, batch.state, batch.imported_count, batch.failed_count) == (
        "from the browser",
        "finished",
        4,
        1,
    )
    assert batch.created_by == admin_user and batch.source_paths == ["anna.txt", "more.jsonl", "folder.zip"]
    assert batch.errors[0]["path"] == "more.jsonl" and batch.errors[0]["line"] == 2
    assert Story.objects.filter(batch=batch, extracted_at__isnull=False).count() == 4
    assert Story.objects.filter(batch=batch, entities__isnull=False).distinct().count() >= 2
    assert not any(uploads.iterdir())  # the uploaded files are gone once imported

    page = admin_client.get(response["Location"]).content.decode()
    assert "Batch “from the browser”" in page and "Finished" in page
    assert 'data-count="stored">4<' in page and 'data-count="extracted">4<' in page
    assert 'data-count="refused">1<' in page
    assert "<code>more.jsonl:2</code>" in page
    assert 'hx-trigger="every 1s"' not in page  # nothing left to poll for


def test_a_refused_upload_is_a_400_with_the_reason_and_nothing_is_kept(admin_client, uploads):
    response = admin_client.post(IMPORT, {"files": [SimpleUploadedFile("book.pdf", b"%PDF")]})
    assert response.status_code == 400
    assert "book.pdf: not a .txt, .jsonl or .zip file" in response.content.decode()
    escape = zipped({"../../evil.txt": b"Anna."})
    response = admin_client.post(IMPORT, {"files": [SimpleUploadedFile("evil.zip", escape)]})
    assert response.status_code == 400
    assert "points outside the archive" in response.content.decode()
    response = admin_client.post(IMPORT, {"files": [SimpleUploadedFile("broken.zip", b"not a zip")]})
    assert "broken.zip: not a readable zip file" in response.content.decode()
    assert not ImportBatch.objects.exists() and not Story.objects.exists()
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_running_batch_page_polls_its_progress_partial(admin_client):
    batch = ImportBatch.objects.create(name="running", source_paths=["a.txt"])
    Story.objects.create(title="t", text="Anna.", text_length=5, sha256="a" * 64, batch=batch)
    url = reverse("interchange:batch-detail", args=[batch.pk])
    page = admin_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Working…" in page
    partial = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="batch-progress"') and "<h1>" not in partial


@pytest.mark.parametrize("role", ["editor", "reviewer"])
def test_only_admins_may_import(client, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    batch = ImportBatch.objects.create(name="x")
    for response in (
        client.get(IMPORT),
        client.post(IMPORT, {"files": [SimpleUploadedFile("a.txt", b"Anna.")]}),
        client.get(reverse("interchange:batch-detail", args=[batch.pk])),
    ):
        assert response.status_code == 403
        assert "Only admins can import stories" in response.content.decode()
    assert not Story.objects.exists()
