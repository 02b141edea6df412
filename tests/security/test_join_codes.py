"""Join codes: random, long enough, dead when the workshop closes, regenerable; failed
joins throttled per address (an IPv6 /64 is one address) and site-wide; successes free."""

from __future__ import annotations

import math
import secrets

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from workshops import codes, services
from workshops.models import Participant, Workshop
from workshops.throttle import address_bucket, client_address


def test_codes_carry_at_least_30_bits_from_secrets(monkeypatch):
    assert math.log2(len(codes.ALPHABET)) * codes.CODE_LENGTH >= 30
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET) == 31
    assert not set("01OIL") & set(codes.ALPHABET)
    calls = []
    real_choice = secrets.choice
    monkeypatch.setattr(secrets, "choice", lambda seq: calls.append(seq) or real_choice(seq))
    code = codes.new_join_code()
    assert len(calls) == codes.CODE_LENGTH and len(code) == codes.CODE_LENGTH


def test_codes_do_not_repeat():
    assert len({codes.new_join_code() for _ in range(20_000)}) == 20_000


@pytest.mark.django_db
def test_a_code_is_typed_in_any_case_with_dash_or_spaces(workshop):
    client = Client()
    shown = codes.format_join_code(workshop.join_code)
    for typed in (shown, shown.lower(), f" {shown.replace('-', ' ')} ", workshop.join_code):
        response = client.post(reverse("join"), {"code": typed})
        assert response.status_code == 302
        assert response["Location"] == reverse("join_workshop", args=[workshop.join_code])


@pytest.mark.django_db
def test_closing_the_workshop_kills_its_code(workshop):
    code = workshop.join_code
    workshop.phase = Workshop.Phase.CLOSED
    workshop.save()
    client = Client()
    assert client.get(reverse("join_workshop", args=[code])).status_code == 404
    assert client.post(reverse("join"), {"code": code}).status_code == 404
    group = workshop.groups.first()
    response = client.post(reverse("join_group", args=[group.token]), {"display_name": "x"})
    assert response.status_code in {400, 404}
    assert not Participant.objects.filter(workshop=workshop).exists()


@pytest.mark.django_db
def test_regenerating_the_code_kills_the_old_one(workshop, facilitator_client):
    old = workshop.join_code
    response = facilitator_client.post(reverse("join_code_regenerate", args=[workshop.pk]))
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.join_code and workshop.join_code != old
    assert Client().get(reverse("join_workshop", args=[old])).status_code == 404
    assert Client().get(reverse("join_workshop", args=[workshop.join_code])).status_code == 200


@pytest.mark.django_db
def test_a_closed_workshop_cannot_get_a_new_code(workshop):
    workshop.phase = Workshop.Phase.CLOSED
    workshop.save()
    with pytest.raises(Exception, match="closed"):
        services.join_code_regenerate(workshop=workshop)


@pytest.mark.django_db
def test_300_people_behind_one_address_all_get_in(workshop):
    for number in range(300):
        client = Client(REMOTE_ADDR="192.0.2.10")
        response = client.post(
            reverse("join_workshop", args=[workshop.join_code]),
            {"display_name": f"Deltagare {number}", "group": workshop.groups.first().pk},
        )
        assert response.status_code == 302, number
    assert Participant.objects.filter(workshop=workshop).count() == 300


def _fail(client: Client, n: int = 1):
    responses = [client.post(reverse("join"), {"code": "ZZZZZZZ"}) for _ in range(n)]
    return responses[-1]


@pytest.mark.django_db
def test_failed_joins_are_throttled_per_address_with_retry_after(settings, workshop):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 5
    client = Client(REMOTE_ADDR="198.51.100.7", HTTP_ACCEPT_LANGUAGE="en")
    assert _fail(client, 5).status_code == 404
    blocked = _fail(client)
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= settings.LABB_JOIN_FAILURE_WINDOW
    assert b"Too many" in blocked.content
    # Blocked means blocked: a right code from here waits too (else guessing goes on).
    assert client.get(reverse("join_workshop", args=[workshop.join_code])).status_code == 429
    # Somebody else is not affected.
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.get(reverse("join_workshop", args=[workshop.join_code])).status_code == 200


