"""The grown-up layout (README "Growing past one server"): a WSGI server (granian) takes the
pages and posts, an ASGI server (uvicorn) of the same project holds the live streams, both
on PostgreSQL and Redis; a proxy routes by path. Here the test is the proxy: it sends the
phone's join and post to the WSGI server and opens the streams on the ASGI server.

A note saved by the WSGI process reaches streams in the ASGI process only through Redis
(a WSGI process has no event loop to hand it to in-process).
"""

from __future__ import annotations

import time
import uuid

import pytest

from tests.support.http import (
    SSEReader,
    http_client,
    join_over_http,
    post_note_over_http,
    session_cookies_for,
)
from workshops.models import LiveEvent, Note

pytestmark = pytest.mark.services


def test_a_note_posted_through_the_wsgi_server_reaches_streams_on_the_asgi_server(
    labb_servers, live_workshop, facilitator
):
    workshop = live_workshop
    web = labb_servers.start(interface="wsgi", threads=8)
    live = labb_servers.start()
    column = workshop.columns.first()
    phone, workshop_pk = join_over_http(web, workshop, name="Kim")
    assert phone.get(f"/p/{workshop_pk}/").status_code == 200
    # The same phone (its session and language cookies) on the stream server, as behind
    # one proxy on one host.
    phone_on_live = http_client(live, dict(phone.cookies))
    board_on_live = http_client(live, session_cookies_for(facilitator))

    with (
        SSEReader(board_on_live, f"/workshops/{workshop.pk}/stream/") as board,
        SSEReader(phone_on_live, f"/p/{workshop_pk}/stream/") as phone_stream,
    ):
        assert board.status == 200 and phone_stream.status == 200
        assert board.next_event().event == "hello"
        assert phone_stream.next_event().event == "hello"
        client_id = str(uuid.uuid4())
        response = post_note_over_http(
            phone,
            workshop_pk,
            column_pk=column.pk,
            text="Samåkning till mötet",
            client_id=client_id,
        )
        assert response.status_code == 201, response.text
        on_board = board.next_named("note")
        on_phone = phone_stream.next_named("note")
        # Each stream gets it once.
        assert [f for f in board.events_within(0.5) if f.event == "note"] == []
        assert [f for f in phone_stream.events_within(0.1) if f.event == "note"] == []

    note = Note.objects.get(workshop=workshop)
    assert str(note.client_id) == client_id
    assert Note.objects.filter(workshop=workshop).count() == 1
    board_event = LiveEvent.objects.get(workshop=workshop, audience="board", name="note")
    phone_event = LiveEvent.objects.get(workshop=workshop, audience="phones", name="note")
    assert on_board.id == str(board_event.pk)
    assert on_phone.id == str(phone_event.pk)
    assert f'id="note-{note.pk}"' in on_board.data
    assert f'id="pnote-{note.pk}"' in on_phone.data
    for frame in (on_board, on_phone):
        assert "Samåkning till mötet" in frame.data


def test_the_wsgi_server_sends_streams_to_the_asgi_server(labb_servers, live_workshop, facilitator):
    """A stream that reaches the WSGI server (a proxy routing it wrongly) is answered at once
    with 421, never held: a WSGI stream would hold one of the process's threads for hours."""
    web = labb_servers.start(interface="wsgi", threads=8)
    board = http_client(web, session_cookies_for(facilitator))
    started = time.monotonic()
    response = board.get(f"/workshops/{live_workshop.pk}/stream/", timeout=5)
    assert response.status_code == 421
    assert time.monotonic() - started < 2


def test_the_wsgi_server_does_not_start_without_redis(tmp_path, transactional_db):
    """Its notes could reach no stream: it says so and exits, instead of serving silently."""
    import subprocess

    from tests.support.servers import PYTHON, ROOT, free_port, server_env

    result = subprocess.run(
        [str(PYTHON), "-m", "labb.serve", "--interface", "wsgi", "--port", str(free_port())],
        cwd=ROOT,
        env=server_env(redis_url=""),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "needs REDIS_URL" in result.stderr
