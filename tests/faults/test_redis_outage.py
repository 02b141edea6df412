"""Redis stopped and restarted during a live session: no saved note is lost, open live
streams catch up within 5 seconds of Redis returning, and posting never answers 500."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.faults.processes import (
    StreamReader,
    create_workshop,
    facilitator_login,
    fault_env,
    participant_join,
    post_note,
)
from tests.support.servers import LabbServer
from tests.support.waiting import wait_for

pytestmark = pytest.mark.services


def test_notes_survive_a_redis_restart_and_streams_catch_up(own_postgres, own_redis, tmp_path):
    import psycopg

    env = fault_env(database_url=own_postgres.url, redis_url=own_redis.url)
    info = create_workshop(env)
    server = LabbServer(env, tmp_path / "uvicorn.log")
    server.start()
    stream = None
    try:
        facilitator = facilitator_login(server.url, info["username"])
        phone = participant_join(server.url, info)
        stream = StreamReader(facilitator, f"/workshops/{info['workshop']}/stream/")
        stream.start()
        wait_for(lambda: "hello" in stream.names(), timeout=10, what="the stream's hello")
        assert stream.status == 200

        saved: dict[str, int] = {}  # client id -> note id

        def record(client_id: str, response) -> None:
            assert response.status_code in {200, 201}, response.text[:300]
            saved[client_id] = int(response.headers.get("X-Note-Id") or _note_id(response.text))

        for n in range(3):
            client_id = str(uuid.uuid4())
            record(
                client_id, post_note(phone, info, text=f"Före avbrottet {n}", client_id=client_id)
            )
        try:
            wait_for(lambda: set(saved.values()) <= stream.note_ids(), timeout=5, what="live notes")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {saved} {stream.events} {server.log()}") from exc

        # Redis goes away without warning.
        own_redis.kill()
        outage_statuses = []
        pending = []
        for n in range(5):
            client_id = str(uuid.uuid4())
            response = post_note(phone, info, text=f"Under avbrottet {n}", client_id=client_id)
            outage_statuses.append(response.status_code)
            assert response.status_code != 500, server.log()
            if response.status_code == 503:
                assert int(response.headers["Retry-After"]) > 0
                pending.append(client_id)
            else:
                record(client_id, response)
        assert set(outage_statuses) <= {201, 503}, outage_statuses
        # Labb's choice: the database is the truth, so posting goes on without Redis (the
        # rate limit and join throttle fail open); only the live push waits for Redis.
        assert outage_statuses == [201] * 5, outage_statuses

        # Redis comes back on the same port; the phones retry what was refused.
        own_redis.start()
        back = time.monotonic()
        for client_id in pending:
            response = post_note(phone, info, text="Under avbrottet (igen)", client_id=client_id)
            record(client_id, response)
        for n in range(2):
            client_id = str(uuid.uuid4())
            record(
                client_id, post_note(phone, info, text=f"Efter avbrottet {n}", client_id=client_id)
            )

        wait_for(
            lambda: set(saved.values()) <= stream.note_ids(),
            timeout=5 - (time.monotonic() - back) + 0.5,
            interval=0.05,
            what=f"every note on the board stream after Redis returned ({outage_statuses})",
        )
        assert stream.error is None, stream.error
        assert time.monotonic() - back <= 5.5

        # Nothing lost, nothing doubled.
        with psycopg.connect(own_postgres.url) as conn:
            rows = conn.execute(
                "SELECT client_id::text, count(*) FROM workshops_note WHERE workshop_id = %s GROUP BY 1",
                [info["workshop"]],
            ).fetchall()
        assert dict(rows) == dict.fromkeys(saved, 1)
    finally:
        if stream is not None:
            stream.stop()
        server.stop()


def _note_id(html: str) -> int:
    import re

    match = re.search(r'id="own-note-(\d+)"', html)
    assert match, html[:300]
    return int(match.group(1))
