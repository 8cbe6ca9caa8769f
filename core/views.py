"""The notifications page: a person's own notifications, newest first, and marking them read; the My
account page: a person's own API tokens (make one, revoke one); the 500 handler, which answers 503 when
the error was the database going away; the login page as django-axes shows it to a locked-out username
and address.

Each POST answers htmx with the changed partial plus the top bar's badge (out of band), and everyone
else with a redirect back to the page (POST/redirect/GET). Nobody can see or mark another's notifications.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import defaults
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from core import notifications, tokens
from core.access import editor_required
from core.http import HtmxHttpRequest
from core.models import Notification
from core.responses import database_unavailable_response

LIST_TEMPLATE = "core/notification_list.html"
PAGE_SIZE = 50


def _list_context(request: HtmxHttpRequest) -> dict:
    rows = notifications.notification_list(request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "notifications": page.object_list}


@require_GET
@editor_required
def notification_list(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, LIST_TEMPLATE, _list_context(request))


@require_POST
@editor_required
def notification_read(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    # Someone else's id is simply not found: it tells nobody that the notification exists.
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notifications.notifications_mark_read(user=request.user, ids=[notification.pk])
    if not request.htmx:
        return redirect("core:notification-list")
    notification.refresh_from_db()
    return render(request, f"{LIST_TEMPLATE}#notification-read", {"notification": notification})


@require_POST
@editor_required
def notification_read_all(request: HtmxHttpRequest) -> HttpResponse:
    count = notifications.notifications_mark_read(user=request.user)
    notice = f"Marked {count} notification{'' if count == 1 else 's'} read."
    if not request.htmx:
        messages.success(request, notice)
        return redirect("core:notification-list")
    response = render(request, f"{LIST_TEMPLATE}#notifications-read", _list_context(request))
    return trigger_client_event(response, "fabula:notice", {"message": notice})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Django calls it while handling the exception, so sys.exc_info() names it: a lost
    database (raised in a middleware, before any view could catch it) is a 503, anything else the
    static 500 page."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        return database_unavailable_response(request)
    return defaults.server_error(request)


def locked_out(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again, status 429, saying why and for how long."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    message = (
        f"Too many failed log-ins for “{username}” from this address: log-in is locked for {minutes} "
        f"minute{'' if minutes == 1 else 's'}. Wait and try again, or ask an admin to unlock it "
        "(Admin → Access attempts) or to reset your password."
    )
    context = {
        "form": AuthenticationForm(request),
        "locked_out": message,
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


# --- My account: API tokens ------------------------------------------------------------------

ACCOUNT_TEMPLATE = "core/account.html"


def _account_context(request: HtmxHttpRequest, **extra) -> dict:
    return {"tokens": list(tokens.token_list(user=request.user)), "new_key": None, "error": None, **extra}


@require_GET
@editor_required
def account(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, ACCOUNT_TEMPLATE, _account_context(request))


@require_POST
@editor_required
def token_create(request: HtmxHttpRequest) -> HttpResponse:
    """Make a token; its key is shown once, in this answer, and never again."""
    try:
        _, key = tokens.token_create(user=request.user, name=request.POST.get("name", ""))
    except ValidationError as error:
        context = _account_context(request, error=" ".join(error.messages))
        template = ACCOUNT_TEMPLATE + ("#tokens" if request.htmx else "")
        return render(request, template, context, status=200 if request.htmx else 400)
    context = _account_context(request, new_key=key)
    return render(request, ACCOUNT_TEMPLATE + ("#tokens" if request.htmx else ""), context)


@require_POST
@editor_required
def token_revoke(request: HtmxHttpRequest, token_id: int) -> HttpResponse:
    # Someone else's token id is simply not found, as with notifications.
    if not tokens.token_revoke(user=request.user, token_id=token_id):
        raise Http404("You have no such token.")
    notice = "Token revoked: scripts using it now get 401."
    if not request.htmx:
        messages.success(request, notice)
        return redirect("core:account")
    response = render(request, ACCOUNT_TEMPLATE + "#tokens", _account_context(request))
    return trigger_client_event(response, "fabula:notice", {"message": notice})
