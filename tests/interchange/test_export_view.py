"""The reviewers' export page: permissions, the form, the match count, and the streamed bytes."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse
from spacy.tokens import DocBin

from interchange.writers.tokens import tokenizer_nlp
from tests.interchange.export_data import ANNA, make_export_set

pytestmark = pytest.mark.django_db
URL = reverse("interchange:export")


def test_editor_gets_403_and_anonymous_is_sent_to_login(client, editor):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(editor)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "jsonl", "download": "1"}).status_code == 403


def test_form_page_shows_options_and_count(reviewer_client):
    make_export_set()
    response = reviewer_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert 'id="export-summary"' in html and "<strong>3</strong> stories match" in html
    assert 'name="format"' in html and 'value="brat"' in html and 'name="layer"' in html


def test_htmx_change_renders_only_the_summary(reviewer_client):
    make_export_set()
    response = reviewer_client.get(
        URL, {"format": "jsonl", "status": "all", "layer": "final"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="export-summary"' in html and "<strong>4</strong> stories match" in html


def test_invalid_options_give_400_with_the_reason(reviewer_client):
    make_export_set()
    response = reviewer_client.get(
        URL, {"format": "jsonl", "status": "approved", "layer": "final", "labels": "HERO", "download": "1"}
    )
    assert response.status_code == 400
    assert "Unknown label(s) HERO." in response.content.decode()


def test_reviewer_downloads_streamed_jsonl(reviewer_client):
    sets = make_export_set()
    response = reviewer_client.get(
        URL, {"format": "jsonl", "status": "approved", "layer": "final", "download": "1"}
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"].startswith('attachment; filename="fabula-approved-final-')
    records = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert [r["id"] for r in records] == [sets["anna"].pk, sets["macbeth"].pk, sets["plain"].pk]


def test_admin_downloads_spacy_docbin_and_brat_zip(client, admin_user):
    make_export_set()
    client.force_login(admin_user)
    base = {"status": "approved", "layer": "final", "download": "1"}
    response = client.get(URL, {**base, "format": "spacy"})
    assert response["Content-Disposition"].endswith('.spacy"')
    docs = list(DocBin().from_bytes(b"".join(response.streaming_content)).get_docs(tokenizer_nlp().vocab))
    assert docs[0].text == ANNA and [e.text for e in docs[0].ents][:2] == ["Anna Petrova", "Paris"]
    response = client.get(URL, {**base, "format": "spacy", "shard_size": "2"})
    assert response["Content-Type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()) == 2
    response = client.get(URL, {**base, "format": "brat"})
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert names[-1] == "fabula/annotation.conf" and len(names) == 7


def test_post_is_not_allowed(reviewer_client):
    assert reviewer_client.post(URL).status_code == 405
