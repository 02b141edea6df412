"""Open live streams share a few threads (`labb/admission.py`, `STREAM_THREADS`) instead of
holding one each: Django gives every request a thread for its synchronous parts, and a
stream is a request that lasts for hours. At 1,000 screens that was 1,000 idle threads,
about 100 KB each."""

from __future__ import annotations

import contextlib
import uuid

import psutil
import pytest

from labb.admission import STREAM_THREADS
from tests.support.http import SSEReader, join_over_http, post_note_over_http

STREAMS = 16


@pytest.mark.django_db(transaction=True)
def test_open_streams_share_a_few_threads_and_still_get_their_events(labb_servers, live_workshop):
    server = labb_servers.start(env={"LABB_STREAMS_PER_DEVICE": str(STREAMS + 8)})
    phone, workshop_pk = join_over_http(server, live_workshop)
    process = psutil.Process(server.process.pid)
    path = f"/p/{workshop_pk}/stream/"
    with contextlib.ExitStack() as open_streams:
        # The first streams start the shared threads (and whatever else a first request
        # starts in the process).
        first = [open_streams.enter_context(SSEReader(phone, path)) for _ in range(STREAM_THREADS)]
        for stream in first:
            assert stream.status == 200 and stream.next_event().event == "hello"
        before = process.num_threads()

        more = [open_streams.enter_context(SSEReader(phone, path)) for _ in range(STREAMS)]
        for stream in more:
            assert stream.status == 200 and stream.next_event().event == "hello"
        grown = process.num_threads() - before
        assert grown < STREAM_THREADS, f"{STREAMS} more open streams took {grown} more threads"

        # Each of them still runs its synchronous parts: a note reaches every stream.
        column = live_workshop.columns.first()
        posted = post_note_over_http(
            phone,
            workshop_pk,
            column_pk=column.pk,
            text="Mandat att pröva",
            client_id=str(uuid.uuid4()),
        )
        assert posted.status_code in (200, 201), posted.text
        for stream in first + more:
            assert "Mandat att pröva" in stream.next_named("note").data
