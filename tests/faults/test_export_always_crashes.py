"""An export that crashes on every attempt, in a real Celery worker: it is marked failed
after three attempts, is not tried again and again, and the live session goes on meanwhile.

The crash is real, not a mock: the worker's data directory is a plain file, so writing the
export fails every time (as on a full or read-only disk)."""

from __future__ import annotations

import time
import uuid

import psycopg
import pytest

from tests.faults.processes import (
    StreamReader,
    create_workshop,
    facilitator_login,
    fault_env,
    participant_join,
    post_note,
)
from tests.support.celery import start_worker, stop_worker
from tests.support.servers import LabbServer
from tests.support.waiting import wait_for
from workshops.exporting import MAX_ATTEMPTS

pytestmark = pytest.mark.services


def _export_row(own_postgres, workshop_id: int):
    with psycopg.connect(own_postgres.url) as conn:
        return conn.execute(
            "SELECT status, attempts, error FROM workshops_export WHERE workshop_id = %s",
            [workshop_id],
        ).fetchone()


def test_an_always_crashing_export_fails_after_three_attempts_and_live_goes_on(
    own_postgres, own_redis, tmp_path
):
    broken_data_dir = tmp_path / "data-is-a-file"
    broken_data_dir.write_text("not a directory")
    env = fault_env(
        database_url=own_postgres.url,
        redis_url=own_redis.url,
        LABB_DATA_DIR=str(broken_data_dir),
        CELERY_TASK_ALWAYS_EAGER="0",
        LABB_NOTES_PER_MINUTE="1000",
    )
    info = create_workshop(env)
    server = LabbServer(env, tmp_path / "uvicorn.log")
    server.start()
    worker = start_worker(tmp_path, "worker.log", env=env)
    stream = None
    try:
        facilitator = facilitator_login(server.url, info["username"])
        phone = participant_join(server.url, info)
        stream = StreamReader(facilitator, f"/workshops/{info['workshop']}/stream/")
        stream.start()
        wait_for(lambda: "hello" in stream.names(), timeout=10, what="the stream's hello")

        response = facilitator.post(
            f"/workshops/{info['workshop']}/exports/",
            data={"kind": "pdf"},
            headers={"X-CSRFToken": facilitator.cookies.get("csrftoken", "")},
        )
        assert response.status_code in {200, 201, 302}, response.text[:300]

        # While the worker fails again and again, the room keeps posting and seeing notes.
        posted = 0
        started = time.monotonic()
        while _export_row(own_postgres, info["workshop"])[0] != "failed":
            assert time.monotonic() - started < 120, (
                _export_row(own_postgres, info["workshop"]),
                (tmp_path / "worker.log").read_text(errors="replace")[-3000:],
            )
            assert worker.poll() is None, "the worker died"
            note = post_note(
                phone, info, text=f"Under exporten {posted}", client_id=str(uuid.uuid4())
            )
            assert note.status_code == 201, note.status_code
            posted += 1
            time.sleep(2)
        status, attempts, error = _export_row(own_postgres, info["workshop"])
        assert (status, attempts) == ("failed", MAX_ATTEMPTS)
        assert error
        wait_for(lambda: len(stream.note_ids()) >= posted, timeout=5, what="live notes")
        assert posted >= 3

        # No endless loop: nothing more happens to it.
        time.sleep(8)
        assert _export_row(own_postgres, info["workshop"])[:2] == ("failed", MAX_ATTEMPTS)
        assert worker.poll() is None
        page = facilitator.get(f"/workshops/{info['workshop']}/")
        assert page.status_code == 200
    finally:
        if stream is not None:
            stream.stop()
        stop_worker(worker)
        server.stop()
