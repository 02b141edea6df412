"""Join codes: random, long enough, dead when the workshop closes, regenerable; failed
joins throttled per address (an IPv6 /64 is one address) and site-wide; successes free; a
room behind one address keeps joining while a device there guesses codes."""

from __future__ import annotations

import math
import re
import secrets

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from workshops import codes, throttle
from workshops.models import Participant, Workshop
from workshops.services.joins import join_code_regenerate
from workshops.services.phases import phase_set
from workshops.services.workshops import workshop_create
from workshops.throttle import address_bucket, client_address, network_bucket
from workshops.views.facilitator import qr_svg, qr_svg_response


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
        join_code_regenerate(workshop=workshop)


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
    # A right code that nobody here has joined with waits too (else guessing goes on)…
    assert client.get(reverse("join_workshop", args=[workshop.join_code])).status_code == 429
    # …but the QR code's signed link works, and then the typed code does too.
    assert client.get(_signed(workshop)).status_code == 200
    assert client.get(reverse("join_workshop", args=[workshop.join_code])).status_code == 200
    # Somebody else is not affected.
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.get(reverse("join_workshop", args=[workshop.join_code])).status_code == 200


def _signed(workshop) -> str:
    code = workshop.join_code
    return f"{reverse('join_workshop', args=[code])}?k={throttle.link_key(code)}"


def _wrong_code() -> str:
    return "".join(secrets.choice(codes.ALPHABET) for _ in range(codes.CODE_LENGTH))


def _guess(client: Client, number: int) -> int:
    """One wrong code or group link, by each way in a guesser has."""
    way = number % 4
    if way == 0:
        return client.post(reverse("join"), {"code": _wrong_code()}).status_code
    if way == 1:
        return client.get(reverse("join"), {"code": _wrong_code()}).status_code
    if way == 2:
        return client.get(reverse("join_workshop", args=[_wrong_code()])).status_code
    return client.get(reverse("join_group", args=[secrets.token_urlsafe(12)])).status_code


@pytest.mark.django_db
def test_a_room_of_300_behind_one_address_joins_while_a_device_there_guesses(settings, workshop):
    """One phone on the venue's Wi-Fi guesses as fast as it is allowed: it gets its budget
    of wrong codes looked up and 429 for every other one, and the room still gets in by the
    QR code, the typed code, the typed link and the group links."""
    # One failure window for the whole test (a fixed 10-minute window could end halfway
    # and refill the guesser's budget; that is the window working, not a failure).
    settings.LABB_JOIN_FAILURE_WINDOW = 10**9
    address = "192.0.2.10"
    guesser = Client(REMOTE_ADDR=address)
    statuses = [_guess(guesser, n) for n in range(settings.LABB_JOIN_FAILURES_PER_ADDRESS + 8)]
    assert statuses.count(404) == settings.LABB_JOIN_FAILURES_PER_ADDRESS
    assert statuses[-8:] == [429] * 8
    groups = list(workshop.groups.all())
    code = workshop.join_code
    guesses = 0
    for number in range(300):
        person = Client(REMOTE_ADDR=address)
        group = groups[number % len(groups)]
        data = {"display_name": f"Deltagare {number}", "group": group.pk}
        way = "qr" if number == 0 else ("qr", "typed", "typed-link", "group")[number % 4]
        if way == "qr":  # the first one in scans the QR code: nobody here has joined yet
            assert person.get(_signed(workshop)).status_code == 200, number
            response = person.post(_signed(workshop), data)
        elif way == "typed":
            typed = person.post(reverse("join"), {"code": codes.format_join_code(code).lower()})
            assert typed.status_code == 302, number
            response = person.post(typed["Location"], data)
        elif way == "typed-link":
            response = person.post(reverse("join_workshop", args=[code]), data)
        else:
            response = person.post(reverse("join_group", args=[group.token]), {"display_name": ""})
        assert response.status_code == 302, (number, way, response.status_code)
        for _attempt in range(3):
            assert _guess(guesser, guesses) == 429, (number, guesses)
            guesses += 1
    assert Participant.objects.filter(workshop=workshop).count() == 300


@pytest.mark.django_db
def test_a_throttled_address_learns_nothing_about_codes_nobody_there_joined_with(
    settings, workshop, challenge, facilitator
):
    """The oracle a throttle must not open: once the budget is spent, a right code gets the
    very same answer as a wrong one, so further guesses tell nothing."""
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 3
    elsewhere = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Någon annanstans",
        template_key="success_obstacles",
        group_count=1,
    )
    client = Client(REMOTE_ADDR="198.51.100.20", HTTP_ACCEPT_LANGUAGE="en")
    _fail(client, 3)
    wrong = client.post(reverse("join"), {"code": _wrong_code()})
    right = client.post(reverse("join"), {"code": elsewhere.join_code})
    assert wrong.status_code == right.status_code == 429
    assert _without_csrf_tokens(wrong.content) == _without_csrf_tokens(right.content)
    assert wrong["Retry-After"] == right["Retry-After"]
    for path in (
        reverse("join_workshop", args=[elsewhere.join_code]),
        reverse("join_workshop", args=[elsewhere.join_code]) + "?k=" + "A" * 16,
        reverse("join_workshop", args=[elsewhere.join_code])
        + "?k="
        + throttle.link_key(workshop.join_code),  # a key of another code
    ):
        assert client.get(path).status_code == 429, path
    # Somebody joining with it from another address does not open it here…
    assert Client(REMOTE_ADDR="198.51.100.21").get(_signed(elsewhere)).status_code == 200
    assert client.post(reverse("join"), {"code": elsewhere.join_code}).status_code == 429
    # …somebody here does (the address knows the code then).
    assert Client(REMOTE_ADDR="198.51.100.20").get(_signed(elsewhere)).status_code == 200
    assert client.post(reverse("join"), {"code": elsewhere.join_code}).status_code == 302


