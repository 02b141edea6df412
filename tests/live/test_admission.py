"""Admission control (labb/admission.py) on a real server: when a process has as many
requests in hand as it may run, the next one waits a moment and then gets 429 with
Retry-After instead of queueing for a database connection; the note it carried is not
lost (sent again with the same client id, it is saved once), and live streams are never
kept out.

A request is held "in hand" by a real lock: the test takes the workshop's live-event
ordering lock in PostgreSQL, so a note post blocks inside its transaction exactly as it
would behind a slow one.

Both servers of `python -m labb.serve` are tested: the ASGI one (uvicorn, everything) and
the WSGI one (granian, pages and posts behind a proxy that sends the streams to ASGI). Under
WSGI a waiting request holds a thread, so the line also has a length (`threads - places -
2`), and the WSGI server sends a stream's path away with 421 instead of holding a thread.
"""

from __future__ import annotations

import concurrent.futures
import time
import uuid

import psycopg
import pytest
from django.conf import settings

from tests.support.database import postgres_url
from tests.support.http import SSEReader, join_over_http, post_note_over_http
from workshops.live.emit import LIVE_EVENT_LOCK
from workshops.models import Note

ONE_PLACE = {
    "LABB_MAX_CONCURRENT_REQUESTS": "1",
    "LABB_ADMISSION_WAIT": "0.5",
    "LABB_BUSY_RETRY_AFTER": "3",
}
# WSGI: 1 place + a line of 5 + the 2 threads kept free to refuse.
WSGI_THREADS = 8
both_servers = pytest.mark.parametrize("interface", ["asgi", "wsgi"])


def _start(labb_servers, interface: str, env: dict[str, str]):
    return labb_servers.start(
        env=env, interface=interface, threads=WSGI_THREADS if interface == "wsgi" else None
    )


def _hold_ordering_lock(workshop_pk: int) -> psycopg.Connection:
    connection = psycopg.connect(postgres_url(), autocommit=False)
    connection.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LIVE_EVENT_LOCK, workshop_pk])
    return connection


