"""Real Celery workers for the export-job tests: one subprocess each, against the test
database and the real Redis broker, killed with SIGKILL the way a machine or the OOM killer
would stop them.

The broker settings are short so that a killed worker's message is redelivered within
seconds: Redis gives an unacknowledged message (acks_late) back to the queue after
`CELERY_VISIBILITY_TIMEOUT`, checked by a running worker every `CELERY_RESTORE_INTERVAL`.
That is the path production uses (with 600 s and 10 s).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def fill_a_big_board(workshop) -> None:
    """Ten groups of notes, so that rendering the report takes long enough to be killed in."""
    from workshops.services.groups import group_add
    from workshops.services.notes import notes_bulk_add

    for number in range(4, 11):
        group_add(workshop=workshop, name=f"Grupp {number}")
    lines = "\n".join(
        f"Långsiktig samverkan mellan kommuner och region, punkt {n}, med tillit" for n in range(15)
    )
    for group in workshop.groups.all():
        for column in workshop.columns.all():
            notes_bulk_add(workshop=workshop, group=group, column=column, lines=lines)


def start_worker(tmp_path: Path, log_name: str, **env_overrides: str) -> subprocess.Popen:
    """Start `celery worker` (concurrency 1) in its own process group."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "LABB_DATA_DIR": str(tmp_path / "data"),
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_RESTORE_INTERVAL": "1",
        "LABB_EXPORT_STALE_SECONDS": "8",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **env_overrides,
    }
    log = open(tmp_path / log_name, "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "labb",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"kill-test-{log_name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_worker(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool processes at once: nothing is acknowledged."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            kill_worker(worker)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def pool_processes(worker: subprocess.Popen) -> list[int]:
    """The worker's pool (prefork) processes: the ones that run the tasks."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[1]) == worker.pid:
            children.append(int(stat.parent.name))
    return children


def kill_pool_process(worker: subprocess.Popen) -> None:
    """SIGKILL the process running the task, as the kernel's OOM killer would; the worker
    itself lives on, sees the loss and (reject_on_worker_lost) gives the message back."""
    (child,) = pool_processes(worker)
    os.kill(child, signal.SIGKILL)
