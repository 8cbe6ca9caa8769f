"""Fabula side by side with doccano 1.8.4, in one run: importing 1,000 stories, and one document's page.

Both servers run under gunicorn with the same number of sync workers on PostgreSQL. The benchmark
starts Fabula's gunicorn itself (as the README's production section does, `--preload`, DEBUG off) on
the database DATABASE_URL names; doccano must already be running. In rounds that alternate which side
goes first it measures:

- import: the same generated stories (benchmarks/corpus.py's generator, one JSONL file) through
  doccano's API (upload, import task, until the task is done), against `manage.py ingest --no-extract`
  as a whole command in a fresh process (Django start-up included); wall clock, and CPU (the
  command's, against doccano's web and task processes);
- server CPU per request: Fabula's reader page against doccano's document JSON
  (`GET /v1/projects/{id}/examples/{eid}`) for the same story, both logged in by session cookie, one
  request at a time; CPU is utime+stime from /proc of every process holding the server's listening
  socket (master and workers), with and without the PostgreSQL backends of that server's database;
- throughput of the same two requests under 8 concurrent connections (`wrk -t2 -c8`; without wrk, a
  Python load generator with 8 threads, and the output says so; Debian: `apt-get install wrk`).

Fabula's copy of the story also gets the generator's 6 entities, so its page does a reader's real work;
doccano's document JSON carries no spans whatever the document holds.

Starting doccano (outside this repository; nothing of it is committed). Python 3.11, because pandas 1.5
(a doccano 1.8.4 dependency) has no wheel for 3.12; the pins fix what its open version ranges resolve
to today (marshmallow 4 breaks environs 9, numpy 2 breaks pandas 1.5, kombu's Redis transport wants
redis-py 6). Redis database 13 is the broker, so its queue is apart from Fabula's RabbitMQ queues:

    python3.11 -m venv /work/doccano-venv
    /work/doccano-venv/bin/pip install doccano==1.8.4 psycopg2-binary \
        "marshmallow<3.20" "numpy<2" "redis>=6.1,<7"
    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE doccano_bench"
    export DOCCANO_HOME=/work/doccano-home SECRET_KEY=doccano-bench-not-secret
    export DATABASE_URL='postgres://postgres@127.0.0.1:5432/doccano_bench?sslmode=disable'
    export CELERY_BROKER_URL=redis://127.0.0.1:6379/13
    /work/doccano-venv/bin/doccano init
    /work/doccano-venv/bin/doccano createuser --username admin --password doccano-bench
    /work/doccano-venv/bin/doccano webserver --port 8011 --workers 3 &    # its own gunicorn
    /work/doccano-venv/bin/doccano task --concurrency 1 &                 # the import runs here

Then, with Fabula's database (PostgreSQL, migrated by the benchmark):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fabula_doccano .venv/bin/python benchmarks/doccano.py \
        --doccano-url http://127.0.0.1:8011 --doccano-user admin --doccano-password doccano-bench --workers 3

(DOCCANO_URL, DOCCANO_USER and DOCCANO_PASSWORD work in place of the options.) Targets: reader page CPU
at most 1.5x doccano's document JSON; reader throughput at least 0.8x doccano's document GET under 8
connections; `ingest --no-extract` of 1,000 stories within 2x of doccano's API import.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = ROOT / ".venv" / "bin" / "python"
TICKS = os.sysconf("SC_CLK_TCK")
SECRET = "fabula-doccano-benchmark-not-secret"
EDITOR = "doccano-bench-editor"
# doccano warns once per file that a plain-text JSONL has no "label" column; the import is whole.
DOCCANO_NO_LABEL = "Column label not found in the file"


def fail(message: str) -> None:
    print(f"benchmarks/doccano.py: {message}", file=sys.stderr)
    raise SystemExit(1)


# --- doccano over its REST API ---------------------------------------------------------------------


class Doccano:
    """doccano's REST API with one admin: a token for writes, the session cookie for page-like reads."""

    def __init__(self, url: str, user: str, password: str):
        import requests

        self.url = url.rstrip("/")
        self.http = requests.Session()
        try:
            self.http.get(f"{self.url}/v1/health/", timeout=5).raise_for_status()
        except requests.RequestException as error:
            fail(
                f"doccano is not reachable at {self.url} ({error}). Start it as this script's docstring "
                "says (doccano webserver and doccano task), or pass --doccano-url."
            )
        answer = self.http.post(f"{self.url}/v1/auth/login/", json={"username": user, "password": password})
        if answer.status_code != 200:
            fail(
                f"doccano refused {user!r}: {answer.status_code} {answer.text[:200]}. "
                "Check --doccano-user and --doccano-password."
            )
        self.token = answer.json()["key"]
        self.session_cookie = f"sessionid={self.http.cookies['sessionid']}"
        # With a session cookie DRF would demand a CSRF token on writes; the API calls use the token.
        self.http.cookies.clear()
        self.auth = {"Authorization": f"Token {self.token}"}

    def create_project(self, name: str) -> int:
        answer = self.http.post(
            f"{self.url}/v1/projects",
            headers=self.auth,
            json={
                "name": name,
                "description": "benchmarks/doccano.py",
                "guideline": "",
                "project_type": "SequenceLabeling",
                "resourcetype": "SequenceLabelingProject",
            },
        )
        answer.raise_for_status()
        return answer.json()["id"]

    def import_jsonl(self, project: int, path: Path) -> int:
        """Upload the file, start doccano's import task and wait for it; returns the examples stored."""
        with path.open("rb") as handle:
            upload = self.http.post(
                f"{self.url}/v1/fp/process/", headers=self.auth, files={"filepond": handle}
            )
        upload.raise_for_status()
        options = {
            "uploadIds": [upload.text.strip()],
            "format": "JSONL",
            "task": "SequenceLabeling",
            "column_data": "text",
            "column_label": "label",
            "delimiter": ",",
            "encoding": "utf_8",
        }
        started = self.http.post(f"{self.url}/v1/projects/{project}/upload", headers=self.auth, json=options)
        started.raise_for_status()
        task = started.json()["task_id"]
        while True:
            status = self.http.get(f"{self.url}/v1/tasks/status/{task}", headers=self.auth).json()
            if status["ready"]:
                break
            time.sleep(0.02)
        errors = [
            e for e in (status.get("result") or {}).get("error", []) if e.get("message") != DOCCANO_NO_LABEL
        ]
        if status.get("error") or errors:
            fail(f"doccano's import failed: {status.get('error') or errors[:3]}")
        return self.examples(project)["count"]

    def examples(self, project: int, **params) -> dict:
        answer = self.http.get(f"{self.url}/v1/projects/{project}/examples", headers=self.auth, params=params)
        answer.raise_for_status()
        return answer.json()