def _wait_until_blocked(workshop_pk: int, timeout: float = 15.0) -> None:
    """Until a server connection waits for the ordering lock (the first post is in hand)."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(postgres_url(), autocommit=True) as probe:
        while time.monotonic() < deadline:
            waiting = probe.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND classid = %s AND objid = %s",
                [LIVE_EVENT_LOCK, workshop_pk],
            ).fetchone()[0]
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("the first post never reached the ordering lock")


@both_servers
@pytest.mark.django_db(transaction=True)
def test_a_busy_process_answers_429_with_retry_after_and_loses_nothing(
    labb_servers, live_workshop, interface
):
    server = _start(labb_servers, interface, ONE_PLACE)
    column = live_workshop.columns.first()
    first_phone, workshop_pk = join_over_http(server, live_workshop)
    second_phone, _ = join_over_http(server, live_workshop)
    second_phone.cookies.set(settings.LANGUAGE_COOKIE_NAME, "en")
    # Both phones have their CSRF token before the process gets busy.
    for phone in (first_phone, second_phone):
        assert phone.get(f"/p/{workshop_pk}/").status_code == 200

    lock = _hold_ordering_lock(live_workshop.pk)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        try:
            first = pool.submit(
                post_note_over_http,
                first_phone,
                workshop_pk,
                column_pk=column.pk,
                text="Ledningen står bakom arbetet",
                client_id=str(uuid.uuid4()),
            )
            _wait_until_blocked(live_workshop.pk)
            retry_id = str(uuid.uuid4())
            started = time.monotonic()
            busy = post_note_over_http(
                second_phone,
                workshop_pk,
                column_pk=column.pk,
                text="Tid avsatt i schemat",
                client_id=retry_id,
            )
            waited = time.monotonic() - started
            if interface == "asgi":
                # A live stream is not an ordinary request: it opens while the place is taken.
                with SSEReader(second_phone, f"/p/{workshop_pk}/stream/") as stream:
                    assert stream.status == 200
            else:
                # The WSGI server holds no stream (a thread for hours): it sends it away at
                # once, even while busy, and the proxy routes streams to the ASGI server.
                misdirected = second_phone.get(f"/p/{workshop_pk}/stream/", timeout=2)
                assert misdirected.status_code == 421
        finally:
            lock.rollback()
            lock.close()
        assert first.result(timeout=30).status_code == 201

    assert busy.status_code == 429
    assert busy.headers["Retry-After"] == "3"
    assert busy.headers["Content-Language"] == "en"
    assert "Nothing you already sent is lost" in busy.text
    assert 0.4 <= waited < 5, "it waited for a place, then gave up"
    assert not Note.objects.filter(client_id=retry_id).exists()

    # The outbox sends it again with the same client id: saved, once.
    again = post_note_over_http(
        second_phone,
        workshop_pk,
        column_pk=column.pk,
        text="Tid avsatt i schemat",
        client_id=retry_id,
    )
    assert again.status_code == 201
    again = post_note_over_http(
        second_phone,
        workshop_pk,
        column_pk=column.pk,
        text="Tid avsatt i schemat",
        client_id=retry_id,
    )
    assert again.status_code == 200, "already saved"
    assert Note.objects.filter(client_id=retry_id).count() == 1
    assert Note.objects.filter(workshop=live_workshop).count() == 2


@both_servers
@pytest.mark.django_db(transaction=True)
def test_requests_wait_in_turn_for_a_place_instead_of_being_refused(
    labb_servers, live_workshop, interface
):
    """Posts that arrive while the only place is taken wait for it, in turn, as long as
    the wait allows: no 429, and every note is saved once."""
    server = _start(labb_servers, interface, {**ONE_PLACE, "LABB_ADMISSION_WAIT": "30"})
    column = live_workshop.columns.first()
    phones = [join_over_http(server, live_workshop) for _n in range(4)]
    for phone, workshop_pk in phones:
        assert phone.get(f"/p/{workshop_pk}/").status_code == 200

    def post(index: int) -> int:
        phone, workshop_pk = phones[index]
        return post_note_over_http(
            phone,
            workshop_pk,
            column_pk=column.pk,
            text=f"Lapp {index}",
            client_id=str(uuid.uuid4()),
        ).status_code

    lock = _hold_ordering_lock(live_workshop.pk)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        try:
            posts = [pool.submit(post, index) for index in range(4)]
            _wait_until_blocked(live_workshop.pk)
            time.sleep(1.0)  # longer than ONE_PLACE's wait: the others are still waiting
        finally:
            lock.rollback()
            lock.close()
        statuses = [p.result(timeout=60) for p in posts]
    assert statuses == [201] * 4
    assert Note.objects.filter(workshop=live_workshop).count() == 4


@pytest.mark.django_db(transaction=True)
def test_under_wsgi_a_full_line_is_refused_at_once(labb_servers, live_workshop):
    """4 threads and 1 place: one post in hand, one waiting (the line of 4 - 1 - 2), and
    the next is refused at once with 429, not after the wait: a waiter would hold one of
    the 2 threads that answer the refusals."""
    server = labb_servers.start(
        env={**ONE_PLACE, "LABB_ADMISSION_WAIT": "30"}, interface="wsgi", threads=4
    )
    column = live_workshop.columns.first()
    phones = [join_over_http(server, live_workshop) for _n in range(3)]
    for phone, workshop_pk in phones:
        assert phone.get(f"/p/{workshop_pk}/").status_code == 200

    def post(index: int):
        phone, workshop_pk = phones[index]
        return post_note_over_http(
            phone,
            workshop_pk,
            column_pk=column.pk,
            text=f"Lapp {index}",
            client_id=str(uuid.uuid4()),
        )

    lock = _hold_ordering_lock(live_workshop.pk)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        try:
            in_hand = pool.submit(post, 0)
            _wait_until_blocked(live_workshop.pk)
            waiting = pool.submit(post, 1)
            time.sleep(0.5)  # the second is in the line now
            started = time.monotonic()
            refused = post(2)
            refused_after = time.monotonic() - started
            assert not waiting.done(), "the second post waits for the place"
        finally:
            lock.rollback()
            lock.close()
        assert in_hand.result(timeout=30).status_code == 201
        assert waiting.result(timeout=30).status_code == 201
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3"
    assert refused_after < 0.5, "refused at once, not after the 30 s wait"
    assert Note.objects.filter(workshop=live_workshop).count() == 2


def test_the_wsgi_server_does_not_start_with_more_places_than_pooled_connections(
    transactional_db,
):
    """8 requests at once on a pool of 6 connections: 2 would wait the pool's timeout and
    come back as 503. The server says so in one line and exits."""
    import subprocess

    from tests.support.servers import PYTHON, ROOT, free_port, server_env

    result = subprocess.run(
        [str(PYTHON), "-m", "labb.serve", "--interface", "wsgi", "--port", str(free_port())],
        cwd=ROOT,
        env=server_env(LABB_MAX_CONCURRENT_REQUESTS="8", DATABASE_POOL_MAX="6"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "8 requests may run at once" in result.stderr
    assert "pool holds 6 connections" in result.stderr
