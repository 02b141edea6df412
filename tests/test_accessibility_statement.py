"""The accessibility statement (tillgänglighetsredogörelse): DIGG's model, both languages,
the operator's contact, and a deploy check that asks for that contact."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

pytestmark = pytest.mark.django_db

URL = "/accessibility/"


def test_it_is_in_swedish(client):
    client.post("/i18n/setlang/", {"language": "sv", "next": URL})
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Tillgänglighetsredogörelse · Labb</title>" in html
    assert "Myndigheten för digital förvaltning" in html
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    assert "Innehåll som inte är tillgängligt" in html
    assert "lagen (2018:1937)" in html


def test_it_is_in_english_when_chosen(client):
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL).content.decode()
    assert "<title>Accessibility statement · Labb</title>" in html
    assert "The Agency for Digital Government" in html
    assert "Content that is not accessible" in html


@override_settings(
    LABB_OPERATOR_NAME="Region Exempel",
    LABB_ACCESSIBILITY_CONTACT="tillganglighet@region.example",
    LABB_ACCESSIBILITY_ASSESSED=datetime.date(2026, 11, 30),
)
def test_it_names_the_operator_the_contact_and_the_date(client):
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    html = client.get(URL).content.decode()
    assert "Region Exempel is responsible for this Labb service." in html
    assert 'href="mailto:tillganglighet@region.example"' in html
    assert "last assessed on Nov. 30, 2026" in html


@override_settings(LABB_ACCESSIBILITY_CONTACT="https://region.example/<tillganglighet>")
def test_a_contact_page_is_a_link_and_escaped(client):
    html = client.get(URL).content.decode()
    assert 'href="https://region.example/&lt;tillganglighet&gt;"' in html
    assert "<tillganglighet>" not in html


def test_without_a_contact_it_says_whom_to_ask(client):
    client.post("/i18n/setlang/", {"language": "sv", "next": URL})
    html = client.get(URL).content.decode()
    assert "mailto:" not in html
    assert "processledaren" in html


def test_it_is_linked_from_the_phone_and_the_join_page(participant_client, client):
    phone, participant = participant_client
    for page in (
        phone.get(f"/p/{participant.workshop_id}/"),
        client.get("/join/"),
        client.get("/"),
    ):
        assert page.status_code == 200
        assert b'<footer class="site-footer">' in page.content
        assert b'href="/accessibility/"' in page.content


@override_settings(LABB_ACCESSIBILITY_CONTACT="")
def test_the_deploy_check_asks_for_a_contact():
    with pytest.raises(SystemCheckError, match="labb.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")


@override_settings(LABB_ACCESSIBILITY_CONTACT="a11y@region.example")
def test_the_deploy_check_is_quiet_with_a_contact(capsys):
    call_command("check", "--deploy", "--tag", "security")
    assert "labb.W001" not in capsys.readouterr().err
