"""Login required everywhere, told to htmx in a way it understands.

Django's LoginRequiredMiddleware answers an anonymous request with a 302 to the login page. The
browser's XHR follows that silently and htmx would swap the login form into, say, one table cell.
For htmx requests we answer 401 with `HX-Redirect` instead, so the whole page goes to the login form
and comes back to the page the person was on.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


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
