"""Real Celery workers for tests: texts cut from the LitBank fixtures, a broker check, and worker
processes on a queue of their own (so parallel runs on one RabbitMQ never take each other's tasks)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
LITBANK = ROOT / "tests" / "fixtures" / "litbank"
BROKER_URL = os.environ.get("FABULA_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


def litbank_texts(lines_per_text: int = 6) -> list[str]:
    """The two LitBank excerpts cut into texts of a few sentences each (26 texts)."""
    texts = []
    for path in sorted(LITBANK.glob("*.txt")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for start in range(0, len(lines), lines_per_text):
            texts.append("\n".join(lines[start : start + lines_per_text]) + "\n")
    return texts


def why_not_available() -> str | None:
    """Why the distributed tests cannot run here (PostgreSQL and the broker), or None."""
    if connection.vendor != "postgresql":
        return "needs PostgreSQL (set DATABASE_URL=postgres://...); .ci/run runs the suite on it"
    from kombu import Connection

    try:
        with Connection(BROKER_URL, connect_timeout=3) as broker:
            broker.ensure_connection(max_retries=1)
    except Exception as error:  # noqa: BLE001 - any failure to connect means: no broker here
        return f"needs RabbitMQ at {BROKER_URL} ({error}); start it with `rabbitmq-server -detached`"
    return None


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def environment(queue: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **extra,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "EXTRACTION_CHUNK_SIZE": "2",
        "FABULA_TEST_WORKER": "1",
        "PYTHONUNBUFFERED": "1",
    }


def new_queue() -> str:
    return f"fabula-test-{uuid.uuid4().hex[:12]}"


def worker_command(name: str, queue: str) -> list[str]:
    """The command line of one single-process worker on `queue` (the benchmarks start the same one)."""
    celery = str(Path(sys.executable).parent / "celery")
    return [celery, "-A", "config", "worker", "--concurrency", "1", "-n", f"{name}@%h", "-Q", queue,
            "--without-gossip", "--without-mingle", "-l", "info"]  # fmt: skip


class Worker:
    """`celery -A config worker --concurrency 1` in a process group of its own, logging to a file."""

    def __init__(self, name: str, queue: str, log: Path, **env: str):
        self.name, self.log = name, log
        self.process = subprocess.Popen(
            worker_command(name, queue),
            cwd=ROOT,
            env=environment(queue, **env),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(
            f"worker {self.name} did not start:\n{self.log.read_text(errors='replace')[-3000:]}"
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group: the worker and its pool process."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                self.kill()
        else:
            # The pool process may outlive a killed parent for a moment: end the group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)


def delete_queue(queue: str) -> None:
    from kombu import Connection

    try:
        with Connection(BROKER_URL, connect_timeout=3) as broker:
            broker.default_channel.queue_delete(queue)
    except Exception:  # noqa: BLE001, S110 - cleanup of a throwaway queue must not fail the test
        pass
