"""The Celery application every task of Fabula runs on, configured from Django's CELERY_* settings.

`app` is what `celery -A config worker` starts (config.celery re-exports it); task modules are each app's
`tasks.py`. `broker_configured()` says whether there is a broker at all: without CELERY_BROKER_URL
every caller runs its work in-process instead of queueing it.
"""

from __future__ import annotations

from celery import Celery
from django.conf import settings

app = Celery("fabula")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def needs_postgresql() -> str | None:
    """Why distributed work cannot run on this database (one line), or None when it can.

    Workers on several machines share one database and lock rows with SELECT ... FOR UPDATE SKIP LOCKED;
    SQLite is a file on one machine with one writer.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return (
            "--distributed needs PostgreSQL (workers on other machines share the database); this is "
            f"{connection.vendor}. Set DATABASE_URL=postgres://..., or drop --distributed to run in-process."
        )
    if not broker_configured():
        return (
            "--distributed needs a broker: set CELERY_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672//) "
            "and start workers with `celery -A config worker`, or drop --distributed to run in-process."
        )
    return None