# --- processes and their CPU ----------------------------------------------------------------------


def listening_pids(port: int) -> list[int]:
    """Every process holding the TCP socket that listens on `port`: a gunicorn master and its workers."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for line in list(handle)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    inodes.add(fields[9])
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            links = {os.readlink(f"/proc/{entry}/fd/{fd}") for fd in os.listdir(f"/proc/{entry}/fd")}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            pids.append(int(entry))
    return sorted(pids)


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a backend that closed since it was listed
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def backend_pids(database: str) -> list[int]:
    """PostgreSQL server processes serving `database` (the same machine, so /proc shows them)."""
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
        ).fetchall()
    return [pid for (pid,) in rows]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- one side of the comparison -------------------------------------------------------------------


class Target:
    """One GET that stands for a document's page on one server, with what it takes to measure it."""

    def __init__(self, name: str, url: str, headers: dict[str, str], database: str):
        self.name, self.url, self.headers, self.database = name, url, headers, database
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = (
            parts.hostname,
            parts.port,
            parts.path + (f"?{parts.query}" if parts.query else ""),
        )
        self.server = listening_pids(self.port)

    def get(self) -> int:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.request("GET", self.path, headers=self.headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status

    def block(self, count: int) -> dict[str, float]:
        """`count` requests one at a time: server CPU per request (ms), alone and with its database."""
        backends = backend_pids(self.database)
        server0, db0 = cpu_seconds(self.server), cpu_seconds(backends)
        walls = []
        for _ in range(count):
            start = time.perf_counter()
            status = self.get()
            walls.append(time.perf_counter() - start)
            if status != 200:
                fail(f"{self.name}: GET {self.url} answered {status}")
        backends = sorted(set(backends) | set(backend_pids(self.database)))
        server = (cpu_seconds(self.server) - server0) / count * 1000
        database = (cpu_seconds(backends) - db0) / count * 1000
        return {"cpu": server, "cpu+db": server + database, "wall": statistics.median(walls) * 1000}

    def throughput(self, seconds: int, connections: int) -> tuple[float, str]:
        """Requests per second under `connections` concurrent clients, and what generated the load."""
        if shutil.which("wrk"):
            command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
            for key, value in self.headers.items():
                command += ["-H", f"{key}: {value}"]
            out = subprocess.run(command + [self.url], capture_output=True, text=True, check=True).stdout
            if "Non-2xx" in out:
                fail(f"{self.name}: wrk saw error answers:\n{out}")
            return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), f"wrk -t2 -c{connections}"
        return self.threaded_load(seconds, connections), f"Python, {connections} threads (no wrk on PATH)"

    def threaded_load(self, seconds: int, connections: int) -> float:
        done, errors, stop = [0] * connections, [], time.perf_counter() + seconds

        def client(slot: int) -> None:
            while time.perf_counter() < stop:
                if self.get() != 200:
                    errors.append(slot)
                done[slot] += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            fail(f"{self.name}: {len(errors)} error answers under load")
        return sum(done) / (time.perf_counter() - start)


