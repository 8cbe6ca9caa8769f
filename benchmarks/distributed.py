"""Distributed extraction: 200 LitBank-derived texts through 1 and 2 Celery worker processes, against the
in-process ingest of the same texts, in one run.

Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/SOME_DB .venv/bin/python benchmarks/distributed.py`
with RabbitMQ at CELERY_BROKER_URL (default amqp://guest:guest@127.0.0.1:5672//). The database named in
DATABASE_URL is only the server to use: the benchmark creates and drops a throwaway database of its own,
and a queue of its own on the broker.

The texts are LitBank's 100 works (~2,000 words each; Bamman et al., CC BY 4.0) from ../shared/litbank,
twice (the second copy carries a marker line, so it is a new story): 200 texts, ~420,000 words.
- "in-process": `interchange.services.ingest.ingest()` in this process, spaCy already loaded.
- "N workers": `manage.py ingest --distributed` (store, queue chunks, wait) with N worker processes
  (`celery -A config worker --concurrency 1`, one per process, as on N machines) started and warm
  (spaCy loads as a worker starts), timed from the command's start to its last story extracted.
Between runs the stories are deleted, so each run extracts all 200. Peak memory per worker is the
pool process's VmHWM. CPU time (the workers' processes and the command, from /proc and getrusage) counts
only the work done, not time the scheduler gave to other jobs on a shared machine.
Targets: 2 workers >= 1.7x 1 worker; 1 worker >= 0.9x in-process.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITBANK_TEXTS = ROOT.parent / "shared" / "litbank" / "entities" / "brat"
BROKER = os.environ.get("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


def stage_texts(folder: Path, copies: int = 2) -> int:
    texts = sorted(LITBANK_TEXTS.glob("*.txt"))
    if not texts:
        sys.exit(f"No LitBank texts in {LITBANK_TEXTS}; the benchmark needs ../shared/litbank.")
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for k in range(copies):
        for path in texts:
            text = path.read_text(encoding="utf-8") + (f"\n\n(copy {k})\n" if k else "")
            (folder / f"{path.stem}-{k}.txt").write_text(text, encoding="utf-8")
            words += len(text.split())
    return words


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (utime and stime, in clock ticks)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def reaped_cpu() -> float:
    """CPU time of finished child processes (the ingest command), which /proc no longer shows."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Worker:
    def __init__(self, name: str, env: dict, log: Path):
        self.log = log
        from tests.integration.workers import worker_command

        self.process = subprocess.Popen(
            worker_command(name, env["CELERY_QUEUE"]),
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            log = self.log.read_text(errors="replace")
            if " ready." in log and "spaCy pipeline" in log:  # the pool process has loaded spaCy
                return
            time.sleep(0.2)
        sys.exit(f"worker did not start; see {self.log}")

    def peak_mb(self) -> tuple[float, float]:
        """(main process, pool process) peak resident memory."""
        pool = children(self.process.pid)
        return vm_hwm_mb(self.process.pid), max((vm_hwm_mb(p) for p in pool), default=0.0)

    def cpu(self) -> float:
        return cpu_seconds_of(self.process.pid) + sum(cpu_seconds_of(p) for p in children(self.process.pid))

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--copies", type=int, default=2, help="Copies of the 100 texts (default 2: 200 texts)."
    )
    args = parser.parse_args()

    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://... (the server to use; a throwaway database is made on it).")
    import psycopg

    base, _, _ = server.rpartition("/")
    name = f"fabula_bench_distributed_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    work = Path(f"/tmp/fabula-bench-distributed-{os.getpid()}")
    queue = f"fabula-bench-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{base}/{name}",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "1",
    }
    os.environ.update(env)
    try:
        run(args, work, env)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
        try:
            from kombu import Connection

            with Connection(BROKER) as broker:
                broker.default_channel.queue_delete(queue)
        except Exception:  # noqa: BLE001, S110 - a leftover throwaway queue is harmless
            pass


