"""Tell a person that something happened to their work: `notify` stores it and, if mail is set up, emails it.

Apps call this after the action they perform (core never imports them). Reads for the badge and the
notifications page are `unread_count` and `notification_list`; `notifications_mark_read` clears them.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.compiled import CompiledRead, counted
from core.models import Notification

logger = logging.getLogger(__name__)

DUMMY_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


def email_configured() -> bool:
    """Whether a mail would go anywhere: production keeps the dummy backend until EMAIL_HOST is set.

    Django 6.1 configures mail in MAILERS (config/settings/base.py fills it from EMAIL_BACKEND etc.).
    """
    backend = getattr(settings, "MAILERS", {}).get("default", {}).get("BACKEND", "")
    return bool(backend) and backend != DUMMY_EMAIL_BACKEND


def notify(*, recipient, kind: str, message: str, url: str) -> Notification:
    """Store a notification for `recipient`; email it too when mail is configured and they have an address.

    The mail goes once the surrounding transaction commits, so a rolled-back action sends nothing, and a
    failing mail server is logged rather than raised: the action the person took has already succeeded.
    """
    notification = Notification.objects.create(recipient=recipient, kind=kind, message=message, url=url)
    address = getattr(recipient, "email", "")
    if email_configured() and address:
        transaction.on_commit(lambda: _send_email(notification, address))
    return notification


def _send_email(notification: Notification, address: str) -> None:
    link = f"{settings.FABULA_SITE_URL}{notification.url}" if notification.url else ""
    body = notification.message + (f"\n\nOpen it in Fabula: {link}" if link else "")
    try:
        send_mail(
            subject=f"Fabula: {notification.message[:80]}",
            message=body,
            from_email=None,  # DEFAULT_FROM_EMAIL
            recipient_list=[address],
            fail_silently=False,
        )
    except Exception:
        # Any backend error (SMTP down, bad credentials): the notification row is there; log and go on.
        logger.exception("Could not email notification %s to %s", notification.pk, address)


@transaction.atomic
def notifications_mark_read(*, user, ids=None) -> int:
    """Mark `user`'s unread notifications read (only those in `ids`, or all when None); returns how many.

    Ids of other people's notifications are ignored, so nobody can clear someone else's.
    """
    unread = Notification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


# Compiled once (core.compiled): the top bar of every page shows it.
_UNREAD = CompiledRead(
    lambda user_id: counted(Notification.objects.filter(recipient_id=user_id, read_at=None))
)


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return _UNREAD.first(user.pk)["n"]


def notification_list(user) -> QuerySet[Notification]:
    """`user`'s notifications, newest first."""
    return Notification.objects.filter(recipient=user)
