"""The Agreement page in Chromium: a reviewer opens it from the dashboard, reads the figures per pair, label
and story, narrows it to one batch (an htmx swap that keeps the filter in the address), and reloads."""

from __future__ import annotations

import pytest

from tests.annotations.agreement_cases import double_story
from tests.browser.conftest import log_in
from tests.factories import make_batch, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = [
    "Anna Petrova met Boris Ivanov in Paris. Olga stayed in Moscow with the Bolshoi company.",
    "Lydia wrote to Pavel from Riga. The Mariinsky company left Odessa for Vienna in May.",
    "Nina and Sergei took the train from London to Paris, and Tom met them at the Ritz.",
]
GOLD = [
    [("Anna Petrova", "PERSON"), ("Boris Ivanov", "PERSON"), ("Paris", "GPE"), ("Olga", "PERSON"),
     ("Moscow", "GPE"), ("Bolshoi", "ORG")],
    [("Lydia", "PERSON"), ("Pavel", "PERSON"), ("Riga", "GPE"), ("Mariinsky", "ORG"), ("Odessa", "GPE"),
     ("Vienna", "GPE")],
    [("Nina", "PERSON"), ("Sergei", "PERSON"), ("London", "GPE"), ("Paris", "GPE"), ("Tom", "PERSON"),
     ("Ritz", "FAC")],
]  # fmt: skip


def test_reviewer_reads_agreement_and_filters_by_batch(page, shot):
    make_user("reviewer", username="rita")
    spring, autumn = make_batch("spring round"), make_batch("autumn round")
    # alice and bob mostly agree (bob tags "Anna" alone); carol misses names and calls companies places.
    bob = [("Anna", "PERSON"), *GOLD[0][1:5], ("Bolshoi", "GPE")]
    double_story(
        {"alice": GOLD[0], "bob": bob, "carol": GOLD[0][:3]},
        text=TEXTS[0],
        title="The Bolshoi letters",
        batch=spring,
    )
    double_story(
        {"alice": GOLD[1], "bob": GOLD[1], "carol": [("Lydia", "PERSON"), ("Mariinsky", "GPE")]},
        text=TEXTS[1], title="Riga in May", batch=spring,
    )  # fmt: skip
    double_story(
        {"alice": GOLD[2], "bob": GOLD[2][:4]}, text=TEXTS[2], title="The London train", batch=autumn
    )

    log_in(page, "rita")
    page.get_by_role("link", name="Dashboard").click()
    # The first agreement page a process serves imports scikit-learn and spaCy's tokenizer (about 2 s
    # on a quiet machine, over 10 s on a loaded one), so this navigation gets more than the default wait.
    page.get_by_role("link", name="Agreement between annotators").click(timeout=45_000)
    page.get_by_role("heading", name="Agreement between annotators").wait_for()
    pairs = page.locator("#agreement-pairs tbody tr")
    assert pairs.count() == 3  # alice / bob, alice / carol, bob / carol
    assert page.locator("#agreement-pairs tbody").get_by_text("alice / carol").is_visible()
    assert page.locator("#agreement-stories tbody tr").count() == 3
    # The worst story comes first: carol's "Riga in May" disagrees most.
    assert page.locator("#agreement-stories tbody tr").first.get_by_role("link").inner_text() == "Riga in May"
    assert page.locator('svg[aria-label="Agreement per pair of annotators"]').is_visible()
    # Each story links to its adjudication page.
    href = page.locator("#agreement-stories tbody tr").first.get_by_role("link").get_attribute("href")
    assert href.endswith("/adjudication/")
    shot("reviewer-agreement", doc=True, full_page=True)

    page.get_by_label("Batch").select_option(label="autumn round")
    page.wait_for_url(f"**/agreement/?batch={autumn.pk}")
    page.locator("#agreement-pairs tbody tr").nth(1).wait_for(state="detached")
    assert page.locator("#agreement-pairs tbody tr").count() == 1
    assert page.locator("#agreement-stories").get_by_role("link", name="The London train").is_visible()

    # Opened directly, the filtered address shows the same.
    page.reload()
    assert page.locator("#agreement-pairs tbody tr").count() == 1
    assert page.get_by_label("Batch").input_value() == str(autumn.pk)
