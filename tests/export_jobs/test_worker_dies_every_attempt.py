"""A real Celery worker (real Redis broker, real PostgreSQL) is killed during every attempt
of one export: after MAX_ATTEMPTS deaths the job is failed with a reason people can read,
and nothing claims, renders or re-queues it again.

Without the give-up check made when a job is claimed, such a job (an export that makes the
worker run out of memory, say) would be claimed, and its worker killed, for ever: an attempt
that dies records nothing, so only the claim can count it.

The job comes back after each death the ways production brings it back:
- deaths 1 and 2 kill only the pool process running the task (as the kernel's OOM killer
  would); the worker sees it lost (acks_late, reject_on_worker_lost) and gives the message
  back at once; the redelivered message finds the dead claim not yet stale (ExportBusy) and
  is retried until it is;
- death 3 kills the whole worker (SIGKILL to its process group, as when a machine stops):
  the message stays unacknowledged in Redis until a newly started worker restores it after
  the visibility timeout, and that worker's claim is where the job is given up.
"""

from __future__ import annotations

import time

import pytest

from labb.celery import app as celery_app
from tests.support.boards import fill_a_big_board
from tests.support.celery import kill_pool_process, kill_worker, start_worker, stop_worker
from tests.support.waiting import wait_for
from workshops import exporting
from workshops.models import Export
from workshops.services.exports import export_request

# Short, so that the test takes seconds; production has 600 s for both and restores
# every 10 s.
STALE_SECONDS = "2"
BROKER = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_RESTORE_INTERVAL": "1"}


def _state(export: Export) -> tuple[str, int]:
    export.refresh_from_db()
    return export.status, export.attempts


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_dies_in_every_attempt_is_failed_and_not_claimed_again(
    workshop, facilitator, client, tmp_path, settings, monkeypatch
):
    assert settings.REDIS_URL, "this test needs REDIS_URL (a real Redis)"
    settings.EXPORT_ROOT = tmp_path / "data" / "exports"
    # The sweep run below, in this process, sees the same stale time as the workers.
    monkeypatch.setenv("LABB_EXPORT_STALE_SECONDS", STALE_SECONDS)
    # A report that takes a while to render, so that each kill lands inside an attempt.
    fill_a_big_board(workshop)

    def running(attempt: int):
        return lambda: _state(export) == (Export.Status.RUNNING, attempt)

    env = {"LABB_EXPORT_STALE_SECONDS": STALE_SECONDS, **BROKER}
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    worker = start_worker(tmp_path, "worker-1.log", **env)
    try:
        export = export_request(kind="pdf", user=facilitator, workshop=workshop)
        for attempt in (1, 2):
            wait_for(running(attempt), 60, f"attempt {attempt} to start rendering")
            kill_pool_process(worker)
            # The worker itself lives on and gives the message back.
            time.sleep(0.2)
            assert worker.poll() is None
            assert _state(export) == (Export.Status.RUNNING, attempt)
        wait_for(running(3), 60, "attempt 3 to start rendering")
        kill_worker(worker)
        assert _state(export) == (Export.Status.RUNNING, 3)

        # A new worker gets the message of the dead one back and must give the job up.
        worker = start_worker(tmp_path, "worker-2.log", **env)
        wait_for(
            lambda: _state(export) != (Export.Status.RUNNING, 3),
            60,
            "the job to leave attempt 3",
        )
        assert _state(export) == (Export.Status.FAILED, 3), export.error
        # Longer than a visibility timeout plus a restore: a duplicate delivery, if any,
        # has come and gone.
        time.sleep(5)
        assert _state(export) == (Export.Status.FAILED, 3)
        assert worker.poll() is None
        # The beat sweep does not send it again either.
        assert exporting.exports_stuck() == []
    finally:
        stop_worker(worker)
        celery_app.conf.task_always_eager = True

    assert export.error == "The worker stopped during each of 3 attempts."
    assert export.finished_at is not None
    assert not export.file_path
    directory = exporting.export_dir(export)
    assert not directory.exists() or not list(directory.iterdir())
    client.force_login(facilitator)
    row = client.get(f"/exports/{export.pk}/").content.decode()
    assert "Failed: The worker stopped during each of 3 attempts." in row
    assert f'action="/exports/{export.pk}/retry/"' in row
