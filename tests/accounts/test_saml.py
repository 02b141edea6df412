"""SAML 2.0 sign-in against a real pysaml2 IdP process (tests/idp/saml_serve.py) that signs
its assertions; refusals of expired, misaddressed, unsigned, tampered and replayed answers."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth.models import User
from django.test import Client

from challenges.models import Membership, Organisation
from tests.support.identity import oidc_rules, saml_answer

pytestmark = pytest.mark.services


@pytest.fixture
def saml_configured(settings, saml_idp, db):
    Organisation.objects.create(name="Kommun Y", slug="kommun-y")
    settings.LABB_IDENTITY_PROVIDERS = [saml_idp.provider_config(rules=oidc_rules("kommun-y"))]
    return saml_idp


def answer_for(client: Client, username: str) -> tuple[str, dict]:
    response = client.get("/signin/kommun-y/?next=/challenges/")
    assert response.status_code == 302, response.content[:300]
    action, fields = saml_answer(response["Location"], username)
    assert action == "http://testserver/signin/kommun-y/saml/acs/"
    return action.removeprefix("http://testserver"), fields


def failure_of(response) -> str:
    return response.content.decode().split('data-signin-failure="', 1)[1].split('"', 1)[0]


def test_a_facilitator_signs_in_with_a_signed_assertion(saml_configured):
    client = Client()
    path, fields = answer_for(client, "fia")
    key_before = client.cookies["sessionid"].value
    response = client.post(path, fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/challenges/"
    assert client.cookies["sessionid"].value != key_before
    user = User.objects.get(email="fia@region-x.example")
    assert Membership.objects.get(user=user).role == "facilitator"
    assert client.get("/challenges/").status_code == 200


def test_staff_by_address_and_nobody_by_no_rule(saml_configured):
    client = Client()
    assert client.post(*answer_for(client, "sture")).status_code == 302
    assert Membership.objects.get(user__email="sture@region-x.example").role == "staff"
    client = Client()
    refused = client.post(*answer_for(client, "nils"))
    assert refused.status_code == 403
    assert failure_of(refused) == "not_mapped"


@pytest.mark.parametrize("username", ["late", "wrong-audience", "unsigned"])
def test_an_expired_misaddressed_or_unsigned_assertion_is_refused(saml_configured, username):
    client = Client()
    response = client.post(*answer_for(client, username))
    assert response.status_code == 400
    assert failure_of(response) == "invalid_answer"
    assert "_auth_user_id" not in client.session


def test_a_tampered_assertion_is_refused(saml_configured):
    client = Client()
    path, fields = answer_for(client, "sture")
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    # Claim to be fia: change the signed e-mail address.
    tampered = xml.replace("sture@region-x.example", "fia@region-x.example")
    assert tampered != xml
    fields["SAMLResponse"] = base64.b64encode(tampered.encode()).decode()
    response = client.post(path, fields)
    assert response.status_code == 400
    assert failure_of(response) == "invalid_answer"
    assert not User.objects.exists()


def test_a_replayed_assertion_is_refused(saml_configured):
    client = Client()
    path, fields = answer_for(client, "fia")
    request_cookie = client.cookies["labb_saml_request"].value
    assert client.post(path, fields).status_code == 302
    # Someone who captured the answer and the browser's request cookie posts it again.
    thief = Client()
    thief.cookies["labb_saml_request"] = request_cookie
    replay = thief.post(path, fields)
    assert replay.status_code == 400
    assert failure_of(replay) == "replayed"
    assert "_auth_user_id" not in thief.session
    # Without the cookie it does not even get that far.
    assert failure_of(Client().post(path, fields)) == "session_mismatch"


def test_an_answer_for_another_browser_is_refused(saml_configured):
    """Login CSRF: an attacker's valid answer posted from the victim's browser."""
    attacker = Client()
    path, fields = answer_for(attacker, "nils")
    victim = Client()
    response = victim.post(path, fields)
    assert response.status_code == 400
    assert failure_of(response) == "session_mismatch"


def test_the_service_provider_metadata_is_served(saml_configured):
    response = Client().get("/signin/kommun-y/saml/metadata/")
    assert response.status_code == 200
    assert b"AssertionConsumerService" in response.content
    assert b"http://testserver/signin/kommun-y/saml/acs/" in response.content


def test_an_idp_whose_metadata_cannot_be_read_is_a_502_page(settings, db):
    Organisation.objects.create(name="Kommun Y", slug="kommun-y")
    settings.LABB_IDENTITY_PROVIDERS = [
        {
            "slug": "down",
            "name": "Down",
            "protocol": "saml",
            "saml_metadata_url": "http://127.0.0.1:9/metadata",
            "rules": oidc_rules("kommun-y"),
        }
    ]
    response = Client().get("/signin/down/")
    assert response.status_code == 502
    assert failure_of(response) == "provider_unreachable"
