"""Live fan-out across processes: a note posted through one server reaches streams on another.

Each server process keeps one Redis pattern subscription; these tests prove that a note
saved by process A reaches a board stream held by process B, through real uvicorn
processes, the test database and Redis.
"""

from __future__ import annotations

import contextlib
import time
import uuid

import pytest
import redis
from django.conf import settings

from tests.support.http import (
    SSEReader,
    http_client,
    join_over_http,
    post_note_over_http,
    session_cookies_for,
)
from workshops.models import LiveEvent, Note

pytestmark = pytest.mark.services


def _post_and_receive(writer_server, board_reader, workshop, text: str) -> tuple[float, object]:
    phone, _pk = join_over_http(writer_server, workshop, name="Kim")
    column = workshop.columns.first()
    started = time.monotonic()
    response = post_note_over_http(
        phone, workshop.pk, column_pk=column.pk, text=text, client_id=str(uuid.uuid4())
    )
    assert response.status_code == 201, response.text
    frame = board_reader.next_named("note")
    return time.monotonic() - started, frame


def test_a_note_posted_through_process_a_reaches_a_board_stream_on_process_b(
    labb_servers,
    live_workshop,
    facilitator,
):
    workshop = live_workshop
    server_a = labb_servers.start()
    server_b = labb_servers.start()
    board = http_client(server_b, session_cookies_for(facilitator))

    with SSEReader(board, f"/workshops/{workshop.pk}/stream/") as reader:
        assert reader.status == 200
        assert reader.content_type.startswith("text/event-stream")
        assert reader.next_event().event == "hello"
        delay, frame = _post_and_receive(server_a, reader, workshop, "Samåkning till mötet")

    note = Note.objects.get(workshop=workshop)
    board_event = LiveEvent.objects.get(workshop=workshop, audience="board", name="note")
    assert frame.id == str(board_event.pk)
    assert f'id="note-{note.pk}"' in frame.data
    assert "Samåkning till mötet" in frame.data
    # Posting includes the join page's round trips on a shared 2-core box; delivery itself
    # is milliseconds (printed for the report), a second is a generous bound.
    print(f"\ncross-process delivery (post -> frame on B): {delay * 1000:.1f} ms")
    assert delay < 3.0


def test_a_board_stream_on_another_process_gets_every_note_once(
    labb_servers,
    live_workshop,
    facilitator,
):
    workshop = live_workshop
    server_a = labb_servers.start()
    server_b = labb_servers.start()
    board = http_client(server_b, session_cookies_for(facilitator))
    phone, _pk = join_over_http(server_a, workshop)
    column = workshop.columns.first()

    with SSEReader(board, f"/workshops/{workshop.pk}/stream/") as reader:
        assert reader.next_event().event == "hello"
        delays = []
        for number in range(10):
            started = time.monotonic()
            response = post_note_over_http(
                phone,
                workshop.pk,
                column_pk=column.pk,
                text=f"Idé {number}",
                client_id=str(uuid.uuid4()),
            )
            assert response.status_code == 201
            frame = reader.next_named("note")
            delays.append(time.monotonic() - started)
            assert f"Idé {number}<" in frame.data
        assert [f for f in reader.events_within(0.5) if f.event == "note"] == []

    delays.sort()
    print(
        f"\npost -> frame on B, 10 notes: median {delays[5] * 1000:.1f} ms, max {delays[-1] * 1000:.1f} ms"
    )
    assert Note.objects.filter(workshop=workshop).count() == 10


def _live_subscribers() -> int:
    """Connections to our Redis database holding a pattern subscription (one per process)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    db = client.connection_pool.connection_kwargs.get("db", 0)
    try:
        return sum(
            1 for c in client.client_list() if int(c["db"]) == db and int(c.get("psub", 0)) > 0
        )
    finally:
        client.close()


def test_one_server_with_two_workers_delivers_every_note_to_streams_on_both_workers(
    labb_servers,
    live_workshop,
    facilitator,
):
    workshop = live_workshop
    assert _live_subscribers() == 0
    # The kernel hands new connections to whichever worker accepts first; on a busy machine
    # one worker can take more than a device's 8 streams in a row before the other gets one.
    # Spreading is what is tested here, not the per-device limit (tests/security has that).
    server = labb_servers.start(workers=2, env={"LABB_STREAMS_PER_DEVICE": "32"})
    cookies = session_cookies_for(facilitator)
    column = workshop.columns.first()
    phone, _pk = join_over_http(server, workshop)

    with contextlib.ExitStack() as stack:
        # Open board streams on fresh connections until both workers hold one (each worker
        # subscribes to Redis once, when its first stream opens). Then every note, whichever
        # worker saves it, must cross to the other worker's stream through Redis.
        readers = []
        for _attempt in range(30):
            reader = stack.enter_context(
                SSEReader(http_client(server, cookies), f"/workshops/{workshop.pk}/stream/")
            )
            assert reader.next_event().event == "hello"
            readers.append(reader)
            if _live_subscribers() == 2:
                break
        assert _live_subscribers() == 2, "the streams never spread over both workers"

        texts = [f"Lapp {number}" for number in range(8)]
        for text in texts:
            response = post_note_over_http(
                phone, workshop.pk, column_pk=column.pk, text=text, client_id=str(uuid.uuid4())
            )
            assert response.status_code == 201
        for reader in readers:
            received = [reader.next_named("note") for _text in texts]
            assert [f for f in reader.events_within(0.3) if f.event == "note"] == []
            for text in texts:
                assert sum(f"{text}<" in f.data for f in received) == 1
            assert [int(f.id) for f in received] == sorted(int(f.id) for f in received)

    assert Note.objects.filter(workshop=workshop).count() == len(texts)
