"""Error answers people see: the 404 page names the path, a 403 carries its reason to htmx."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_story

pytestmark = pytest.mark.django_db

LIST = reverse("stories:story-list")
ASSIGN = reverse("stories:story-assign")
HX = {"HX-Request": "true"}


class TestErrorPages:
    def test_unknown_address_names_the_path(self, editor_client):
        response = editor_client.get("/no-such-page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "<p data-error-message>There is nothing at /no-such-page/." in html
        assert "<html" in html

    def test_forbidden_page_carries_the_reason_for_htmx(self, editor_client):
        response = editor_client.post(ASSIGN, {"story": make_story().pk}, headers=HX)
        assert response.status_code == 403
        assert (
            "<p data-error-message>Only reviewers and admins can assign stories.</p>"
            in response.content.decode()
        )