def run(args, work: Path, env: dict) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command

    from annotations.services.pipeline import drafting_nlp
    from interchange.services.ingest import ingest
    from stories.models import ImportBatch, Story

    call_command("migrate", verbosity=0)
    words = stage_texts(work / "texts", args.copies)
    texts = len(list((work / "texts").glob("*.txt")))
    print(
        f"{texts} texts, {words:,} words; machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}",
        flush=True,
    )

    def clear() -> None:
        Story.objects.all().delete()
        ImportBatch.objects.all().delete()

    results = {}
    drafting_nlp()
    load = os.getloadavg()[0]
    start, cpu = time.monotonic(), own_cpu()
    report = ingest([work / "texts"], batch_name="in-process")
    seconds, cpu = time.monotonic() - start, own_cpu() - cpu
    assert report.imported == texts, report.errors
    results["in-process"] = {"seconds": seconds, "load": load, "cpu": cpu}
    print(
        f"in-process: {seconds:.1f}s, {words / seconds:,.0f} words/s, {words / cpu:,.0f} words/CPU-s "
        f"(load before {load:.2f})",
        flush=True,
    )

    for count in args.workers:
        clear()
        logs = work / f"logs-{count}"
        logs.mkdir(parents=True, exist_ok=True)
        pool = [Worker(f"bench{i}", env, logs / f"w{i}.log") for i in range(count)]
        try:
            for worker in pool:
                worker.wait_ready()
            load = os.getloadavg()[0]
            cpu = sum(worker.cpu() for worker in pool) + reaped_cpu()
            start = time.monotonic()
            out = subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "ingest",
                    str(work / "texts"),
                    "--batch",
                    f"{count} workers",
                    "--distributed",
                    "-v",
                    "1",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.monotonic() - start
            cpu = sum(worker.cpu() for worker in pool) + reaped_cpu() - cpu
            if out.returncode:
                sys.exit(out.stdout + out.stderr)
            peaks = [worker.peak_mb() for worker in pool]
        finally:
            for worker in pool:
                worker.stop()
        assert Story.objects.filter(extracted_at__isnull=False).count() == texts
        results[count] = {"seconds": seconds, "load": load, "peaks": peaks, "cpu": cpu}
        pool_peak = max(p for _, p in peaks)
        print(
            f"{count} worker(s): {seconds:.1f}s, {words / seconds:,.0f} words/s, peak per worker "
            f"{pool_peak:.0f} MB pool process + {max(m for m, _ in peaks):.0f} MB main, "
            f"{words / cpu:,.0f} words/CPU-s "
            f"(load before {load:.2f})",
            flush=True,
        )

    base = results["in-process"]["seconds"]
    print(
        "\n| run | seconds | words/s | vs in-process | vs 1 worker | words/CPU-s | vs in-process, CPU |",
        end="",
    )
    print(" peak MB per worker (pool + main) | load |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    inproc_load = results["in-process"]["load"]
    base_cpu = words / results["in-process"]["cpu"]
    cells = f"{base:.1f} | {words / base:,.0f} | 1.00 | | {base_cpu:,.0f} | 1.00 | | {inproc_load:.2f}"
    print(f"| in-process | {cells} |")
    for count in args.workers:
        r = results[count]
        one = results.get(1, r)["seconds"]
        peak = f"{max(p for _, p in r['peaks']):.0f} + {max(m for m, _ in r['peaks']):.0f}"
        print(
            f"| {count} worker{'s' if count > 1 else ''} | {r['seconds']:.1f} | {words / r['seconds']:,.0f} "
            "| "
            f"{base / r['seconds']:.2f} | {one / r['seconds']:.2f} | {words / r['cpu']:,.0f} | "
            f"{words / r['cpu'] / base_cpu:.2f} | {peak} | {r['load']:.2f} |"
        )


if __name__ == "__main__":
    main()