# --- Fabula ---------------------------------------------------------------------------------------


def fabula_environment(database_url: str) -> dict[str, str]:
    """Production settings (DEBUG off) as the README serves them, minus HTTPS: no TLS proxy here."""
    # Bytecode caches on, as after any install: without them every process compiles Fabula from source.
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }


def start_fabula(environment: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi",
        "--preload",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=environment)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"Fabula's gunicorn exited with {server.returncode}: {' '.join(command)}")
        if len(listening_pids(port)) >= workers + 1:
            return server, port
        time.sleep(0.5)
    server.terminate()
    fail("Fabula's gunicorn did not start its workers within 120 s")


def fabula_ingest(environment: dict[str, str], path: Path, batch: str) -> tuple[float, float]:
    """`manage.py ingest --no-extract` as an admin runs it, a fresh process: (seconds from exec to
    exit, its CPU seconds)."""
    command = [str(PYTHON), "manage.py", "ingest", str(path), "--no-extract", "--batch", batch, "-v", "0"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=environment, check=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def fabula_setup(environment: dict[str, str]) -> str:
    """Migrate Fabula's database and log the benchmark's editor in; returns its session cookie."""
    os.environ.update(
        {
            k: environment[k]
            for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")
        }
    )
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves the manifest's names
    editor, _ = User.objects.get_or_create(username=EDITOR)
    editor.groups.add(Group.objects.get_or_create(name="Editors")[0])
    client = Client()
    client.force_login(editor)
    return f"sessionid={client.cookies['sessionid'].value}"


def fabula_story(title: str, text: str, spans: list[tuple[int, int, str]]) -> int:
    """The last ingested story with this title; gets the generator's entities if it has none."""
    from annotations.models import Entity, Label
    from stories.models import Story

    story = Story.objects.filter(title=title).latest("pk")
    if story.text != text:
        fail(f"Fabula stored story {story.pk} with a different text than the generator made")
    for name in {label for _, _, label in spans}:
        Label.objects.get_or_create(name=name)
    if not Entity.objects.filter(story=story).exists():
        Entity.objects.bulk_create(
            Entity(
                story=story,
                start=s,
                end=e,
                text=text[s:e],
                label_id=label,
                origin=Entity.Origin.MODEL,
                model_start=s,
                model_end=e,
                model_label=label,
            )
            for s, e, label in spans
        )
    return story.pk


# --- the run --------------------------------------------------------------------------------------


def write_stories(path: Path, count: int, seed: int) -> list[tuple[str, str, list]]:
    from benchmarks.corpus import story_texts

    stories = list(story_texts(count, seed))
    with path.open("w", encoding="utf-8") as handle:
        for title, text, _spans in stories:
            handle.write(json.dumps({"title": title, "text": text}) + "\n")
    return stories


def ratio_line(name: str, fabula: float, doccano: float, unit: str, target: str) -> str:
    return f"| {name} | {fabula:.2f} {unit} | {doccano:.2f} {unit} | **{fabula / doccano:.2f}×** | {target} |"


def doccano_processes(port: int) -> list[int]:
    """doccano's web server (the processes on `port`) and its task queue (`doccano task` and its pool)."""
    tasks = set()
    # In pid order, so the pool's children come after `doccano task` (pids do not wrap in one run).
    for entry in sorted(filter(str.isdigit, os.listdir("/proc")), key=int):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                argv = handle.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if parent in tasks or (any(arg.endswith(b"doccano") for arg in argv) and b"task" in argv):
            tasks.add(int(entry))
    return sorted(set(listening_pids(port)) | tasks)


def time_doccano_import(doccano: Doccano, path: Path, name: str, expected: int) -> tuple[float, float, int]:
    """(seconds from the upload to the finished import task, CPU seconds of doccano's processes
    meanwhile, the new project's id)."""
    project = doccano.create_project(name)
    processes = doccano_processes(urllib.parse.urlsplit(doccano.url).port)
    cpu = cpu_seconds(processes)
    start = time.perf_counter()
    stored = doccano.import_jsonl(project, path)
    seconds = time.perf_counter() - start
    cpu = cpu_seconds(processes) - cpu
    if stored != expected:
        fail(f"doccano stored {stored} examples, not {expected}")
    return seconds, cpu, project


def compare_imports(doccano: Doccano, environment: dict[str, str], args, seed: int, tmp: Path):
    """Import rounds, alternating which side goes first, each with new texts for both sides.
    Returns the median seconds (doccano, Fabula), the last doccano project and its stories."""
    print("| round | doccano s | Fabula s | Fabula / doccano | doccano CPU s | Fabula CPU s | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = []
    for round_ in range(args.import_rounds):
        path = tmp / f"stories-{seed}-{round_}.jsonl"
        stories = write_stories(path, args.stories, seed * 100 + round_)
        name = f"doccano-bench {seed}-{round_}"
        if round_ % 2 == 0:
            docc, docc_cpu, project = time_doccano_import(doccano, path, name, args.stories)
            fab, fab_cpu = fabula_ingest(environment, path, name)
        else:
            fab, fab_cpu = fabula_ingest(environment, path, name)
            docc, docc_cpu, project = time_doccano_import(doccano, path, name, args.stories)
        rows.append((docc, fab, docc_cpu, fab_cpu))
        print(
            f"| {round_ + 1} | {docc:.2f} | {fab:.2f} | {fab / docc:.2f}× "
            f"| {docc_cpu:.2f} | {fab_cpu:.2f} | {fab_cpu / docc_cpu:.2f}× |"
        )
    medians = [statistics.median(row[i] for row in rows) for i in range(4)]
    return medians, project, stories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doccano-url", default=os.environ.get("DOCCANO_URL", "http://127.0.0.1:8011"))
    parser.add_argument("--doccano-user", default=os.environ.get("DOCCANO_USER", "admin"))
    parser.add_argument("--doccano-password", default=os.environ.get("DOCCANO_PASSWORD"))
    parser.add_argument("--doccano-database", default="doccano_bench", help="doccano's PostgreSQL database")
    parser.add_argument("--workers", type=int, default=3, help="Fabula's gunicorn workers (match doccano's)")
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--import-rounds", type=int, default=3)
    parser.add_argument("--cpu-rounds", type=int, default=6, help="alternating blocks per side")
    parser.add_argument("--requests", type=int, default=100, help="requests per CPU block")
    parser.add_argument("--load-rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="length of each load run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seed", type=int, default=None, help="default: from the clock, so texts are new")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        fail("set DATABASE_URL to Fabula's PostgreSQL database (doccano runs on PostgreSQL too)")
    if args.doccano_password is None:
        fail("pass --doccano-password (or DOCCANO_PASSWORD): the doccano admin's password")
    doccano = Doccano(args.doccano_url, args.doccano_user, args.doccano_password)
    doccano_port = urllib.parse.urlsplit(doccano.url).port
    doccano_workers = len(listening_pids(doccano_port)) - 1
    if doccano_workers < 1:
        fail(
            f"no doccano server process listens on port {doccano_port} on this machine "
            "(server CPU is read from /proc, so doccano must run here)"
        )
    if doccano_workers != args.workers:
        fail(
            f"doccano runs {doccano_workers} gunicorn workers; "
            f"pass --workers {doccano_workers} so Fabula runs as many"
        )

    environment = fabula_environment(database_url)
    fabula_cookie = fabula_setup(environment)
    fabula_database = urllib.parse.urlsplit(database_url).path.lstrip("/")
    seed = args.seed if args.seed is not None else int(time.time()) % 1_000_000
    tmp = Path(tempfile.mkdtemp(prefix="fabula-doccano-"))
    print(
        f"# Fabula vs doccano 1.8.4 · {platform.machine()} · {os.cpu_count()} CPUs · Python "
        f"{platform.python_version()} · load average {os.getloadavg()[0]:.1f} at start · "
        f"gunicorn {args.workers} sync workers each · PostgreSQL · seed {seed}"
    )

    print(
        f"\n## Import of {args.stories:,} stories "
        "(whole: doccano's upload and task; Fabula's command from exec to exit)"
    )
    # Untimed: writes the bytecode caches the timed commands then find, as on any installed server.
    subprocess.run(
        [str(PYTHON), "manage.py", "check"], cwd=ROOT, env=environment, check=True, capture_output=True
    )
    (import_d, import_f, import_d_cpu, import_f_cpu), project, stories = compare_imports(
        doccano, environment, args, seed, tmp
    )

    title, text, spans = stories[0]
    story = fabula_story(title, text, spans)
    example = doccano.examples(project, limit=1, offset=0)["results"][0]
    if example["text"] != text:
        fail("doccano's first example is not the generator's first story")
    server, port = start_fabula(environment, args.workers)
    try:
        headers = {"Accept": "text/html"}
        fabula = Target(
            "Fabula reader page",
            f"http://127.0.0.1:{port}/stories/{story}/",
            {**headers, "Cookie": fabula_cookie},
            fabula_database,
        )
        docc = Target(
            "doccano document JSON",
            f"{doccano.url}/v1/projects/{project}/examples/{example['id']}",
            {"Accept": "application/json", "Cookie": doccano.session_cookie},
            args.doccano_database,
        )
        for target in (fabula, docc):
            for _ in range(20 * args.workers):  # every worker past its first request (caches, plans)
                target.get()
        print(
            f"\n## Server CPU per request, one at a time "
            f"({args.cpu_rounds} alternating blocks of {args.requests})"
        )
        print(
            f"Fabula: GET /stories/{story}/ ({len(spans)} entities, {len(text):,} chars); "
            f"doccano: GET /v1/projects/{project}/examples/{example['id']}"
        )
        blocks: dict[str, list[dict]] = {"fabula": [], "doccano": []}
        for round_ in range(args.cpu_rounds):
            order = ((fabula, "fabula"), (docc, "doccano"))
            for target, key in order if round_ % 2 == 0 else order[::-1]:
                blocks[key].append(target.block(args.requests))
        cpu = {
            key: {m: statistics.median(b[m] for b in rows) for m in ("cpu", "cpu+db", "wall")}
            for key, rows in blocks.items()
        }
        print("| measure (median of blocks) | Fabula | doccano | Fabula / doccano |\n|---|---:|---:|---:|")
        for measure, label in (
            ("cpu", "server CPU ms"),
            ("cpu+db", "server + PostgreSQL CPU ms"),
            ("wall", "wall ms (p50)"),
        ):
            f, d = cpu["fabula"][measure], cpu["doccano"][measure]
            print(f"| {label} | {f:.2f} | {d:.2f} | {f / d:.2f}× |")

        print(f"\n## Throughput, {args.connections} connections, {args.seconds} s per run, alternating")
        print("| round | Fabula req/s | doccano req/s | Fabula / doccano |\n|---|---:|---:|---:|")
        loads, how = [], ""
        for round_ in range(args.load_rounds):
            rates = {}
            order = ((fabula, "fabula"), (docc, "doccano"))
            for target, key in order if round_ % 2 == 0 else order[::-1]:
                rates[key], how = target.throughput(args.seconds, args.connections)
            loads.append((rates["fabula"], rates["doccano"]))
            print(
                f"| {round_ + 1} | {rates['fabula']:.1f} | {rates['doccano']:.1f} | "
                f"{rates['fabula'] / rates['doccano']:.2f}× |"
            )
        print(f"load generator: {how}")
        rate_f = statistics.median(f for f, _ in loads)
        rate_d = statistics.median(d for _, d in loads)
    finally:
        server.terminate()
        server.wait(30)

    print(f"\n## Against the targets (load average {os.getloadavg()[0]:.1f} at the end)")
    print("| target | Fabula | doccano | ratio | goal |\n|---|---:|---:|---:|---|")
    print(
        ratio_line(
            "reader page CPU vs document JSON", cpu["fabula"]["cpu"], cpu["doccano"]["cpu"], "ms", "≤ 1.5×"
        )
    )
    print(
        ratio_line(
            "… with PostgreSQL's CPU", cpu["fabula"]["cpu+db"], cpu["doccano"]["cpu+db"], "ms", "(≤ 1.5×)"
        )
    )
    print(ratio_line(f"throughput, {args.connections} connections", rate_f, rate_d, "req/s", "≥ 0.8×"))
    print(ratio_line(f"import of {args.stories:,} stories, whole", import_f, import_d, "s", "≤ 2×"))
    print(ratio_line("… its CPU (no PostgreSQL)", import_f_cpu, import_d_cpu, "s", "(≤ 2×)"))


if __name__ == "__main__":
    main()
