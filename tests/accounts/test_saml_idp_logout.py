"""Single logout started by the IdP: the real pysaml2 IdP process (tests/idp/saml_serve.py,
GET /slo/start) sends a signed LogoutRequest through the browser to Labb's SLS; Labb ends
every session that person started through the provider and answers with a LogoutResponse.
A forged (unsigned or altered) LogoutRequest is refused and signs nobody out."""

from __future__ import annotations

import base64
import html
import re
import zlib
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import SamlSession
from challenges.models import Organisation
from tests.support.identity import oidc_rules, saml_answer

pytestmark = pytest.mark.services
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"


@pytest.fixture
def saml_configured(settings, saml_idp, db):
    Organisation.objects.create(name="Kommun Y", slug="kommun-y")
    settings.LABB_IDENTITY_PROVIDERS = [saml_idp.provider_config(rules=oidc_rules("kommun-y"))]
    metadata = Client().get("/signin/kommun-y/saml/metadata/").content
    assert httpx.post(f"{saml_idp.url}/sp-metadata", content=metadata).status_code == 200
    return saml_idp


def signed_in(username: str) -> Client:
    client = Client()
    action, fields = saml_answer(client.get("/signin/kommun-y/")["Location"], username)
    assert client.post(action.removeprefix("http://testserver"), fields).status_code == 302
    assert client.get("/challenges/").status_code == 200
    return client


def still_signed_in(client: Client) -> bool:
    return client.get("/challenges/").status_code == 200


def idp_starts_logout(idp, username: str, binding: str, forge: str = "") -> dict:
    """The IdP's LogoutRequest as the browser would carry it to Labb: method, path, data."""
    query = {"user": username, "binding": binding, **({"forge": forge} if forge else {})}
    sent = httpx.get(f"{idp.url}/slo/start?{urlencode(query)}", timeout=10)
    if binding == "redirect":
        assert sent.status_code == 302, sent.text
        url = urlsplit(sent.headers["Location"])
        assert url.netloc == "testserver"
        return {"method": "get", "path": url.path, "data": parse_qs(url.query)}
    assert sent.status_code == 200, sent.text
    action = html.unescape(re.search(r'action="([^"]+)"', sent.text).group(1))
    fields = re.findall(r'name="(SAMLRequest|RelayState)" value="([^"]*)"', sent.text)
    return {
        "method": "post",
        "path": action.removeprefix("http://testserver"),
        "data": {k: html.unescape(v) for k, v in fields},
    }


def deliver(message: dict):
    browser = Client()  # any browser: the IdP's front channel, not the person's session
    data = {k: v[0] if isinstance(v, list) else v for k, v in message["data"].items()}
    return getattr(browser, message["method"])(message["path"], data)


@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_the_idp_ends_every_labb_session_of_that_person(saml_configured, binding):
    fia_laptop, fia_phone, sture = signed_in("fia"), signed_in("fia"), signed_in("sture")
    assert SamlSession.objects.filter(name_id="id-fia").count() == 2
    answer = deliver(idp_starts_logout(saml_configured, "fia", binding))
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{saml_configured.url}/slo/redirect?SAMLResponse=")
    at_idp = httpx.get(answer["Location"], timeout=10)  # the IdP checks Labb's answer
    assert at_idp.status_code == 200, at_idp.text
    assert at_idp.text == f"LogoutResponse status: {SUCCESS}"
    assert not still_signed_in(fia_laptop)
    assert not still_signed_in(fia_phone)
    assert still_signed_in(sture)
    assert not SamlSession.objects.filter(name_id="id-fia").exists()


@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_an_unsigned_logout_request_is_refused(saml_configured, binding):
    fia = signed_in("fia")
    refused = deliver(idp_starts_logout(saml_configured, "fia", binding, forge="unsigned"))
    assert refused.status_code == 400
    assert 'data-signin-failure="logout_refused"' in refused.content.decode()
    assert still_signed_in(fia)


def _rewrite(saml_request: str, old: str, new: str) -> str:
    xml = zlib.decompress(base64.b64decode(saml_request), -15).decode()
    assert old in xml
    compressor = zlib.compressobj(wbits=-15)
    changed = compressor.compress(xml.replace(old, new).encode()) + compressor.flush()
    return base64.b64encode(changed).decode()


def test_a_logout_request_altered_after_signing_is_refused(saml_configured):
    fia, sture = signed_in("fia"), signed_in("sture")
    message = idp_starts_logout(saml_configured, "sture", "redirect")
    message["data"]["SAMLRequest"] = [
        _rewrite(message["data"]["SAMLRequest"][0], ">id-sture<", ">id-fia<")
    ]
    refused = deliver(message)
    assert refused.status_code == 400
    assert still_signed_in(fia)
    assert still_signed_in(sture)


def test_a_signed_post_logout_request_altered_after_signing_is_refused(saml_configured):
    fia, sture = signed_in("fia"), signed_in("sture")
    message = idp_starts_logout(saml_configured, "sture", "post")
    xml = base64.b64decode(message["data"]["SAMLRequest"]).decode()
    assert "<ds:Signature" in xml or "Signature" in xml
    message["data"]["SAMLRequest"] = base64.b64encode(
        xml.replace(">id-sture<", ">id-fia<").encode()
    ).decode()
    refused = deliver(message)
    assert refused.status_code == 400
    assert still_signed_in(fia)
    assert still_signed_in(sture)


def test_a_logout_for_someone_without_a_labb_session_is_answered_unknown(saml_configured):
    signed_in("sture")
    assert deliver(idp_starts_logout(saml_configured, "sture", "redirect")).status_code == 302
    again = deliver(idp_starts_logout(saml_configured, "sture", "redirect"))
    assert again.status_code == 302
    at_idp = httpx.get(again["Location"], timeout=10)
    assert at_idp.text == (
        "LogoutResponse status: urn:oasis:names:tc:SAML:2.0:status:Requester "
        "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal"
    )


def test_mappings_of_sessions_older_than_any_session_are_dropped(saml_configured, settings):
    signed_in("sture")
    SamlSession.objects.update(created=timezone.now() - timedelta(days=400))
    signed_in("fia")
    assert list(SamlSession.objects.values_list("name_id", flat=True)) == ["id-fia"]


def test_the_single_logout_service_refuses_other_methods_and_empty_posts(saml_configured):
    assert Client().put("/signin/kommun-y/saml/sls/").status_code == 405
    empty = Client().post("/signin/kommun-y/saml/sls/", {})
    assert empty.status_code == 400
    assert 'data-signin-failure="logout_refused"' in empty.content.decode()