@pytest.mark.django_db
def test_a_whole_ipv6_64_counts_as_one_address(settings, workshop):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 4
    for address in (
        "2001:db8:1:2::1",
        "2001:db8:1:2::2",
        "2001:db8:1:2:abcd::1",
        "2001:db8:1:2:ffff:ffff:ffff:ffff",
    ):
        assert _fail(Client(REMOTE_ADDR=address)).status_code == 404
    assert _fail(Client(REMOTE_ADDR="2001:db8:1:2::99")).status_code == 429
    assert _fail(Client(REMOTE_ADDR="2001:db8:1:3::1")).status_code == 404


def test_address_buckets():
    assert address_bucket("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert address_bucket("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_bucket("192.0.2.1") == "192.0.2.1"
    assert address_bucket("not an address" * 20) == ("not an address" * 20)[:64]


@pytest.mark.django_db
def test_site_wide_budget_stops_a_spread_out_guesser_but_not_clean_clients(settings, workshop):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 100
    settings.LABB_JOIN_FAILURES_SITEWIDE = 10
    for n in range(10):
        assert _fail(Client(REMOTE_ADDR=f"203.0.113.{n}")).status_code == 404
    # Each guessing address is now turned away, even on its first try after the budget…
    assert _fail(Client(REMOTE_ADDR="203.0.113.3")).status_code == 429
    assert _fail(Client(REMOTE_ADDR="203.0.113.99")).status_code == 404
    assert _fail(Client(REMOTE_ADDR="203.0.113.99")).status_code == 429
    # …but a room full of people who typed the right code still gets in.
    fresh = Client(REMOTE_ADDR="192.0.2.200")
    response = fresh.post(
        reverse("join_workshop", args=[workshop.join_code]), {"group": workshop.groups.first().pk}
    )
    assert response.status_code == 302


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(settings):
    factory = RequestFactory()
    settings.LABB_TRUSTED_PROXIES = []
    request = factory.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_address(request) == "192.0.2.1"
    settings.LABB_TRUSTED_PROXIES = ["10.0.0.2"]
    request = factory.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_address(request) == "192.0.2.1"
    request = factory.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4, 10.0.0.2"
    )
    # The client may forge the left part; the entry our proxy added is the right-most.
    assert client_address(request) == "198.51.100.4"


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_dodge_the_throttle(settings, workshop):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        _fail(Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"10.0.{n}.1"))
    assert (
        _fail(Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="10.1.1.1")).status_code == 429
    )


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_counts_separately(settings, workshop):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 3
    settings.LABB_TRUSTED_PROXIES = ["10.0.0.2"]
    for _ in range(3):
        _fail(Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert (
        _fail(Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1")).status_code
        == 429
    )
    assert (
        _fail(Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2")).status_code
        == 404
    )


@pytest.mark.django_db
def test_group_tokens_are_throttled_too(settings, workshop):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 3
    client = Client(REMOTE_ADDR="192.0.2.77")
    for _ in range(3):
        assert client.get(reverse("join_group", args=["not-a-token"])).status_code == 404
    assert client.get(reverse("join_group", args=["not-a-token"])).status_code == 429
    assert len(workshop.groups.first().token) >= 16


@pytest.mark.django_db
@pytest.mark.parametrize(
    "odd", ["%00", "ABC%00DEF", "%E2%80%AE", "a" * 300, "%3Cscript%3E", "..%2F"]
)
def test_odd_codes_and_tokens_in_the_url_are_simply_not_found(workshop, odd):
    """Found by fuzzing: a NUL byte in /j/<code>/ reached PostgreSQL and answered 500."""
    client = Client()
    assert client.get(f"/j/{odd}/").status_code == 404
    assert client.get(f"/g/{odd}/").status_code == 404
    assert client.post(f"/j/{odd}/", {"display_name": "x"}).status_code == 404


@pytest.mark.django_db
def test_closing_through_the_phase_control_removes_the_code_and_reopening_makes_a_new_one(
    workshop,
):
    from workshops import session

    old = workshop.join_code
    workshop = session.phase_set(workshop=workshop, phase=Workshop.Phase.CLOSED)
    assert workshop.join_code is None
    assert Client().get(reverse("join_workshop", args=[old])).status_code == 404
    workshop = session.phase_set(workshop=workshop, phase=Workshop.Phase.WRITE)
    assert workshop.join_code and workshop.join_code != old
    assert Client().get(reverse("join_workshop", args=[old])).status_code == 404