def _without_csrf_tokens(html: bytes) -> bytes:
    """Django masks the CSRF token anew on every page; nothing else may differ."""
    return re.sub(rb'"[A-Za-z0-9]{64}"', b'"csrf"', re.sub(rb'value="[A-Za-z0-9]{64}"', b"", html))


def test_parallel_lookups_cannot_overdraw_the_budget(settings, rf):
    """Each lookup takes its unit of the budget before the database is asked, and a right
    code gives it back: twenty requests in flight at once still get only the budget."""
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 5
    request = rf.get("/join/", REMOTE_ADDR="203.0.113.40")
    in_flight = [throttle.start_code_attempt(request, _wrong_code()) for _ in range(20)]
    assert sum(attempt is not None for attempt in in_flight) == 5
    in_flight[0].finish(found=True)  # that one was a right code
    assert throttle.start_code_attempt(request, _wrong_code()) is not None
    assert throttle.start_code_attempt(request, _wrong_code()) is None


@pytest.mark.django_db
def test_the_qr_codes_hold_the_signed_join_link(facilitator_client, workshop):
    signed = "http://testserver" + _signed(workshop)
    response = facilitator_client.get(reverse("workshop_qr", args=[workshop.pk]))
    assert response.content == qr_svg_response(signed, filename="join.svg").content
    projector = facilitator_client.get(reverse("workshop_projector", args=[workshop.pk]))
    assert qr_svg(signed, scale=6) in projector.content.decode()
    detail = facilitator_client.get(reverse("workshop_detail", args=[workshop.pk]))
    assert qr_svg(signed, scale=5) in detail.content.decode()
    assert f'href="{signed}"'.encode() in detail.content
    # The projector shows the short link to type.
    assert f"http://testserver/j/{workshop.join_code}/<".encode() in projector.content


def test_link_keys_depend_on_the_code_and_the_secret_key(settings):
    key = throttle.link_key("ABCDEFG")
    assert len(key) == 16 and key != throttle.link_key("ABCDEFH")
    assert throttle.link_is_signed("ABCDEFG", key)
    assert not throttle.link_is_signed("ABCDEFG", key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert not throttle.link_is_signed("ABCDEFG", "")
    assert not throttle.link_is_signed("ABCDEFG", None)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert throttle.link_key("ABCDEFG") != key


@pytest.mark.django_db
def test_an_old_signed_link_is_simply_not_found_and_costs_no_budget(settings, workshop):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 1
    old = _signed(workshop)
    join_code_regenerate(workshop=workshop)
    client = Client(REMOTE_ADDR="198.51.100.30")
    for _ in range(3):
        assert client.get(old).status_code == 404
    assert _fail(client).status_code == 404  # the budget is still whole


@pytest.mark.django_db
def test_what_the_throttle_keeps_holds_neither_address_nor_code(workshop):
    import redis
    from django.conf import settings as django_settings

    address = "198.51.100.31"
    client = Client(REMOTE_ADDR=address)
    assert _fail(client).status_code == 404
    assert client.post(reverse("join"), {"code": workshop.join_code}).status_code == 302
    keys = redis.Redis.from_url(django_settings.REDIS_URL).keys("*")
    assert any(b"join-ok:" in key for key in keys) and any(b"join-fail:a:" in key for key in keys)
    code = workshop.join_code.encode()
    assert [key for key in keys if address.encode() in key or code in key] == []


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
    assert network_bucket("2001:db8:1:2:aaaa::1") == "2001:db8:1::/48"
    assert network_bucket("192.0.2.1") == "192.0.2.1"


@pytest.mark.django_db
def test_once_the_site_budget_is_spent_a_whole_ipv6_48_counts_as_one_guesser(settings, workshop):
    """A tunnel broker hands out a /48 for free: 65,536 /64s must not mean 65,536 more
    guesses per window once the site-wide budget is spent."""
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 100
    settings.LABB_JOIN_FAILURES_SITEWIDE = 4
    for n in range(4):
        assert _fail(Client(REMOTE_ADDR=f"2001:db8:7:{n}::1")).status_code == 404
    assert _fail(Client(REMOTE_ADDR="2001:db8:7:99::1")).status_code == 429
    assert _fail(Client(REMOTE_ADDR="2001:db8:8:99::1")).status_code == 404
    assert _fail(Client(REMOTE_ADDR="2001:db8:8:98::1")).status_code == 429


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

    old = workshop.join_code
    workshop = phase_set(workshop=workshop, phase=Workshop.Phase.CLOSED)
    assert workshop.join_code is None
    assert Client().get(reverse("join_workshop", args=[old])).status_code == 404
    workshop = phase_set(workshop=workshop, phase=Workshop.Phase.WRITE)
    assert workshop.join_code and workshop.join_code != old
    assert Client().get(reverse("join_workshop", args=[old])).status_code == 404
