"""The interactive docs at /api/v1/docs load every asset from Fabula itself; the schema is OpenAPI 3."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_its_assets_from_fabula_only():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {"/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"} <= set(assets)
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    for url in assets:
        assert url.startswith("/static/"), url
        path = finders.find(url.removeprefix("/static/"))
        assert path, f"{url} is not among Fabula's static files"


def test_the_schema_is_openapi_3_with_both_auth_schemes():
    schema = Client().get("/api/v1/schema").json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Fabula API"
    assert set(schema["components"]["securitySchemes"]) == {"BearerToken", "BrowserSession"}
    entity_post = schema["paths"]["/api/v1/stories/{story_id}/entities"]["post"]
    assert {"201", "400", "401", "403", "404", "409", "413", "429"} <= set(entity_post["responses"])


def test_a_method_an_operation_lacks_is_405_json(editor_api):
    response = editor_api.client.put("/api/v1/labels", headers=editor_api._headers())
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert response.json()["message"] == "PUT is not allowed on /api/v1/labels; it answers GET."
