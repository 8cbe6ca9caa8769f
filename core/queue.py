"""The Celery application every task of Fabula runs on, configured from Django's CELERY_* settings.

`app` is what `celery -A config worker` starts (config.celery re-exports it); task modules are each app's
`tasks.py`. `broker_configured()` says whether there is a broker at all: without CELERY_BROKER_URL
every caller runs its work in-process instead of queueing it. `run_in_background(name, *args, body=)`
does that choice for work a page follows by polling: a task for the workers, or a thread here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from celery import Celery
from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)

app = Celery("fabula")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def run_in_background(task_name: str, *args, body: Callable[..., None]) -> None:
    """Queue `task_name(*args)` for the workers, or run `body(*args)` in this process without a broker.

    Either way it starts once the current transaction commits, so the task sees the rows it is given.
    In-process, it runs in a thread of its own (FABULA_IN_PROCESS_TASKS = "thread", the default): the
    request that started it answers at once and the page follows the work as it follows a worker's, so
    `make run` looks like production. "inline" runs it before the request returns (the tests). A thread
    dies with its process; the work's own row says how far it got.
    """
    if broker_configured():
        transaction.on_commit(lambda: app.send_task(task_name, args=list(args)))
    elif settings.FABULA_IN_PROCESS_TASKS == "inline":
        body(*args)
    else:
        transaction.on_commit(
            lambda: threading.Thread(
                target=_in_thread, args=(body, *args), name=f"fabula:{task_name}", daemon=True
            ).start()
        )


def _in_thread(body: Callable[..., None], *args) -> None:
    try:
        body(*args)
    except Exception:
        # The body records its own failures on its row; anything that escapes is a bug worth a log line.
        logger.exception("In-process task %s%r failed", getattr(body, "__name__", body), args)
    finally:
        # The thread's own connections: Django opens one per thread and nothing else would close them.
        connections.close_all()


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
