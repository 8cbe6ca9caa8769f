"""The export page in Chromium: the match count follows the options; Export starts a job whose button
stays disabled and whose progress shows while it runs, then a link downloads the real file."""

from __future__ import annotations

import csv
import time
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command

from interchange.services import exports
from tests.browser.conftest import log_in
from tests.factories import make_story, make_user
from tests.interchange.export_data import ANNA, make_export_set

# serialized_rollback: every transactional test flushes the database when it ends, seeded labels and groups
# with it; this reloads them before the test, whatever transactional test ran earlier in the worker.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reviewer_sets_options_sees_the_count_and_downloads(page, shot, tmp_path):
    sets = make_export_set()
    make_user("reviewer", username="rita")
    log_in(page, "rita")
    page.get_by_role("link", name="Export").click()
    summary = page.locator("#export-summary")
    assert "3 stories match" in summary.inner_text()  # approved by default

    page.get_by_label("Status").select_option("all")
    page.wait_for_function(
        "() => document.querySelector('#export-summary').textContent.includes('4 stories')"
    )
    page.get_by_label("Story ids").fill("1x")
    summary.get_by_text("A story id is a whole number of 1 or more").wait_for()
    page.get_by_label("Story ids").fill(f"{sets['anna'].pk}")
    page.wait_for_function("() => document.querySelector('#export-summary').textContent.includes('1 story')")
    page.get_by_label("Format").select_option("brat")
    shot("export-page", doc=True, full_page=True)

    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download fabula-all-final-").click(timeout=30_000)
    download = download_info.value
    assert download.suggested_filename.startswith(
        "fabula-all-final-"
    ) and download.suggested_filename.endswith(".zip")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        texts = [name for name in archive.namelist() if name.endswith(".txt")]
        assert len(texts) == 1 and archive.read(texts[0]).decode() == ANNA

    page.get_by_label("Format").select_option("csv")
    page.get_by_label("One CSV row per entity").check()
    page.get_by_role("button", name="Export").click()
    page.locator("#export-job a[href$='/download/']", has_text=".csv").wait_for()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download fabula-all-final-").click(timeout=30_000)
    with open(download_info.value.path(), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["text"] for row in rows] == ["Anna Petrova", "Anna", "Paris", "Boris", "Anna", "Boris"]


def test_a_long_export_shows_progress_with_the_button_disabled_then_downloads(
    page, shot, settings, tmp_path, monkeypatch
):
    """Without a broker the job runs in a thread of the server, as under `make run`; each story is slowed
    down so that the page is seen mid-way."""
    settings.FABULA_IN_PROCESS_TASKS = "thread"
    settings.FABULA_EXPORT_DIR = tmp_path / "exports"
    monkeypatch.setattr(exports, "PROGRESS_SECONDS", 0)
    real = exports.export_stories

    def slow(**kwargs):
        for story in real(**kwargs):
            time.sleep(0.5)
            yield story

    monkeypatch.setattr(exports, "export_stories", slow)
    make_export_set()
    for number in range(6):
        make_story(f"Story {number} about Anna in Paris.", title=f"Extra {number}", status="approved")
    make_user("reviewer", username="rita")
    log_in(page, "rita")
    page.goto("/export/")
    page.get_by_label("Format").select_option("conll")
    page.wait_for_function(
        "() => document.querySelector('#export-summary').textContent.includes('9 stories')"
    )

    page.get_by_role("button", name="Export").click()
    button = page.locator("#export-job button")
    page.wait_for_function(
        "() => { const p = document.querySelector('#export-job progress');"
        " return p && Number(p.value) > 0 && Number(p.value) < 9; }"
    )
    assert button.is_disabled() and button.inner_text() == "Exporting…"
    state = page.locator(".export-job-state").inner_text()
    assert "Writing conll:" in state and "of 9 stories" in state
    shot("export-progress", doc=True)

    link = page.get_by_role("link", name="Download fabula-approved-final-")
    link.wait_for(timeout=30_000)
    assert not button.is_disabled() and button.inner_text() == "Export"
    assert "Ready: 9 stories as conll" in page.locator(".export-job-state").inner_text()
    shot("export-ready", doc=True)
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".conll")
    target = tmp_path / "command.conll"
    call_command("export", "--format", "conll", "-o", str(target), stdout=StringIO(), stderr=StringIO())
    with open(download.path(), "rb") as handle:
        assert handle.read() == target.read_bytes()


def test_a_failed_export_says_why(page, settings, monkeypatch):
    def broken(stories, *, options, warn):
        raise ValueError("the disk is made of paper")
        yield b""

    monkeypatch.setattr("interchange.writers.csv.write", broken)
    make_export_set()
    make_user("reviewer", username="rita")
    log_in(page, "rita")
    page.goto("/export/")
    page.get_by_label("Format").select_option("csv")
    page.get_by_role("button", name="Export").click()
    alert = page.locator("#export-job [role=alert]")
    alert.wait_for()
    assert "The export failed: The export stopped with an error (ValueError: the disk is made of paper)" in (
        alert.inner_text()
    )
    assert not page.locator("#export-job button").is_disabled()


def test_editor_is_refused(page):
    make_user("editor", username="edna")
    log_in(page, "edna")
    response = page.goto("/export/")
    assert response.status == 403
