"""Real Celery workers: one subprocess each, in its own process group, against the test
database and the real Redis broker (or the environment a test gives), so a test can kill
them with SIGKILL the way a machine or the OOM killer would stop them.

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
from pathlib import Path

from tests.support.servers import ROOT, server_env


def worker_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A worker on the test database and Redis, writing exports under `tmp_path`."""
    return server_env(
        LABB_DATA_DIR=str(tmp_path / "data"),
        CELERY_VISIBILITY_TIMEOUT="4",
        CELERY_RESTORE_INTERVAL="1",
        LABB_EXPORT_STALE_SECONDS="8",
        CELERY_TASK_ALWAYS_EAGER="0",
        **overrides,
    )


def start_worker(
    tmp_path: Path, log_name: str, *, env: dict[str, str] | None = None, **overrides: str
) -> subprocess.Popen:
    """Start `celery worker` (concurrency 1) in its own process group, logging to
    `tmp_path / log_name`. Without `env`, on the test database (`worker_env`)."""
    env = {**(env or worker_env(tmp_path)), **overrides}
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
            f"test-{log_name}@%h",
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
