"""The database going away: a 503 page (or one line for htmx) with Retry-After while it is down, and no
failed request after a quiet restart, thanks to connection health checks.

The database is taken away at the connection layer (this test's connection is pointed at a closed
port, or a SQLite path that cannot exist) or, on PostgreSQL, by terminating this test's own backend
with pg_terminate_backend: the shared cluster is never stopped.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory

from core.responses import DATABASE_UNAVAILABLE
from tests.factories import make_story, make_user

pytestmark = pytest.mark.django_db(transaction=True)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's; set DATABASE_URL"
)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the socket closes: nothing listens there


@contextmanager
def database_down():
    """Every new connection of this thread fails as it would with the server gone."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    else:
        connection.settings_dict["NAME"] = "/nonexistent-fabula-dir/db.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def logged_in():
    client = Client(raise_request_exception=False)
    client.force_login(make_user("reviewer"))
    return client


@pytest.mark.parametrize("path", ["/", "/review/", "/dashboard/", "/export/", "/notifications/", "/login/"])
def test_pages_answer_503_with_retry_after_while_the_database_is_down(logged_in, path):
    with database_down():
        response = logged_in.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert DATABASE_UNAVAILABLE == "The database is unavailable, try again shortly."
    assert DATABASE_UNAVAILABLE in body and "Fabula cannot reach its database" in body
    assert logged_in.get(path).status_code in (200, 302)  # and back to normal once it returns


def test_htmx_requests_get_one_line_while_the_database_is_down(logged_in):
    story = make_story()
    with database_down():
        response = logged_in.post(
            f"/stories/{story.pk}/undo/", {"version": 1}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == DATABASE_UNAVAILABLE


def test_a_view_that_loses_the_database_midway_answers_503_itself(client, monkeypatch):
    """The session loads, then the database goes during the view. DatabaseUnavailableMiddleware answers
    it as a response, not as an uncaught exception: the default test client would re-raise one."""
    from django.db import OperationalError

    from stories import views

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    client.force_login(make_user("reviewer"))
    monkeypatch.setattr(views, "render", lost)
    response = client.get("/")
    assert response.status_code == 503 and DATABASE_UNAVAILABLE in response.content.decode()


def _wsgi_get(path: str, cookies: dict[str, str]) -> int:
    """One request through the real WSGI handler, as a gunicorn worker serves it: request_started closes
    connections that are obsolete or (with CONN_HEALTH_CHECKS) fail their check."""
    environ = RequestFactory().get(path).environ
    environ["HTTP_COOKIE"] = "; ".join(f"{key}={value}" for key, value in cookies.items())
    statuses = []
    WSGIHandler()(environ, lambda status, headers, *exc: statuses.append(int(status.split()[0])))
    return statuses[0]


def _terminate_own_backend() -> None:
    """What a database restart does to a kept connection, done to this connection only."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@on_postgresql
@pytest.mark.parametrize("health_checks", [True, False])
def test_a_quiet_restart_does_not_fail_the_next_request(client, health_checks):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True  # what config.settings.base sets
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # kept connections are what a restart breaks
    connection.settings_dict["CONN_HEALTH_CHECKS"] = health_checks
    try:
        connection.close()
        client.force_login(make_user("reviewer"))
        cookies = {key: morsel.value for key, morsel in client.cookies.items()}
        assert _wsgi_get("/notifications/", cookies) == 200  # opens and keeps a connection
        assert connection.connection is not None
        _terminate_own_backend()
        status = _wsgi_get("/notifications/", cookies)
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        connection.close()
    # Without health checks the worker's first request after the restart fails: the check is what helps.
    assert status == (200 if health_checks else 503)
