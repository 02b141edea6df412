"""A real Celery worker against real Redis is killed while it renders an export.

After a restart the export completes exactly once, with no temporary file left behind.
"""

import time
from pathlib import Path

import pytest

from labb.celery import app as celery_app
from tests.support.boards import fill_a_big_board
from tests.support.celery import kill_worker, start_worker, stop_worker
from tests.support.waiting import wait_for
from workshops import exporting
from workshops.models import Export
from workshops.services.exports import export_request


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_killed_worker_export_completes_exactly_once(workshop, facilitator, tmp_path, settings):
    assert settings.REDIS_URL, "this test needs REDIS_URL (a real Redis)"
    settings.EXPORT_ROOT = tmp_path / "data" / "exports"
    # A big board, so that rendering the report takes long enough to be interrupted.
    fill_a_big_board(workshop)

    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    worker = start_worker(
        tmp_path,
        "worker-1.log",
        # Longer than a worker takes to restart: the redelivered message finds the job
        # claimed by the dead worker and must come back later rather than be dropped.
        LABB_EXPORT_STALE_SECONDS="8",
    )
    try:
        export = export_request(kind="pdf", user=facilitator, workshop=workshop)
        wait_for(
            lambda: Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).exists(),
            60,
            "the worker to start rendering",
        )
        kill_worker(worker)
        export.refresh_from_db()
        assert export.status == Export.Status.RUNNING
        assert export.attempts == 1

        worker = start_worker(tmp_path, "worker-2.log", LABB_EXPORT_STALE_SECONDS="8")
        wait_for(
            lambda: Export.objects.filter(pk=export.pk, status=Export.Status.DONE).exists(),
            90,
            "the export to be finished after the restart",
        )
        # Give a duplicate delivery, if any, the chance to do harm before we look.
        time.sleep(2)
    finally:
        stop_worker(worker)
        celery_app.conf.task_always_eager = True

    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert export.attempts == 2
    files = sorted(p.name for p in exporting.export_dir(export).iterdir())
    assert files == [export.file_name]
    assert not list(Path(settings.EXPORT_ROOT).rglob(f"*{exporting.TEMP_MARK}*"))
    assert exporting.export_file_path(export).read_bytes()[:5] == b"%PDF-"
