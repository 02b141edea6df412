"""Labb's own SAML key: signed AuthnRequests and LogoutRequests, checked by a real pysaml2
IdP process that wants signed requests (tests/idp/saml_serve.py, IDP_WANT_SIGNED=1)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts.models import SamlSession
from challenges.models import Organisation
from tests.support.identity import oidc_rules, saml_answer

pytestmark = pytest.mark.services


def use_key(settings, keys, name: str) -> None:
    settings.LABB_SAML_KEY_FILE, settings.LABB_SAML_CERT_FILE = keys[name]


def register_labb(idp) -> None:
    """What the IdP's administrator does: load Labb's SP metadata (with its certificate)."""
    metadata = Client().get("/signin/kommun-y/saml/metadata/")
    assert metadata.status_code == 200
    registered = httpx.post(f"{idp.url}/sp-metadata", content=metadata.content, timeout=10)
    assert registered.status_code == 200, registered.text


@pytest.fixture
def strict_configured(settings, strict_saml_idp, labb_saml_keys, db):
    Organisation.objects.create(name="Kommun Y", slug="kommun-y")
    settings.LABB_IDENTITY_PROVIDERS = [
        strict_saml_idp.provider_config(rules=oidc_rules("kommun-y"))
    ]
    use_key(settings, labb_saml_keys, "labb")
    register_labb(strict_saml_idp)
    return strict_saml_idp


def failure_of(response) -> str:
    return response.content.decode().split('data-signin-failure="', 1)[1].split('"', 1)[0]


def test_the_metadata_publishes_labbs_signing_certificate(strict_configured, labb_saml_keys):
    xml = Client().get("/signin/kommun-y/saml/metadata/").content.decode()
    assert 'AuthnRequestsSigned="true"' in xml
    assert 'use="signing"' in xml
    with open(labb_saml_keys["labb"][1]) as cert:
        pem = cert.read()
    body = "".join(pem.strip().splitlines()[1:-1])
    assert body in "".join(xml.split())


def test_a_signed_request_signs_in_at_an_idp_that_wants_signatures(strict_configured):
    client = Client()
    started = client.get("/signin/kommun-y/?next=/challenges/")
    assert started.status_code == 302
    assert {"SigAlg", "Signature"} <= set(parse_qs(urlsplit(started["Location"]).query))
    action, fields = saml_answer(started["Location"], "fia")
    response = client.post(action.removeprefix("http://testserver"), fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/challenges/"
    assert client.get("/challenges/").status_code == 200


def _refused_by_idp(location: str) -> httpx.Response:
    return httpx.get(location, timeout=10)


def test_the_idp_refuses_an_unsigned_request(strict_configured):
    location = Client().get("/signin/kommun-y/")["Location"]
    url = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    del query["Signature"], query["SigAlg"]
    refused = _refused_by_idp(url._replace(query=urlencode(query)).geturl())
    assert refused.status_code == 403
    assert "AuthnRequest refused" in refused.text


def test_the_idp_refuses_a_request_signed_with_another_key(
    strict_configured, settings, labb_saml_keys
):
    use_key(settings, labb_saml_keys, "other")  # not the certificate the IdP registered
    location = Client().get("/signin/kommun-y/")["Location"]
    assert "Signature=" in location
    refused = _refused_by_idp(location)
    assert refused.status_code == 403
    assert "AuthnRequest refused" in refused.text


def test_without_a_key_sign_in_at_such_an_idp_is_refused_clearly(strict_configured, settings):
    settings.LABB_SAML_KEY_FILE = settings.LABB_SAML_CERT_FILE = ""
    client = Client()
    client.cookies["django_language"] = "sv"
    response = client.get("/signin/kommun-y/")
    assert response.status_code == 500
    assert failure_of(response) == "signing_key_missing"
    assert "SAML-nyckel" in response.content.decode()


def test_signing_out_sends_a_signed_logout_request_the_idp_accepts(strict_configured):
    client = Client()
    started = client.get("/signin/kommun-y/")
    action, fields = saml_answer(started["Location"], "sture")
    assert client.post(action.removeprefix("http://testserver"), fields).status_code == 302
    assert SamlSession.objects.filter(name_id="id-sture").count() == 1
    page = client.post("/logout/").content.decode()
    assert not SamlSession.objects.exists()  # its session is gone: so is the mapping
    logout_url = html.unescape(re.search(r'href="([^"]+)" data-follow-on-load', page).group(1))
    assert logout_url.startswith(f"{strict_configured.url}/slo/redirect?SAMLRequest=")
    assert "Signature=" in logout_url
    back = httpx.get(logout_url, timeout=10)
    assert back.status_code == 302, back.text  # the IdP verified it and answers
    assert back.headers["Location"].startswith("http://testserver/signin/kommun-y/saml/sls/")
    assert User.objects.filter(email="sture@region-x.example").exists()
