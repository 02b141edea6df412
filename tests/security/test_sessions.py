"""Participant sessions: a new session id on join, nothing after the workshop ends, and
production cookies that are Secure, HttpOnly, SameSite and __Host- prefixed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from http.cookies import SimpleCookie

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from labb.sessions import SessionStore
from tests.support.steps import join_as, post_note
from workshops import retention
from workshops.models import Workshop

PRODUCTION_ENV = {
    "LABB_PRODUCTION": "1",
    "SECRET_KEY": "k" * 20 + "-production-test-secret-key-" + "x" * 30,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/7",
    "ALLOWED_HOSTS": "labb.example.se",
    "LABB_ACCESSIBILITY_CONTACT": "tillganglighet@labb.example.se",
}


def production_settings(*names: str) -> dict:
    """Read settings as a production process sees them."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    env = {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "labb.settings"}
    output = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=django_settings.BASE_DIR,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_joining_rotates_the_session_id(workshop):
    client = Client()
    client.get(reverse("join_workshop", args=[workshop.join_code]))
    session = client.session
    session["planted"] = "yes"
    session.save()
    before = session.session_key
    client.cookies[django_settings.SESSION_COOKIE_NAME] = before
    join_as(client, workshop)
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after and after != before
    assert len(after) >= 32
    # The old (possibly planted) id grants nothing.
    stale = Client()
    stale.cookies[django_settings.SESSION_COOKIE_NAME] = before
    assert stale.get(reverse("phone", args=[workshop.pk])).status_code == 404
    assert client.get(reverse("phone", args=[workshop.pk])).status_code == 200


@pytest.mark.django_db
def test_a_new_session_never_takes_a_key_in_use():
    """labb/sessions.py draws a key without asking whether it is taken (165 random bits):
    the INSERT that creates the session must refuse a taken key, and another is drawn."""
    owner = SessionStore()
    owner["labb_participants"] = {"1": 1}
    owner.save()
    taken = owner.session_key

    class FirstDrawTaken(SessionStore):
        draws = iter([taken, "n" * 32])

        def _get_new_session_key(self) -> str:
            return next(self.draws)

    newcomer = FirstDrawTaken()
    newcomer["planted"] = "yes"
    newcomer.save()
    assert newcomer.session_key == "n" * 32
    assert SessionStore(session_key=taken).load() == {"labb_participants": {"1": 1}}


@pytest.mark.django_db
def test_a_cycled_key_is_written_once_under_a_new_key_and_the_old_one_is_gone():
    session = SessionStore()
    session["labb_device"] = "d"
    session.save()
    old = session.session_key
    session.cycle_key()
    session["labb_participants"] = {"1": 1}
    session.save()
    assert session.session_key not in (None, old)
    assert not SessionStore().exists(old)
    stored = SessionStore(session_key=session.session_key).load()
    assert stored == {"labb_device": "d", "labb_participants": {"1": 1}}


@pytest.mark.django_db
def test_a_participant_of_a_closed_workshop_can_no_longer_post(participant_client, workshop):
    client, _participant = participant_client
    workshop.phase = Workshop.Phase.CLOSED
    workshop.save()
    assert post_note(client, workshop, text="Sent efter stängning").status_code == 403
    assert workshop.notes.count() == 0


@pytest.mark.django_db
def test_a_participant_of_a_disposed_workshop_gets_nothing(participant_client, workshop):
    client, _participant = participant_client
    assert post_note(client, workshop, text="Innan").status_code == 302
    workshop.retain_until = workshop.date.replace(year=workshop.date.year - 2)
    workshop.save()
    retention.retention_sweep()
    # (The phone stream goes through the same access.get_participant check.)
    assert client.get(reverse("phone", args=[workshop.pk])).status_code == 404
    assert post_note(client, workshop, text="Efter").status_code == 404
    assert workshop.notes.count() == 0


def test_production_cookies_are_host_prefixed_secure_httponly_samesite():
    values = production_settings(
        "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_DOMAIN",
        "SESSION_COOKIE_PATH",
        "CSRF_COOKIE_NAME",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_SAMESITE",
        "CSRF_COOKIE_DOMAIN",
    )
    assert values == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_PATH": "/",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_DOMAIN": None,
    }


@pytest.mark.django_db
def test_the_session_cookie_set_on_join_has_the_production_attributes(settings, workshop):
    values = production_settings(
        "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE"
    )
    for name, value in values.items():
        setattr(settings, name, value)
    client = Client()
    response = client.post(
        reverse("join_workshop", args=[workshop.join_code]),
        {"group": workshop.groups.first().pk},
        secure=True,
    )
    assert response.status_code == 302
    header = response.cookies["__Host-sessionid"].output()
    cookie = SimpleCookie()
    cookie.load(header.split(":", 1)[1].strip())
    morsel = cookie["__Host-sessionid"]
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel["path"] == "/"
    assert morsel["domain"] == ""
