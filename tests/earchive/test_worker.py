"""A real Celery worker, against real Redis and PostgreSQL, makes an e-archive package; it
is killed mid-render once, and the package still comes out exactly once, whole, and valid."""

import time
from pathlib import Path

import pytest

from labb.celery import app as celery_app
from tests.earchive import eark
from tests.earchive.test_package import KNOWN_CONFLICT, validator_errors
from tests.support.boards import fill_a_big_board
from tests.support.celery import kill_worker, start_worker, stop_worker
from tests.support.waiting import wait_for
from workshops import exporting
from workshops.models import Export
from workshops.services.exports import export_request
from workshops.services.phases import phase_set


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_packaging_still_delivers_one_valid_package(
    workshop, facilitator, tmp_path, settings
):
    assert settings.REDIS_URL, "this test needs REDIS_URL (a real Redis)"
    settings.EXPORT_ROOT = tmp_path / "data" / "exports"
    fill_a_big_board(workshop)  # the report inside takes long enough to be killed in
    workshop.registration_number = "KS 2026/0412"
    workshop.save()
    workshop = phase_set(workshop=workshop, phase="closed")

    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    worker = start_worker(tmp_path, "earchive-1.log", LABB_EXPORT_STALE_SECONDS="8")
    try:
        export = export_request(kind="earchive", user=facilitator, workshop=workshop)
        wait_for(
            lambda: Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).exists(),
            60,
            "the worker to start packaging",
        )
        kill_worker(worker)
        worker = start_worker(tmp_path, "earchive-2.log", LABB_EXPORT_STALE_SECONDS="8")
        wait_for(
            lambda: Export.objects.filter(pk=export.pk, status=Export.Status.DONE).exists(),
            120,
            "the package to be finished after the restart",
        )
        time.sleep(2)  # a duplicate delivery, if any, gets its chance to do harm
    finally:
        stop_worker(worker)
        celery_app.conf.task_always_eager = True

    export.refresh_from_db()
    assert export.attempts == 2
    assert sorted(p.name for p in exporting.export_dir(export).iterdir()) == [export.file_name]
    assert not list(Path(settings.EXPORT_ROOT).rglob(f"*{exporting.TEMP_MARK}*"))
    package = exporting.export_file_path(export)
    assert package.stat().st_size == export.size_bytes
    errors = validator_errors(eark.validate(package, unpack_root=tmp_path / "unpacked"))
    assert len(errors) == 1 and errors[0].startswith(f"{KNOWN_CONFLICT[0]}:"), errors
