"""Production settings pass Django's deployment checks; real responses carry a strict
Content-Security-Policy and the other security headers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.security.test_sessions import PRODUCTION_ENV


def _env() -> dict:
    return {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "labb.settings"}


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=_env(),
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_a_secret_key():
    env = _env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict_csp(header: str) -> None:
    csp = _csp(header)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts, header
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "*" not in scripts and "data:" not in scripts
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp.get("style-src", [])


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "participant", "facilitator"])
def test_pages_carry_a_strict_csp_and_security_headers(persona, workshop, facilitator, client):
    if persona == "facilitator":
        client.force_login(facilitator)
        url = reverse("workshop_board", args=[workshop.pk])
    elif persona == "participant":
        from tests.support.steps import join_as

        join_as(client, workshop)
        url = reverse("phone", args=[workshop.pk])
    else:
        url = reverse("join")
    response = client.get(url)
    assert response.status_code == 200
    assert_strict_csp(response["Content-Security-Policy"])
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_error_pages_and_fragments_carry_the_csp_too(participant_client, workshop):
    client, _participant = participant_client
    for response in (
        Client().get("/no-such-page/"),
        Client().get(reverse("phone", args=[workshop.pk])),
        client.post(reverse("phone_note_create", args=[workshop.pk]), {}, HTTP_HX_REQUEST="true"),
    ):
        assert response.status_code in {400, 404}
        assert_strict_csp(response["Content-Security-Policy"])


def test_production_responses_carry_hsts_csp_and_friends():
    """A real request through a production-configured process (LABB_PRODUCTION=1)."""
    code = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/healthz", secure=True, HTTP_HOST="labb.example.se")
insecure = Client().get("/join/", HTTP_HOST="labb.example.se")
print(json.dumps({"status": response.status_code, "headers": dict(response.items()),
                  "insecure": insecure.status_code, "location": insecure.get("Location", "")}))
"""
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(),
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=120,
        check=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    headers = data["headers"]
    assert data["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_strict_csp(headers["Content-Security-Policy"])
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    # Plain HTTP is sent to HTTPS.
    assert data["insecure"] == 301
    assert data["location"] == "https://labb.example.se/join/"


def test_production_refuses_debug_and_unknown_hosts(settings, db):
    from tests.security.test_sessions import production_settings

    values = production_settings("DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")
    assert values == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["labb.example.se"],
        "SECURE_SSL_REDIRECT": True,
    }
    settings.ALLOWED_HOSTS = values["ALLOWED_HOSTS"]
    assert Client().get(reverse("join"), HTTP_HOST="evil.example").status_code == 400
    assert Client().get(reverse("join"), HTTP_HOST="labb.example.se").status_code == 200
