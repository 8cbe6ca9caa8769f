"""Hostile and malformed input: each case is a specific 4xx or a `file:line` error, never a 500 or a
half-read import. Run on SQLite and on PostgreSQL (DATABASE_URL), where NUL and lone surrogates bite."""

from __future__ import annotations

import html
import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from annotations.models import Edit, Entity, Label, validate_label_color, validate_label_name
from annotations.services.labels import label_get_or_create
from stories.models import ImportBatch, Story
from tests.factories import make_entity, make_story, make_user

pytestmark = pytest.mark.django_db


def ingest_failing(*paths) -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="failed"):
        call_command("ingest", *map(str, paths), "--no-extract", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


# --- ingest ---------------------------------------------------------------------------------------


def test_jsonl_with_a_nul_or_a_lone_surrogate_fails_that_line_and_imports_the_rest(tmp_path):
    lines = [
        {"text": "Anna met Boris in the park on a sunny day."},
        '{"text": "A NUL \\u0000 inside this story text."}',
        '{"text": "A lone \\ud800 surrogate in this story."}',
        '{"text": "Fine text.", "meta": {"source": "x\\u0000y"}}',
        {"text": "The last good line, about Paris and Rome."},
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines), "utf-8")
    output = ingest_failing(path)
    assert f'{path}:2: "text" holds a NUL character (\\u0000) at character 6; remove it' in output
    assert f'{path}:3: "text" holds a lone surrogate (\\ud800) at character 7' in output
    assert f'{path}:4: "meta".source holds a NUL character' in output
    assert sorted(Story.objects.values_list("text", flat=True)) == [
        "Anna met Boris in the park on a sunny day.",
        "The last good line, about Paris and Rome.",
    ]
    batch = ImportBatch.objects.get()
    assert (batch.imported_count, batch.failed_count) == (2, 3)


