"""PostgreSQL restarted under a running server: requests during the restart fail cleanly
(503 + Retry-After, never 500), a note retried with the same client id is saved exactly once,
and the server recovers by itself."""

from __future__ import annotations

import contextlib
import subprocess
import time
import uuid

import httpx
import pytest

from tests.faults.processes import (
    create_workshop,
    facilitator_login,
    fault_env,
    participant_join,
    post_note,
)
from tests.support.servers import LabbServer

pytestmark = pytest.mark.services


def _count(own_postgres, client_id: str) -> int:
    import psycopg

    with psycopg.connect(own_postgres.url) as conn:
        return conn.execute(
            "SELECT count(*) FROM workshops_note WHERE client_id = %s", [client_id]
        ).fetchone()[0]


def test_a_postgres_restart_gives_503s_then_recovers_and_saves_once(
    own_postgres, own_redis, tmp_path
):
    env = fault_env(database_url=own_postgres.url, redis_url=own_redis.url)
    info = create_workshop(env)
    server = LabbServer(env, tmp_path / "uvicorn.log")
    server.start()
    try:
        facilitator = facilitator_login(server.url, info["username"])
        phone = participant_join(server.url, info)
        assert (
            post_note(phone, info, text="Innan omstart", client_id=str(uuid.uuid4())).status_code
            == 201
        )

        own_postgres.stop("fast")
        client_id = str(uuid.uuid4())
        during = {
            "note": post_note(phone, info, text="Under omstarten", client_id=client_id),
            "phone": phone.get(f"/p/{info['workshop']}/"),
            "board": facilitator.get(f"/workshops/{info['workshop']}/board/"),
            "healthz": httpx.get(f"{server.url}/healthz", timeout=10),
            "join": httpx.get(f"{server.url}/j/{info['code']}/", timeout=10),
        }
        for name, response in during.items():
            assert response.status_code == 503, (name, response.status_code, server.log())
            assert int(response.headers["Retry-After"]) > 0, name
        assert "Internal Server Error" not in server.log()

        own_postgres.start()
        # The phone's outbox retries with the same client id until it is accepted.
        statuses = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            response = post_note(phone, info, text="Under omstarten", client_id=client_id)
            statuses.append(response.status_code)
            if response.status_code in {200, 201}:
                break
            time.sleep(0.5)
        assert statuses[-1] in {200, 201}, (statuses, server.log())
        assert set(statuses) <= {200, 201, 503}, statuses
        # A second retry (the phone never saw the answer) does not make a second note.
        again = post_note(phone, info, text="Under omstarten", client_id=client_id)
        assert again.status_code == 200
        assert _count(own_postgres, client_id) == 1

        # Recovered by itself: no restart of the server.
        assert server.process.poll() is None
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        assert facilitator.get(f"/workshops/{info['workshop']}/board/").status_code == 200
        assert phone.get(f"/p/{info['workshop']}/").status_code == 200
        assert "Internal Server Error" not in server.log()
    finally:
        server.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            own_postgres.start()  # leave it running for the next test
