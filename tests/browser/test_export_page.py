"""The export page in Chromium: the match count follows the options, and the download is the real file."""

from __future__ import annotations

import csv
import zipfile

import pytest

from tests.browser.conftest import log_in
from tests.factories import make_user
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

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
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
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    with open(download_info.value.path(), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["text"] for row in rows] == ["Anna Petrova", "Anna", "Paris", "Boris", "Anna", "Boris"]


def test_editor_is_refused(page):
    make_user("editor", username="edna")
    log_in(page, "edna")
    response = page.goto("/export/")
    assert response.status == 403