def test_a_file_whose_name_is_not_utf8_fails_alone_and_the_folder_imports(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a-good.txt").write_text("Anna danced in Paris with Boris.", "utf-8")
    bad = os.path.join(os.fsencode(folder), b"b-caf\xe9.txt")
    with open(bad, "wb") as handle:
        handle.write(b"A story in a file named in Latin-1.")
    (folder / "c-good.txt").write_text("Mary walked to London in the rain.", "utf-8")
    output = ingest_failing(folder)
    assert f"{folder}/b-caf\\xe9.txt: the file name is not valid UTF-8; rename the file" in output
    assert sorted(Story.objects.values_list("text", flat=True)) == [
        "Anna danced in Paris with Boris.",
        "Mary walked to London in the rain.",
    ]


def test_a_brat_text_with_a_nul_is_a_file_line_error(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "one.txt").write_text("Anna met Boris.\nThen \x00 Paris.", "utf-8")
    (folder / "one.ann").write_text("", "utf-8")
    (folder / "two.txt").write_text("Mary met Anna.", "utf-8")
    (folder / "two.ann").write_text("T1\tPERSON 0 4\tMary\n", "utf-8")
    output = ingest_failing(folder)
    assert f"{folder}/one.txt:2: holds a NUL character (\\u0000) at character 21" in output
    assert list(Story.objects.values_list("text", flat=True)) == ["Mary met Anna."]


def test_create_labels_refuses_a_name_that_is_not_a_label_name(tmp_path):
    line = {
        "text": "Anna rode the Orient Express.",
        "spans": [{"start": 14, "end": 28, "label": "TRAIN/CAR"}],
    }
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(line) + "\n" + json.dumps({"text": "Another story, plain."}) + "\n", "utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("ingest", str(path), "--no-extract", "--create-labels", stdout=out, stderr=err)
    output = out.getvalue() + err.getvalue()
    assert f"{path}:1" in output and "cannot create label 'TRAIN/CAR'" in output
    assert "a letter, then letters, digits, _ or -" in output and "--label-map 'TRAIN/CAR=NEW_NAME'" in output
    assert not Label.objects.filter(name="TRAIN/CAR").exists()
    assert list(Story.objects.values_list("text", flat=True)) == ["Another story, plain."]


# --- labels -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["A/B", "", "PER SON", "1ST", "X" * 41, "PER\x00SON", "É", "a.b", "<i>"])
def test_bad_label_names_are_refused_where_labels_are_made(name):
    with pytest.raises(ValidationError, match="a letter, then letters, digits, _ or -"):
        validate_label_name(name)
    before = Label.objects.count()
    with pytest.raises(ValidationError):
        label_get_or_create(name=name)
    assert Label.objects.count() == before  # refused before any query could carry the NUL


@pytest.mark.parametrize("name", ["PERSON", "WORK_OF_ART", "B-PER", "x"])
def test_good_label_names_pass(name):
    validate_label_name(name)


@pytest.mark.parametrize("color", ['"><i>', "red", "#fff", "#12345g", "#1234567", ""])
def test_label_colours_must_be_hex(color):
    with pytest.raises(ValidationError, match="six hex digits"):
        validate_label_color(color)


def _admin_label_form(client, **fields):
    data = {"name": "TRAIN", "description": "", "color": "#1d5fbf", "hotkey": "", "order": 100, "shown": "on"}
    return client.post(reverse("admin:annotations_label_add"), {**data, **fields})


def test_the_admin_refuses_a_bad_label_name_or_colour(client):
    client.force_login(make_user("admin"))
    page = html.unescape(_admin_label_form(client, name="A/B").content.decode())
    assert "A label name is 1 to 40 characters" in page
    page = _admin_label_form(client, color='"><i>').content.decode()
    assert "A label colour is # and six hex digits" in html.unescape(page) and "<i>" not in page
    assert not Label.objects.filter(name__in=["A/B", "TRAIN"]).exists()
    assert _admin_label_form(client).status_code == 302
    assert Label.objects.get(name="TRAIN").color == "#1d5fbf"


def test_the_reader_routes_labels_by_id_so_an_old_odd_name_still_renders(editor_client):
    odd = Label.objects.create(name="PER/SON", color="#123456")  # made before names were checked
    story = make_story("Anna met Boris.")
    make_entity(story, "Anna", "PER/SON", review_state=Entity.ReviewState.PENDING)
    response = editor_client.get(reverse("annotations:story-detail", args=[story.pk]))
    assert response.status_code == 200
    url = reverse("annotations:label-review", args=[story.pk, odd.pk])
    assert url in response.content.decode()
    answer = editor_client.post(url, {"decision": "accept", "version": story.version})
    assert answer.status_code == 302
    assert Entity.objects.get().review_state == Entity.ReviewState.ACCEPTED


def test_a_nul_in_urls_and_query_strings_is_a_4xx(client):
    client.force_login(make_user("admin"))
    story = make_story()
    nul = "%00"
    assert client.post(f"/stories/{story.pk}/labels/PER{nul}SON/review/").status_code == 404
    for url in [
        f"/?q=An{nul}na",
        f"/?label=PER{nul}SON",
        f"/?batch=x{nul}",
        f"/review/?batch=1{nul}",
        f"/dashboard/?batch=1{nul}",
        f"/export/?format=jsonl&status=all&labels=PER{nul}SON",
        f"/export/?format=jsonl&status=all&batch=b{nul}",
        f"/stories/{story.pk}/?chunk=1{nul}",
        f"/notifications/?page=1{nul}",
    ]:
        status = client.get(url).status_code
        assert status < 500, f"{url}: {status}"


# --- ids ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("edit", ["-1", "+1", "²", " 1", "١", "1.0", "0"])
@pytest.mark.parametrize("htmx", [False, True])
def test_undo_with_an_id_that_is_not_plain_digits_is_400_and_undoes_nothing(editor_client, edit, htmx):
    story = make_story("Anna met Boris.")
    version = story.version
    editor_client.post(
        reverse("annotations:entity-create", args=[story.pk]),
        {"start": 0, "end": 4, "label": "PERSON", "version": version},
    )
    story.refresh_from_db()
    assert Entity.objects.count() == 1 and Edit.objects.count() == 1
    response = editor_client.post(
        reverse("annotations:story-undo", args=[story.pk]),
        {"edit": edit, "version": story.version},
        headers={"HX-Request": "true"} if htmx else {},
    )
    assert response.status_code == 400
    message = "A change id is a whole number of 1 or more written with the digits 0–9, such as 42"
    assert f"{message}; got {edit!r}" in html.unescape(response.content.decode())
    assert Entity.objects.count() == 1 and Edit.objects.count() == 1


@pytest.mark.parametrize("ids", ["²", "1,-2", "+3", "1;2"])
def test_export_ids_that_are_not_plain_digits_are_400_on_the_page_and_refused_by_the_command(client, ids):
    client.force_login(make_user("reviewer"))
    response = client.get("/export/", {"format": "jsonl", "status": "all", "ids": ids, "download": "1"})
    assert response.status_code == 400
    assert "A story id is a whole number of 1 or more" in response.content.decode()
    with pytest.raises(CommandError, match="A story id is a whole number"):
        call_command("export", "--format", "jsonl", "--ids", ids, "-o", "-", stdout=StringIO())


def test_grep_finds_no_isdigit_parsing_ids():
    """`isdigit()` is true for '²' and '١', which int() refuses or reads differently: ids use parse_id."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for app in ("core", "stories", "annotations", "interchange")
        for path in (root / app).rglob("*.py")
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if ".isdigit()" in line and ("id" in line.lower() or "pk" in line.lower())
    ]
    assert offenders == []


# --- hosts ----------------------------------------------------------------------------------------------


def test_an_unknown_host_is_400_with_the_bad_request_page():
    response = Client(raise_request_exception=False).get("/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "The request was not understood" in response.content.decode()
