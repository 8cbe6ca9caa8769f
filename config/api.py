"""The API's root: version 1 under /api/v1/, assembled from each app's router.

Lives in config, the top layer, because it is the one place that may import every app. Each app's
`api` module holds its own endpoints and calls its own services; core.api holds the shared auth,
limits and error shapes. Every API URL is exempt from the login redirect: anonymous calls get a JSON
401 from the API's own auth instead, and /api/v1/docs and /api/v1/schema are open (they hold no data).
"""

from __future__ import annotations

import functools
import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger, _csrf_needed

from annotations import api as annotations_api
from core import api as core_api
from interchange import api as interchange_api
from stories import api as stories_api


class OfflineSwagger(Swagger):
    """ninja's Swagger page, rendered from its own template and static files (settings.NINJA_DIR).

    ninja falls back to a page that loads Swagger UI from a CDN unless "ninja" is an installed app, and
    Fabula leaves it out of INSTALLED_APPS so that no command pays for importing it at start-up.
    """

    def render_page(self, request, api, **kwargs):
        # Swagger.render_page's own context, passed to Django's render() as ninja does when installed.
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)


api = NinjaAPI(
    title="Fabula API",
    version="1",
    description="Stories, entities, characters and their review workflow. See docs/api.md.",
    urls_namespace="api-v1",
    auth=core_api.AUTH,
    parser=core_api.Parser(),
    throttle=[core_api.TokenRateThrottle()],
    docs=OfflineSwagger(settings={"persistAuthorization": True}),
    docs_url="/docs",
    openapi_url="/schema",
)
core_api.install_error_handlers(api)
annotations_api.install_errors(api)
api.add_router("", interchange_api.router)
api.add_router("", stories_api.router)
api.add_router("", annotations_api.router)


def _json_errors(view):
    """ninja answers a method an operation lacks with a plain-text 405; say it in the API's error shape,
    and refuse a NUL in a path segment (no database stores it) before any query sees it."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if any("\x00" in value for value in kwargs.values() if isinstance(value, str)):
            # The body and query are checked by core.api.Parser; a path segment is checked here.
            body = {"message": "The URL contains a NUL character (%00); remove it.", "details": {}}
            return JsonResponse(body, status=400)
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            message = f"{request.method} is not allowed on {request.path}; it answers {allowed}."
            response = JsonResponse(
                {"message": message, "details": {}}, status=405, headers={"Allow": allowed}
            )
        return response

    return login_not_required(wrapped)


def urls():
    """The API's URL patterns, each one exempt from LoginRequiredMiddleware (the API answers 401)."""
    patterns, app_name, namespace = api.urls
    wrapped = {}
    for pattern in patterns:
        # Two operations on one path share one view; wrap it once.
        pattern.callback = wrapped.setdefault(id(pattern.callback), _json_errors(pattern.callback))
    return patterns, app_name, namespace
