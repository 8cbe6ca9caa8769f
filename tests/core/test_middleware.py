"""Login everywhere: the login and logout pages, and htmx sent back to login for the page it was on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

LIST = reverse("stories:story-list")
ASSIGN = reverse("stories:story-assign")
HX = {"HX-Request": "true"}


class TestLoginLogout:
    def test_login_page_is_public_and_logs_in(self, client):
        make_user("editor", username="anya", password="s3cret-pass")
        page = client.get(reverse("login"))
        assert page.status_code == 200
        assert 'name="username"' in page.content.decode()
        response = client.post(
            reverse("login"), {"username": "anya", "password": "s3cret-pass", "next": "/?q=x"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/?q=x"
        assert client.get(LIST).status_code == 200

    def test_wrong_password_is_explained(self, client):
        make_user("editor", username="anya", password="s3cret-pass")
        response = client.post(reverse("login"), {"username": "anya", "password": "nope"})
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
        assert client.get(LIST).status_code == 302

    def test_logout_ends_the_session(self, editor_client):
        response = editor_client.post(reverse("logout"))
        assert response.status_code == 302
        assert response["Location"] == reverse("login")
        after = editor_client.get(LIST)
        assert after.status_code == 302
        assert after["Location"] == f"{reverse('login')}?next=/"

    def test_header_shows_user_and_logout_button(self, editor_client, editor):
        html = editor_client.get(LIST).content.decode()
        assert f'title="Signed in as {editor.username}"' in html
        assert f'action="{reverse("logout")}"' in html

    def test_expired_session_sends_htmx_back_to_login_for_the_current_page(self, client):
        response = client.get(
            LIST, {"q": "x"}, headers={**HX, "HX-Current-URL": "http://testserver/?status=done"}
        )
        assert response.status_code == 401
        assert response["HX-Redirect"] == f"{reverse('login')}?next=/%3Fstatus%3Ddone"
