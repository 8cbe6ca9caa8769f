"""The story list (search, filters, sort, pages, my queue), assigning stories, and logging in and out."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Entity
from stories.models import Story
from tests.factories import make_batch, make_character, make_entity, make_story, make_user
from tests.permissions import assert_csrf_enforced, assert_permission_matrix

pytestmark = pytest.mark.django_db

LIST = reverse("stories:story-list")
ASSIGN = reverse("stories:story-assign")
HX = {"HX-Request": "true"}


def titles(response) -> list[str]:
    """Story titles in table order, as a person reads them."""
    html = response.content.decode()
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(r'class="story-title"[^>]*>(.*?)</', html)]


def row_of(response, story) -> str:
    html = response.content.decode()
    match = re.search(rf'<tr id="story-row-{story.pk}".*?</tr>', html, re.S)
    assert match, f"no row for story {story.pk}"
    return match.group(0)


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- Full page and htmx fragment -------------------------------------------------------------


class TestListRendering:
    def test_full_page_has_layout_filters_and_table(self, editor_client):
        make_story(title="Swan Lake")
        response = editor_client.get(LIST)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" in html
        assert 'id="story-table"' in html
        assert 'id="story-filters"' in html
        assert titles(response) == ["Swan Lake"]

    def test_htmx_request_gets_only_the_table(self, editor_client):
        make_story(title="Swan Lake")
        response = editor_client.get(LIST, {"q": "swan"}, headers=HX)
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        assert html.lstrip().startswith('<section id="story-table"')
        assert 'id="story-filters"' not in html
        assert titles(response) == ["Swan Lake"]
        assert "HX-Request" in response["Vary"]

    def test_back_button_history_restore_gets_the_full_page(self, editor_client):
        response = editor_client.get(LIST, headers={**HX, "HX-History-Restore-Request": "true"})
        assert "<html" in response.content.decode()

    def test_story_text_and_title_are_escaped(self, editor_client):
        make_story(title="<script>alert(1)</script>")
        html = editor_client.get(LIST).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    def test_row_shows_counts_status_editor_and_reader_link(self, editor_client, editor):
        story = make_story(title="Counted", status=Story.Status.IN_PROGRESS, assigned_to=editor)
        make_entity(story, "Anna Petrova")
        make_entity(story, "Paris", label="GPE")
        make_entity(story, "Boris", review_state=Entity.ReviewState.REJECTED)
        make_character(story, "Anna Petrova")
        row = row_of(editor_client.get(LIST), story)
        assert '<td class="col-num" data-count="entities">2</td>' in row  # the rejected one is not final
        assert '<td class="col-num" data-count="characters">1</td>' in row
        assert '<span class="badge badge--in_progress">In progress</span>' in row
        assert editor.username in row
        assert f'href="{reverse("annotations:story-detail", args=[story.pk])}"' in row

    def test_returned_story_shows_the_reviewer_comment(self, editor_client):
        returned = make_story(status=Story.Status.RETURNED, review_comment="Tag the ballet as WORK_OF_ART.")
        done = make_story(status=Story.Status.DONE, review_comment="old note")
        response = editor_client.get(LIST)
        assert "Tag the ballet as WORK_OF_ART." in row_of(response, returned)
        assert "old note" not in row_of(response, done)

    def test_editor_sees_no_assign_controls(self, editor_client):
        make_story()
        html = editor_client.get(LIST).content.decode()
        assert 'id="bulk-assign"' not in html
        assert "assign-form" not in html


# --- Search ----------------------------------------------------------------------------------


class TestSearch:
    def test_matches_title_or_text(self, editor_client):
        make_story(text="A ballerina crossed the square.", title="Evening")
        make_story(text="Nothing here.", title="The Ballerina")
        make_story(text="Rain fell on the town.", title="Weather")
        assert sorted(titles(editor_client.get(LIST, {"q": "ballerina"}))) == ["Evening", "The Ballerina"]

    def test_every_word_must_match(self, editor_client):
        make_story(text="Anna walked through Paris.", title="Both")
        make_story(text="Anna stayed home.", title="One")
        assert titles(editor_client.get(LIST, {"q": "anna paris"})) == ["Both"]

    def test_empty_install_says_how_stories_arrive(self, editor_client):
        html = editor_client.get(LIST).content.decode()
        assert "No stories have been imported yet." in html
        assert "No stories match these filters." not in html

    def test_no_match_says_so(self, editor_client):
        make_story(title="Evening")
        response = editor_client.get(LIST, {"q": "zeppelin"}, headers=HX)
        assert titles(response) == []
        assert "No stories match these filters." in response.content.decode()

    def test_postgres_stems_and_ranks_title_matches_first(self, editor_client):
        if not on_postgres():
            pytest.skip("stemming and ranking are PostgreSQL full-text features")
        make_story(text="The swans were dancing by the lake.", title="Evening")
        make_story(text="Nothing about birds.", title="Dance of the Swan")
        # "danced" and "swan" reach "dancing" and "swans" through the English stemmer.
        assert titles(editor_client.get(LIST, {"q": "danced swan"})) == ["Dance of the Swan", "Evening"]

    def test_postgres_search_plan_on_an_analysed_table_reads_the_stored_vector(self):
        """The plan users get: a table of realistic size, analysed as autovacuum would, and the list's
        own query with search and a sort. Nothing may parse story text per row (only the title is ranked),
        and a rare word must come from the GIN index."""
        if not on_postgres():
            pytest.skip("the stored tsvector and its GIN index exist only on PostgreSQL")
        import hashlib

        from stories import selectors
        from stories.filters import StoryFilter

        # Vectors as long as a short story's: a few hundred distinct words each, from a vocabulary of
        # made-up words (numbered words would be parsed as numbers), so the table is as wide as a real one.
        vocabulary = [f"{a}{b}{c}ing" for a in "bcdfgklmnprstvz" for b in "aeiou" for c in "dlmnrst"]
        texts = [
            " ".join(vocabulary[(n * 31 + i * 7) % len(vocabulary)] for i in range(300))
            + (" A ballet about swans." if n % 97 == 0 else " Nothing else.")
            for n in range(3000)
        ]
        Story.objects.bulk_create(
            Story(
                title=f"Story {n}",
                text=text,
                text_length=len(text),
                sha256=hashlib.sha256(str(n).encode()).hexdigest(),
            )
            for n, text in enumerate(texts)
        )
        with connection.cursor() as cursor:
            # What autovacuum does, but inside the test's transaction (VACUUM cannot be): merge the GIN
            # index's pending list, whose size the planner prices, and analyse.
            cursor.execute("SELECT gin_clean_pending_list('story_search_vector_gin'::regclass)")
            cursor.execute("ANALYZE stories_story, stories_storysearch")
        for query in ("ballet", '"ballet about swans"'):
            for sort in ("", "-entities"):
                params = {"q": query, "sort": sort} if sort else {"q": query}
                stories = StoryFilter(params, queryset=selectors.story_list()).qs
                assert stories.count() == 31
                plan = stories.explain()
                assert "vector @@" in plan, plan
                assert "COALESCE(text" not in plan and "stories_story.text" not in plan, plan
                assert "story_search_vector_gin" in plan, plan
                # Ranking reads the stored title vector: no title is parsed per match.
                assert "to_tsvector" not in plan, plan


# --- Filters ---------------------------------------------------------------------------------


class TestFilters:
    def test_status(self, editor_client):
        make_story(title="Fresh")
        make_story(title="Finished", status=Story.Status.DONE)
        assert titles(editor_client.get(LIST, {"status": "done"})) == ["Finished"]

    def test_batch(self, editor_client):
        batch = make_batch("autumn")
        make_story(title="In batch", batch=batch)
        make_story(title="Loose")
        response = editor_client.get(LIST, {"batch": batch.pk})
        assert titles(response) == ["In batch"]
        assert "autumn" in response.content.decode()

    def test_assigned_editor_and_nobody(self, editor_client, editor):
        make_story(title="Mine", assigned_to=editor)
        make_story(title="Orphan")
        assert titles(editor_client.get(LIST, {"editor": editor.pk})) == ["Mine"]
        assert titles(editor_client.get(LIST, {"editor": "null"})) == ["Orphan"]

    def test_label_present_ignores_rejected_entities(self, editor_client):
        tagged = make_story("Anna went to Paris.", title="Tagged")
        make_entity(tagged, "Paris", label="GPE")
        rejected = make_story("Boris went to Paris.", title="Rejected only")
        make_entity(rejected, "Paris", label="GPE", review_state=Entity.ReviewState.REJECTED)
        make_entity(rejected, "Boris", label="GPE", review_state=Entity.ReviewState.REJECTED)
        make_story("Nothing.", title="Bare")
        assert titles(editor_client.get(LIST, {"label": "GPE"})) == ["Tagged"]

    def test_character_name_or_alias(self, editor_client):
        make_character(make_story(title="By name"), "Anna Zhunussova")
        make_character(make_story(title="By alias"), "The dancer", aliases=["Nina", "Annabel"])
        make_character(make_story(title="Other"), "Boris")
        assert sorted(titles(editor_client.get(LIST, {"character": "ANNA"}))) == ["By alias", "By name"]
        assert titles(editor_client.get(LIST, {"character": "nabe"})) == ["By alias"]

    def test_filters_combine(self, editor_client, editor):
        make_story(title="Match", status=Story.Status.DONE, assigned_to=editor)
        make_story(title="Wrong status", assigned_to=editor)
        make_story(title="Wrong editor", status=Story.Status.DONE)
        assert titles(editor_client.get(LIST, {"status": "done", "editor": editor.pk})) == ["Match"]

    def test_invalid_filter_is_a_clear_400(self, editor_client):
        response = editor_client.get(LIST, {"status": "bogus"}, headers=HX)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert "status='bogus'" in response.content.decode()
        page = editor_client.get(LIST, {"sort": "colour"})
        assert page.status_code == 400
        assert "sort=&#x27;colour&#x27;" in page.content.decode()
        assert "data-error-message" in page.content.decode()


# --- Sort and pages --------------------------------------------------------------------------


class TestSortAndPages:
    def test_default_order_is_title(self, editor_client):
        for title in ("Charlie", "alpha", "Bravo"):
            make_story(title=title)
        assert [t.lower() for t in titles(editor_client.get(LIST))] == ["alpha", "bravo", "charlie"]

    def test_sort_by_entities_descending(self, editor_client):
        few, many = make_story(title="Few"), make_story(title="Many")
        make_story(title="None")
        make_entity(few, "Anna Petrova")
        for text in ("Anna Petrova", "Paris", "Boris"):
            make_entity(many, text)
        assert titles(editor_client.get(LIST, {"sort": "-entities"})) == ["Many", "Few", "None"]

    def test_sort_by_status_follows_the_workflow(self, editor_client):
        make_story(title="A", status=Story.Status.APPROVED)
        make_story(title="B", status=Story.Status.NEW)
        make_story(title="C", status=Story.Status.DONE)
        assert titles(editor_client.get(LIST, {"sort": "status"})) == ["B", "C", "A"]

    def test_sort_by_words_and_header_links_toggle(self, editor_client):
        make_story("one two three", title="Long")
        make_story("one", title="Short")
        response = editor_client.get(LIST, {"sort": "words"})
        assert titles(response) == ["Short", "Long"]
        html = response.content.decode()
        assert 'aria-sort="ascending"' in html
        assert 'href="?sort=-words"' in html  # the header now offers the reverse order

    def test_pages_of_25_keep_the_filters(self, editor_client):
        for number in range(30):
            make_story(title=f"Story {number:02}", status=Story.Status.DONE)
        first = editor_client.get(LIST, {"status": "done"})
        assert len(titles(first)) == 25
        assert "Showing 1–25 of 30 stories" in first.content.decode()
        assert 'href="?status=done&amp;page=2"' in first.content.decode()
        second = editor_client.get(LIST, {"status": "done", "page": 2}, headers=HX)
        assert titles(second) == [f"Story {n}" for n in range(25, 30)]

    def test_a_long_list_says_more_than_and_pages_no_further_than_the_cap(self, editor_client, monkeypatch):
        monkeypatch.setattr("core.pagination.MAX_PAGES", 2)
        for number in range(51):
            make_story(title=f"Story {number:02}")
        first = editor_client.get(LIST).content.decode()
        assert "Showing 1–25 of more than 50 stories" in first
        assert "Page 1 of more than 2" in first
        last = editor_client.get(LIST, {"page": 3}).content.decode()
        assert "Showing 26–50 of more than 50 stories" in last and 'rel="next"' not in last
        assert "narrow the search or the filters, or reverse the sort" in last

    def test_out_of_range_page_shows_the_last_page(self, editor_client):
        make_story(title="Only")
        assert titles(editor_client.get(LIST, {"page": 99})) == ["Only"]


class TestQueryCount:
    @staticmethod
    def _add_stories(count, editor):
        batch = make_batch()
        for _ in range(count):
            story = make_story(batch=batch, assigned_to=editor)
            make_entity(story, "Anna Petrova")
            make_entity(story, "Paris", label="GPE")
            make_character(story)

    @pytest.mark.parametrize("role", ["editor", "reviewer"])
    def test_queries_do_not_grow_with_stories(self, client, django_assert_num_queries, role):
        user = make_user(role)
        client.force_login(user)
        self._add_stories(2, user)
        with CaptureQueriesContext(connection) as few:
            client.get(LIST, {"label": "PERSON", "sort": "-entities"})
        self._add_stories(20, user)
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(LIST, {"label": "PERSON", "sort": "-entities"})
        assert len(titles(response)) == 22


# --- My queue --------------------------------------------------------------------------------


class TestMyQueue:
    def test_queue_url_redirects_to_the_mine_filter(self, editor_client):
        response = editor_client.get(reverse("stories:my-queue"))
        assert response.status_code == 302
        assert response["Location"] == f"{LIST}?mine=1"

    def test_shows_only_my_stories_and_counts_them(self, editor_client, editor):
        make_story(title="Mine", assigned_to=editor)
        make_story(title="Theirs", assigned_to=make_user("editor"))
        make_story(title="Nobody's")
        response = editor_client.get(LIST, {"mine": "1"})
        assert titles(response) == ["Mine"]
        html = response.content.decode()
        assert "<h1>My queue</h1>" in html
        assert 'My queue <span class="pill">1</span>' in html
        assert len(titles(editor_client.get(LIST))) == 3

    def test_a_layer_of_mine_puts_its_story_in_my_queue_once(self, editor_client, editor):
        from stories.models import layer_sha256

        story = make_story(title="Doubled", assigned_to=editor)
        Story.with_layers.create(
            title=story.title, text=story.text, text_length=story.text_length, layer_of=story,
            annotator=editor, sha256=layer_sha256(story.sha256, editor.pk),
        )  # fmt: skip
        make_story(title="Layered only")
        other = Story.objects.get(title="Layered only")
        Story.with_layers.create(
            title=other.title, text=other.text, text_length=other.text_length, layer_of=other,
            annotator=editor, sha256=layer_sha256(other.sha256, editor.pk),
        )  # fmt: skip
        response = editor_client.get(LIST, {"mine": "1"})
        assert titles(response) == ["Doubled", "Layered only"]
        assert 'My queue <span class="pill">2</span>' in response.content.decode()

    def test_the_queue_badge_stops_counting_at_its_cap(self, editor_client, editor, monkeypatch):
        monkeypatch.setattr("stories.selectors.QUEUE_COUNT_CAP", 2)
        for _ in range(3):
            make_story(assigned_to=editor)
        html = editor_client.get(LIST).content.decode()
        assert 'My queue <span class="pill">2+</span>' in html


# --- Assigning -------------------------------------------------------------------------------


class TestAssign:
    def test_editor_is_refused_and_nothing_changes(self, editor_client, editor):
        story = make_story()
        response = editor_client.post(ASSIGN, {"story": story.pk, "editor": editor.pk}, headers=HX)
        assert response.status_code == 403
        assert "Only reviewers and admins can assign stories." in response.content.decode()
        story.refresh_from_db()
        assert story.assigned_to is None

    def test_reviewer_assigns_one_story_with_htmx(self, reviewer_client, reviewer):
        editor = make_user("editor", username="anya")
        story = make_story(title="Swan Lake")
        response = reviewer_client.post(ASSIGN, {"story": story.pk, "editor": editor.pk}, headers=HX)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith(f'<tr id="story-row-{story.pk}"')
        assert f'<option value="{editor.pk}" selected>anya</option>' in html
        assert "Swan Lake assigned" not in html and "1 story assigned to anya." in response["HX-Trigger"]
        story.refresh_from_db()
        assert story.assigned_to == editor
        assert story.history.first().history_user == reviewer

    def test_bulk_assign_without_htmx_redirects_back_with_a_message(self, reviewer_client):
        editor = make_user("editor", username="anya")
        first, second, untouched = make_story(), make_story(), make_story()
        back = f"{LIST}?status=new"
        response = reviewer_client.post(
            ASSIGN, {"story": [first.pk, second.pk], "editor": editor.pk, "next": back}, follow=True
        )
        assert response.redirect_chain == [(back, 302)]
        assert "2 stories assigned to anya." in response.content.decode()
        assert set(Story.objects.filter(assigned_to=editor)) == {first, second}
        untouched.refresh_from_db()
        assert untouched.assigned_to is None

    def test_admin_unassigns(self, client, admin_user, editor):
        client.force_login(admin_user)
        story = make_story(assigned_to=editor)
        response = client.post(ASSIGN, {"story": story.pk, "editor": ""})
        assert response.status_code == 302
        story.refresh_from_db()
        assert story.assigned_to is None

    def test_unknown_story_or_person_is_a_400_and_nothing_changes(self, reviewer_client, editor):
        story = make_story()
        response = reviewer_client.post(ASSIGN, {"story": [story.pk, 99999], "editor": editor.pk}, headers=HX)
        assert response.status_code == 400
        assert "99999 is not one of the available choices" in response.content.decode()
        roleless = make_user("none")
        response = reviewer_client.post(ASSIGN, {"story": story.pk, "editor": roleless.pk})
        assert response.status_code == 400
        assert "Nothing was assigned" in response.content.decode()
        story.refresh_from_db()
        assert story.assigned_to is None

    def test_offsite_next_is_ignored(self, reviewer_client, editor):
        story = make_story()
        data = {"story": story.pk, "editor": editor.pk, "next": "https://evil.example/"}
        response = reviewer_client.post(ASSIGN, data)
        assert response["Location"] == LIST

    def test_reviewer_sees_assign_controls(self, reviewer_client, editor):
        story = make_story(assigned_to=editor)
        response = reviewer_client.get(LIST)
        row = row_of(response, story)
        assert f'<option value="{editor.pk}" selected>{editor.username}</option>' in row
        assert 'form="bulk-assign"' in row
        assert 'id="bulk-assign"' in response.content.decode()


# --- Permissions, login and logout -------------------------------------------------------------


class TestPermissions:
    def test_story_list(self):
        make_story()
        assert_permission_matrix(LIST, expected={"none": 403, "editor": 200, "reviewer": 200, "admin": 200})
        assert_permission_matrix(LIST, htmx=True, expected={"none": 403, "editor": 200, "admin": 200})

    def test_roleless_account_is_told_what_to_do(self, client):
        client.force_login(make_user("none"))
        response = client.get(LIST)
        assert response.status_code == 403
        assert "Ask an admin to add you to the Editors or Reviewers group." in response.content.decode()

    def test_my_queue(self):
        assert_permission_matrix(
            reverse("stories:my-queue"), expected={"editor": 302, "reviewer": 302, "admin": 302}
        )

    def test_assign(self):
        editor = make_user("editor")

        def data(user):
            return {"story": make_story().pk, "editor": editor.pk}

        assert_permission_matrix(
            ASSIGN,
            method="post",
            data=data,
            expected={"none": 403, "editor": 403, "reviewer": 302, "admin": 302},
        )
        assert_permission_matrix(
            ASSIGN, method="post", data=data, htmx=True, expected={"editor": 403, "reviewer": 200}
        )

    def test_wrong_methods(self, reviewer_client):
        assert reviewer_client.get(ASSIGN).status_code == 405
        assert reviewer_client.post(LIST).status_code == 405

    def test_assign_needs_the_csrf_token(self):
        assert_csrf_enforced(ASSIGN, data={"story": make_story().pk})
