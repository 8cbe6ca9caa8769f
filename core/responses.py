"""Error answers that people see: a full page for a browser, a one-line text for htmx.

htmx 2 does not swap 4xx/5xx responses; static/js/app.js shows a text/plain body (or the element
marked `data-error-message` in an HTML body) in the page's alert region instead.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def error_response(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    """`message` with `status`: plain text to htmx requests, the error page to everyone else."""
    if getattr(request, "htmx", False):
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    return render(request, "error.html", {"message": message, "status": status}, status=status)
