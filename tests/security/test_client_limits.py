"""Per-client limits (workshops/limits.py) hold per device and per address, survive joining
again, leave a room behind one address alone, and cap the streams one browser holds open.
The server command (labb/serve.py) never trusts X-Forwarded-For on its own."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from django.test import Client
from django.urls import reverse

from tests.support.http import (
    SSEReader,
    http_client,
    join_over_http,
)
from tests.support.steps import fresh_window, join_as, post_note
from workshops.limits import JOIN_WINDOW
from workshops.models import Participant, Workshop


def _rejoin(client: Client, workshop: Workshop, name: str):
    """Join the same workshop again from the same browser, as a fresh participant."""
    group = workshop.groups.first()
    return client.post(
        reverse("join_workshop", args=[workshop.join_code]),
        {"display_name": name, "group": group.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.mark.usefixtures("fresh_note_window")
@pytest.mark.django_db
def test_joining_again_does_not_refill_the_note_budget(settings, workshop):
    settings.LABB_NOTES_PER_MINUTE = 4
    phone = Client(REMOTE_ADDR="192.0.2.20")
    join_as(phone, workshop, name="Kim")
    statuses = []
    for round_ in range(3):
        if round_:
            assert _rejoin(phone, workshop, f"Kim {round_}").status_code == 302
        statuses += [post_note(phone, workshop, text=f"{round_}-{n}").status_code for n in range(4)]
    # Three participants, one device: the device's 4 a minute hold across them.
    assert Participant.objects.filter(workshop=workshop).count() == 3
    assert statuses == [302] * 4 + [429] * 8
    assert workshop.notes.count() == 4


@pytest.mark.usefixtures("fresh_note_window")
@pytest.mark.django_db
def test_the_note_budget_of_an_address_is_shared_by_its_devices(settings, workshop):
    settings.LABB_NOTES_PER_MINUTE = 5
    settings.LABB_NOTES_PER_ADDRESS_PER_MINUTE = 8
    phones = [Client(REMOTE_ADDR="192.0.2.30") for _ in range(3)]
    for number, phone in enumerate(phones):
        join_as(phone, workshop, name=f"P{number}")
    statuses = [
        post_note(phones[n % 3], workshop, text=f"Lapp {n}", HTTP_HX_REQUEST="true").status_code
        for n in range(10)
    ]
    assert statuses == [201] * 8 + [429] * 2
    refused = post_note(phones[0], workshop, text="En till", HTTP_HX_REQUEST="true")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # Another address is not affected.
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    join_as(elsewhere, workshop, name="Annan")
    assert post_note(elsewhere, workshop, text="Härifrån").status_code == 302
    assert workshop.notes.count() == 9


@pytest.mark.django_db
def test_a_device_can_join_only_so_often(settings, workshop):
    fresh_window(JOIN_WINDOW, 30)
    settings.LABB_JOINS_PER_DEVICE = 3
    phone = Client(REMOTE_ADDR="192.0.2.40")
    join_as(phone, workshop, name="Kim")
    assert _rejoin(phone, workshop, "Kim 2").status_code == 302
    assert _rejoin(phone, workshop, "Kim 3").status_code == 302
    refused = _rejoin(phone, workshop, "Kim 4")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    assert b"Too many joins from this device or network" in refused.content
    assert Participant.objects.filter(workshop=workshop).count() == 3
    # The participant it already is keeps working.
    assert post_note(phone, workshop, text="Fortfarande med").status_code == 302


@pytest.mark.django_db
def test_fresh_devices_behind_one_address_can_join_only_so_often(settings, workshop):
    fresh_window(JOIN_WINDOW, 30)
    settings.LABB_JOINS_PER_ADDRESS = 5
    statuses = []
    for number in range(7):
        phone = Client(REMOTE_ADDR="192.0.2.50")
        group = workshop.groups.first()
        response = phone.post(
            reverse("join_workshop", args=[workshop.join_code]),
            {"display_name": f"D{number}", "group": group.pk},
        )
        statuses.append(response.status_code)
    assert statuses == [302] * 5 + [429] * 2
    other = Client(REMOTE_ADDR="198.51.100.8")
    join_as(other, workshop, name="Annan")
    assert Participant.objects.filter(workshop=workshop).count() == 6


@pytest.mark.django_db
def test_the_default_limits_let_a_room_of_300_behind_one_address_join_and_post(workshop):
    """A lecture hall on one NAT: 300 phones join and each posts a note within the minute."""
    workshop.phase = Workshop.Phase.REVEAL
    workshop.save(update_fields=["phase"])
    group = workshop.groups.first()
    for number in range(300):
        phone = Client(REMOTE_ADDR="192.0.2.60")
        response = phone.post(
            reverse("join_workshop", args=[workshop.join_code]),
            {"display_name": "", "group": group.pk},
        )
        assert response.status_code == 302, number
        assert post_note(phone, workshop, text=f"Idé {number}").status_code == 302, number
    assert workshop.notes.count() == 300


# --- Streams ------------------------------------------------------------------------------


def _stream_status(client: httpx.Client, path: str) -> int:
    with client.stream("GET", path, headers={"Accept": "text/event-stream"}) as response:
        return response.status_code


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_one_browser_holds_at_most_its_share_of_open_streams(labb_servers, workshop):
    server = labb_servers.start(env={"LABB_STREAMS_PER_DEVICE": "3"})
    phone, pk = join_over_http(server, workshop, name="Kim")
    path = f"/p/{pk}/stream/"
    readers = [SSEReader(phone, path).__enter__() for _ in range(3)]
    try:
        assert [r.status for r in readers] == [200, 200, 200]
        with phone.stream("GET", path, headers={"Accept": "text/event-stream"}) as refused:
            assert refused.status_code == 429
            assert 0 < int(refused.headers["Retry-After"]) <= 10
        # Joining again from the same browser does not give it more streams.
        token = phone.cookies["csrftoken"]
        group = workshop.groups.first()
        again = phone.post(
            f"/j/{workshop.join_code}/",
            data={"csrfmiddlewaretoken": token, "display_name": "Kim 2", "group": str(group.pk)},
        )
        assert again.status_code == 302
        assert _stream_status(phone, path) == 429
        # Another phone has streams of its own.
        other, _pk = join_over_http(server, workshop, name="Alex")
        with SSEReader(other, path) as reader:
            assert reader.status == 200
        # A closed stream gives its slot back.
        readers.pop().__exit__(None, None, None)
        with SSEReader(phone, path) as reader:
            assert reader.status == 200
    finally:
        for reader in readers:
            reader.__exit__(None, None, None)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_slots_of_a_killed_server_expire(labb_servers, workshop):
    # Keep-alives of 4 s: the slot outlives its last refresh by 12 s, more than a second
    # server takes to start on a busy machine (with 1 s, CI sometimes started it too late).
    env = {"LABB_STREAMS_PER_DEVICE": "1", "LABB_STREAM_KEEPALIVE": "4"}
    first = labb_servers.start(env=env)
    phone, pk = join_over_http(first, workshop, name="Kim")
    path = f"/p/{pk}/stream/"
    with phone.stream("GET", path, headers={"Accept": "text/event-stream"}) as response:
        assert response.status_code == 200
        next(response.iter_bytes())  # the stream is open and holds the slot
        first.process.kill()  # no `finally` runs: the slot is left behind
        first.process.wait(10)
    second = labb_servers.start(env=env)
    again = http_client(second, dict(phone.cookies))
    assert _stream_status(again, path) == 429
    # The slot lives 3 keep-alives (12 s here) after its last refresh.
    start = time.monotonic()
    while _stream_status(again, path) == 429:
        assert time.monotonic() - start < 30, "the dead server's slot never expired"
        time.sleep(0.5)


# --- The server command and forwarded headers -----------------------------------------------


def _wrong_code_statuses(client: httpx.Client, forged: list[str]) -> list[int]:
    statuses = []
    for number, address in enumerate(forged):
        response = client.get(f"/j/ZZZZ{number:03d}/", headers={"X-Forwarded-For": address})
        statuses.append(response.status_code)
    return statuses


@pytest.mark.services
@pytest.mark.parametrize("interface", ["asgi", "wsgi"])
@pytest.mark.django_db(transaction=True)
def test_the_server_command_ignores_forwarded_headers_unless_the_peer_is_a_trusted_proxy(
    labb_servers, interface
):
    """The demo, the image and compose all start `python -m labb.serve`; so do these
    servers, its ASGI (uvicorn) and its WSGI (granian) one. A forged X-Forwarded-For from
    127.0.0.1 must not buy a fresh guessing budget."""
    forged = [f"203.0.113.{n}" for n in range(6)]
    untrusted = labb_servers.start(env={"LABB_JOIN_FAILURES_PER_ADDRESS": "3"}, interface=interface)
    with http_client(untrusted) as client:
        assert _wrong_code_statuses(client, forged) == [404] * 3 + [429] * 3
    # Behind a proxy listed in LABB_TRUSTED_PROXIES, the header names the client.
    trusted = labb_servers.start(
        env={"LABB_JOIN_FAILURES_PER_ADDRESS": "3", "LABB_TRUSTED_PROXIES": "127.0.0.1"},
        interface=interface,
    )
    with http_client(trusted) as client:
        assert _wrong_code_statuses(client, [f"198.51.100.{n}" for n in range(6)]) == [404] * 6
        assert _wrong_code_statuses(client, ["198.51.100.99"] * 4) == [404] * 3 + [429]


def test_the_note_budget_key_never_holds_the_address_in_clear(rf, settings):
    from workshops import limits

    request = rf.post("/", REMOTE_ADDR="192.0.2.77")
    request.session = {}
    keys = [budget.key for budget in limits.note_budgets(request)]
    assert all("192.0.2.77" not in key for key in keys)
    assert len(set(keys)) == 2
    assert uuid.UUID(request.session[limits.DEVICE_SESSION_KEY])
