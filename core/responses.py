"""Error answers that people see: a full page for a browser, a one-line text for htmx.

htmx 2 does not swap 4xx/5xx responses; static/js/app.js shows a text/plain body (or the element
marked `data-error-message` in an HTML body) in the page's alert region instead.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

DATABASE_UNAVAILABLE = "The database is unavailable, try again shortly."
RETRY_AFTER_SECONDS = 30


def error_response(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    """`message` with `status`: plain text to htmx requests, the error page to everyone else."""
    if getattr(request, "htmx", False):
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return render(request, "error.html", {"message": message, "status": status}, status=status)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After. Rendered without the request, so no context processor (which would ask
    the database for the user or a count) runs: only static text and static file URLs."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(DATABASE_UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
    else:
        body = loader.render_to_string("503.html", {"message": DATABASE_UNAVAILABLE})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
