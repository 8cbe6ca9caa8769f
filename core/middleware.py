"""Login required everywhere, told to htmx in a way it understands; 503 while the database is away;
no caching of what a logged-in person sees.

Django's LoginRequiredMiddleware answers an anonymous request with a 302 to the login page. The
browser's XHR follows that silently and htmx would swap the login form into, say, one table cell.
For htmx requests we answer 401 with `HX-Redirect` instead, so the whole page goes to the login form
and comes back to the page the person was on.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect

from core.responses import database_unavailable_response


class HtmxLoginRequiredMiddleware(LoginRequiredMiddleware):
    def handle_no_permission(self, request, view_func):
        if not getattr(request, "htmx", False):
            return super().handle_no_permission(request, view_func)
        # Return to the page the person was looking at, not to the fragment URL htmx requested.
        current = urlsplit(request.htmx.current_url or "")
        next_path = (current.path + (f"?{current.query}" if current.query else "")) or request.get_full_path()
        login = redirect_to_login(
            next_path, resolve_url(self.get_login_url(view_func)), self.get_redirect_field_name(view_func)
        )
        response = HttpResponseClientRedirect(login["Location"])
        response.status_code = 401
        response.content = b"Your session has ended. Log in again to continue."
        response["Content-Type"] = "text/plain; charset=utf-8"
        return response


class DatabaseUnavailableMiddleware:
    """A view that loses the database answers 503 with Retry-After, not a 500 traceback page.

    Errors raised before the view (loading the session, say) reach `core.views.server_error`, the
    500 handler, which gives the same answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return database_unavailable_response(request)
        return None


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer that does not set its own.

    Pages show unpublished stories and who did what: no shared proxy or browser cache may keep them.
    Static files never get here (whitenoise answers first); a view that may be cached (the versioned
    label stylesheet) sets its own header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response
