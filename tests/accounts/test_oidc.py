"""OpenID Connect sign-in against a real provider process (tests/idp/, django-oidc-provider):
the mapping rules, and every refusal at the HTTP level or with the provider's real tokens,
tampered."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from django.contrib.auth.models import User
from django.test import Client

from accounts import oidc
from accounts.failures import Failure, SignInFailed
from accounts.models import ExternalIdentity
from accounts.providers import get_provider
from audit.models import AuditEvent
from challenges.models import Membership
from tests.support.identity import CLIENT_ID, CLIENT_SECRET, OTHER_CLIENT_ID, sign_in_at_idp

pytestmark = pytest.mark.services


def start(client: Client, next_url: str = "") -> str:
    response = client.get("/signin/region-x/" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def sign_in(client: Client, username: str):
    callback = sign_in_at_idp(start(client), username)
    assert callback.startswith("http://testserver/signin/region-x/callback/?")
    return client.get(callback.removeprefix("http://testserver"))


def failure_of(response) -> str:
    html = response.content.decode()
    assert 'data-signin-failure="' in html, html[:500]
    return html.split('data-signin-failure="', 1)[1].split('"', 1)[0]


def test_the_authorisation_request_carries_state_nonce_and_a_pkce_challenge(oidc_configured):
    query = parse_qs(urlsplit(start(Client())).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20
    assert len(query["nonce"][0]) >= 20
    assert query["response_type"] == ["code"]


def test_a_facilitator_signs_in_with_a_new_session_and_gets_the_role(oidc_configured, region_x):
    client = Client()
    authorize = start(client, next_url="/challenges/")
    key_before = client.cookies["sessionid"].value
    response = client.get(sign_in_at_idp(authorize, "fia").removeprefix("http://testserver"))

    assert response.status_code == 302
    assert response["Location"] == "/challenges/"
    assert client.cookies["sessionid"].value != key_before  # no session fixation
    user = User.objects.get(email="fia@region-x.example")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Membership.Role.FACILITATOR
    assert Membership.objects.get(user=user).organisation == region_x
    assert ExternalIdentity.objects.get(user=user).provider == "region-x"
    assert client.get("/challenges/").status_code == 200


def test_an_address_in_the_region_makes_staff_and_a_second_sign_in_finds_the_same_user(
    oidc_configured,
):
    assert sign_in(Client(), "sture").status_code == 302
    assert sign_in(Client(), "sture").status_code == 302
    user = User.objects.get(email="sture@region-x.example")
    assert Membership.objects.get(user=user).role == Membership.Role.STAFF
    assert ExternalIdentity.objects.count() == 1


def test_someone_no_rule_maps_is_refused_clearly_and_no_account_is_made(oidc_configured):
    client = Client()
    response = sign_in(client, "nils")
    assert response.status_code == 403
    assert failure_of(response) == "not_mapped"
    assert "no rule on this server gives you a role" in response.content.decode()
    assert not User.objects.filter(email="nils@elsewhere.example").exists()
    assert "_auth_user_id" not in client.session


def test_the_refusal_is_in_swedish_by_default(oidc_configured):
    client = Client()
    client.cookies["django_language"] = "sv"
    response = sign_in(client, "nils")
    assert response.status_code == 403
    assert "Du har ingen roll i Labb" in response.content.decode()


@pytest.mark.parametrize("username", ["late", "wrong-audience", "wrong-nonce", "wrong-issuer"])
def test_a_token_that_is_expired_or_meant_for_another_is_refused(oidc_configured, username):
    client = Client()
    response = sign_in(client, username)
    assert response.status_code == 400
    assert failure_of(response) == "invalid_answer"
    assert "_auth_user_id" not in client.session
    assert not User.objects.exclude(username="admin").exists()


def test_a_provider_clock_a_minute_behind_is_within_the_skew(oidc_configured):
    assert sign_in(Client(), "slow-clock").status_code == 302


def test_without_a_skew_the_same_token_is_refused(oidc_configured, settings):
    settings.LABB_SIGNIN_CLOCK_SKEW = 0
    response = sign_in(Client(), "slow-clock")
    assert response.status_code == 400
    assert failure_of(response) == "invalid_answer"


def test_a_replayed_callback_is_refused(oidc_configured):
    client = Client()
    callback = sign_in_at_idp(start(client), "fia").removeprefix("http://testserver")
    assert client.get(callback).status_code == 302
    client.logout()
    replay = client.get(callback)
    assert replay.status_code == 400
    assert failure_of(replay) == "session_mismatch"
    # And in another browser (the attacker's), where the state was never set.
    assert failure_of(Client().get(callback)) == "session_mismatch"


def test_a_tampered_state_is_refused(oidc_configured):
    client = Client()
    callback = sign_in_at_idp(start(client), "fia").removeprefix("http://testserver")
    split = urlsplit(callback)
    query = parse_qs(split.query)
    query["state"] = ["x" + query["state"][0][1:]]
    response = client.get(f"{split.path}?{urlencode(query, doseq=True)}")
    assert response.status_code == 400
    assert failure_of(response) == "session_mismatch"


def test_a_refusal_by_the_provider_gets_its_page(oidc_configured):
    client = Client()
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(f"/signin/region-x/callback/?error=access_denied&state={state}")
    assert response.status_code == 400
    assert failure_of(response) == "provider_refused"


def test_an_unknown_provider_is_a_404_page(oidc_configured):
    response = Client().get("/signin/nowhere/")
    assert response.status_code == 404
    assert failure_of(response) == "unknown_provider"


def test_an_unreachable_provider_is_a_502_page(settings, region_x):
    settings.LABB_IDENTITY_PROVIDERS = [
        {
            "slug": "down",
            "name": "Down",
            "protocol": "oidc",
            "discovery_url": "http://127.0.0.1:9/.well-known/openid-configuration",
            "client_id": "labb",
            "rules": [{"organisation": "region-x", "role": "staff", "email_domain": "x.se"}],
        }
    ]
    response = Client().get("/signin/down/")
    assert response.status_code == 502
    assert failure_of(response) == "provider_unreachable"


# --- Real tokens from the provider, checked by Labb's verification, then tampered --------


def real_token_response(idp, *, client_id: str, nonce: str) -> dict:
    """Sign in at the provider as an ordinary client would and exchange the code: the token
    response exactly as the provider made it."""
    authorize = f"{idp.url}/authorize?" + urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid email profile",
            "redirect_uri": "http://testserver/signin/region-x/callback/",
            "state": "state-of-the-test",
            "nonce": nonce,
        }
    )
    callback = sign_in_at_idp(authorize, "fia")
    code = parse_qs(urlsplit(callback).query)["code"][0]
    response = httpx.post(
        f"{idp.url}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://testserver/signin/region-x/callback/",
            "client_id": client_id,
            "client_secret": CLIENT_SECRET,
        },
        timeout=15,
    )
    assert response.status_code == 200, response.text
    return response.json()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _refused(token: dict, nonce: str) -> Failure:
    with pytest.raises(SignInFailed) as refused:
        oidc.verify_id_token(get_provider("region-x"), token, nonce=nonce)
    return refused.value.failure


def test_the_real_token_passes_and_every_tampered_copy_is_refused(oidc_configured):
    token = real_token_response(oidc_configured, client_id=CLIENT_ID, nonce="n-123")
    provider = get_provider("region-x")
    claims = oidc.verify_id_token(provider, token, nonce="n-123")
    assert claims["email"] == "fia@region-x.example"

    header, payload, signature = token["id_token"].split(".")
    changed = json.loads(_unb64(payload)) | {"email": "boss@region-x.example"}
    tampered_payload = f"{header}.{_b64(json.dumps(changed).encode())}.{signature}"
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    unsigned_header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    cases = {
        "payload changed": f"{tampered_payload}",
        "signature changed": f"{header}.{payload}.{flipped}",
        "signature removed (alg none)": f"{unsigned_header}.{payload}.",
        "garbage": "not-a-token",
    }
    for what, id_token in cases.items():
        assert _refused(token | {"id_token": id_token}, "n-123") == Failure.INVALID_ANSWER, what
    assert _refused(token, "another-nonce") == Failure.INVALID_ANSWER
    assert _refused({"access_token": token["access_token"]}, "n-123") == Failure.INVALID_ANSWER


def test_a_real_token_for_another_service_is_refused(oidc_configured):
    token = real_token_response(oidc_configured, client_id=OTHER_CLIENT_ID, nonce="n-456")
    assert _refused(token, "n-456") == Failure.INVALID_ANSWER


def test_the_audit_trail_has_the_sign_in_and_the_membership_the_rules_gave(
    oidc_configured, region_x
):
    assert sign_in(Client(), "fia").status_code == 302
    user = User.objects.get(email="fia@region-x.example")
    trail = AuditEvent.objects.filter(organisation=region_x)
    added = trail.get(action=AuditEvent.Action.MEMBER_ADDED)
    assert added.actor is None, "the rules did it, not a person"
    assert (added.object_id, added.object_label) == (user.pk, user.get_username())
    assert added.detail == {"role": "facilitator", "by": "sign-in rules", "provider": "region-x"}
    assert trail.filter(action=AuditEvent.Action.SIGNED_IN, actor=user).count() == 1
    # Signing in again with the same role changes no membership and records none.
    assert sign_in(Client(), "fia").status_code == 302
    assert trail.filter(action=AuditEvent.Action.MEMBER_ADDED).count() == 1
    assert trail.filter(action=AuditEvent.Action.SIGNED_IN).count() == 2


def test_a_refused_sign_in_is_in_the_providers_organisations_trail_without_the_person(
    oidc_configured, region_x
):
    assert sign_in(Client(), "nils").status_code == 403
    (failed,) = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED)
    assert failed.organisation == region_x
    assert failed.detail == {"failure": "not_mapped", "provider": "region-x"}
    assert failed.actor is None and failed.object_label == ""
    assert "nils" not in json.dumps(failed.detail)
