"""A real Celery worker against real Redis is killed while it renders an export.

After a restart the export completes exactly once, with no temporary file left behind.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from labb.celery import app as celery_app
from workshops import exporting, services
from workshops.models import Export

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def _start_worker(tmp_path: Path, log_name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "LABB_DATA_DIR": str(tmp_path / "data"),
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_RESTORE_INTERVAL": "1",
        # Longer than a worker takes to restart: the redelivered message finds the job
        # claimed by the dead worker and must come back later rather than be dropped.
        "LABB_EXPORT_STALE_SECONDS": "8",
        "CELERY_TASK_ALWAYS_EAGER": "0",
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


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_killed_worker_export_completes_exactly_once(workshop, facilitator, tmp_path, settings):
    assert settings.REDIS_URL, "this test needs REDIS_URL (a real Redis)"
    settings.EXPORT_ROOT = tmp_path / "data" / "exports"
    # A big board, so that rendering the report takes long enough to be interrupted.
    for number in range(4, 11):
        services.group_add(workshop=workshop, name=f"Grupp {number}")
    lines = "\n".join(
        f"Långsiktig samverkan mellan kommuner och region, punkt {n}, med tillit" for n in range(15)
    )
    for group in workshop.groups.all():
        for column in workshop.columns.all():
            services.notes_bulk_add(workshop=workshop, group=group, column=column, lines=lines)

    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    worker = _start_worker(tmp_path, "worker-1.log")
    try:
        export = exporting.export_request(kind="pdf", user=facilitator, workshop=workshop)
        _wait_for(
            lambda: Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).exists(),
            60,
            "the worker to start rendering",
        )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        export.refresh_from_db()
        assert export.status == Export.Status.RUNNING
        assert export.attempts == 1

        worker = _start_worker(tmp_path, "worker-2.log")
        _wait_for(
            lambda: Export.objects.filter(pk=export.pk, status=Export.Status.DONE).exists(),
            90,
            "the export to be finished after the restart",
        )
        # Give a duplicate delivery, if any, the chance to do harm before we look.
        time.sleep(2)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(20)
        celery_app.conf.task_always_eager = True

    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert export.attempts == 2
    files = sorted(p.name for p in exporting.export_dir(export).iterdir())
    assert files == [export.file_name]
    assert not list(Path(settings.EXPORT_ROOT).rglob(f"*{exporting.TEMP_MARK}*"))
    assert exporting.export_file_path(export).read_bytes()[:5] == b"%PDF-"
