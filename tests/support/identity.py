"""A real OpenID provider for the sign-in tests: tests/idp/ (django-oidc-provider) in its
own process, started with the launcher of tests/support/servers.py (free port, token,
health check). `oidc_idp` starts one per test module; `OidcIdp.users` are its people.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support.servers import PYTHON, LabbServer, server_env

CLIENT_ID = "labb"
CLIENT_SECRET = "labb-test-client-secret"
OTHER_CLIENT_ID = "other-service"
PASSWORD = "idp-test-password"

# The people the test provider knows. Region X's rules (see `oidc_rules`): the group
# "labb-facilitators" makes a facilitator, an address at region-x.example makes staff.
USERS = [
    {"username": "fia", "email": "fia@region-x.example", "groups": ["labb-facilitators"]},
    {"username": "sture", "email": "sture@region-x.example", "groups": []},
    {"username": "nils", "email": "nils@elsewhere.example", "groups": ["choir"]},
    {"username": "late", "email": "late@region-x.example"},
    {"username": "slow-clock", "email": "slow@region-x.example"},
    {"username": "wrong-audience", "email": "aud@region-x.example"},
    {"username": "wrong-nonce", "email": "nonce@region-x.example"},
    {"username": "wrong-issuer", "email": "iss@region-x.example"},
]


class IdpServer(LabbServer):
    def command(self, token: str) -> list[str]:
        return [str(PYTHON), "-m", "tests.idp.serve", "--port", str(self.port), "--token", token]


@dataclass
class OidcIdp:
    server: IdpServer

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def provider_config(self, *, slug: str = "region-x", rules: list[dict]) -> dict:
        """An entry of LABB_IDENTITY_PROVIDERS for this provider."""
        return {
            "slug": slug,
            "name": "Region X",
            "protocol": "oidc",
            "discovery_url": self.discovery_url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "rules": rules,
        }


def oidc_rules(organisation: str) -> list[dict]:
    return [
        {"organisation": organisation, "role": "facilitator", "group": "labb-facilitators"},
        {"organisation": organisation, "role": "staff", "email_domain": "region-x.example"},
    ]


def start_oidc_idp(tmp_path, *, labb_urls: list[str]) -> IdpServer:
    """The provider, with the client `labb` allowed to come back to each of `labb_urls`."""
    config = {
        "clients": [
            {
                "client_id": client_id,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [
                    f"{base}/signin/{slug}/callback/"
                    for base in labb_urls
                    for slug in ("region-x",)
                ],
                "post_logout_redirect_uris": [f"{base}/login/" for base in labb_urls],
            }
            for client_id in (CLIENT_ID, OTHER_CLIENT_ID)
        ],
        "users": [{**user, "password": PASSWORD} for user in USERS],
    }
    env = server_env(IDP_DATABASE=str(tmp_path / "idp.sqlite3"), IDP_CONFIG=json.dumps(config))
    env["DJANGO_SETTINGS_MODULE"] = "tests.idp.settings"
    return IdpServer(env=env, log_path=tmp_path / "idp.log").start()


@pytest.fixture(scope="module")
def oidc_idp(tmp_path_factory) -> Iterator[OidcIdp]:
    """The test provider for a module; Labb reaches it at http://testserver (the test client)
    and at the test servers' addresses (browser tests register theirs, see `labb_urls`)."""
    tmp = tmp_path_factory.mktemp("oidc-idp")
    labb_urls = ["http://testserver"] + [f"http://127.0.0.1:{port}" for port in range(18700, 18900)]
    server = start_oidc_idp(tmp, labb_urls=labb_urls)
    try:
        yield OidcIdp(server)
    finally:
        server.stop()


def sign_in_at_idp(authorize_url: str, username: str, *, password: str = PASSWORD) -> str:
    """What a browser does at the provider: open the authorisation address Labb sent it to,
    sign in on the provider's form, and follow the provider until it sends the browser back.
    Returns the address the provider sends the browser back to (Labb's callback)."""
    import re
    from urllib.parse import urljoin

    import httpx

    with httpx.Client(timeout=15) as browser:
        response = browser.get(authorize_url)
        while response.status_code == 302:
            location = urljoin(str(response.url), response.headers["location"])
            if not location.startswith(str(response.url.copy_with(path="/", query=None))):
                return location  # leaving the provider
            response = browser.get(location)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
        next_value = re.search(r'name="next" value="([^"]*)"', response.text)
        assert token and next_value, response.text[:500]
        response = browser.post(
            str(response.url),
            data={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": password,
                "next": next_value.group(1).replace("&amp;", "&"),
            },
        )
        while response.status_code == 302:
            location = urljoin(str(response.url), response.headers["location"])
            if not location.startswith(str(response.url.copy_with(path="/", query=None))):
                return location
            response = browser.get(location)
        raise AssertionError(f"the provider did not send the browser back: {response.text[:500]}")


# --- SAML 2.0: tests/idp/saml_serve.py (pysaml2's Server) -----------------------------------

SAML_USERS = [
    {"username": "fia", "email": "fia@region-x.example", "groups": ["labb-facilitators"]},
    {"username": "sture", "email": "sture@region-x.example", "groups": []},
    {"username": "nils", "email": "nils@elsewhere.example", "groups": ["choir"]},
    {"username": "late", "email": "late@region-x.example"},
    {"username": "wrong-audience", "email": "aud@region-x.example"},
    {"username": "unsigned", "email": "unsigned@region-x.example"},
]


class SamlIdpServer(LabbServer):
    def command(self, token: str) -> list[str]:
        return [
            str(PYTHON),
            "-m",
            "tests.idp.saml_serve",
            "--port",
            str(self.port),
            "--token",
            token,
        ]


def write_signing_key(directory, name: str = "idp") -> tuple[str, str]:
    """A fresh RSA key and self-signed certificate (PEM files `<name>.key`, `<name>.crt`)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Labb test SAML {name}")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / f"{name}.key", directory / f"{name}.crt"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


@dataclass
class SamlIdp:
    server: SamlIdpServer

    @property
    def url(self) -> str:
        return self.server.url

    def provider_config(self, *, slug: str = "kommun-y", rules: list[dict]) -> dict:
        return {
            "slug": slug,
            "name": "Kommun Y",
            "protocol": "saml",
            "saml_metadata_url": f"{self.url}/metadata",
            "email_claim": "mail",
            "groups_claim": "groups",
            "rules": rules,
        }


def _saml_idp(tmp_path_factory, **env) -> Iterator[SamlIdp]:
    tmp = tmp_path_factory.mktemp("saml-idp")
    key, cert = write_signing_key(tmp)
    env = server_env(IDP_KEY=key, IDP_CERT=cert, IDP_USERS=json.dumps(SAML_USERS), **env)
    server = SamlIdpServer(env=env, log_path=tmp / "saml-idp.log").start()
    try:
        yield SamlIdp(server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory) -> Iterator[SamlIdp]:
    yield from _saml_idp(tmp_path_factory)


@pytest.fixture(scope="module")
def strict_saml_idp(tmp_path_factory) -> Iterator[SamlIdp]:
    """The test IdP wanting signed AuthnRequests and LogoutRequests."""
    yield from _saml_idp(tmp_path_factory, IDP_WANT_SIGNED="1")


@pytest.fixture(scope="module")
def labb_saml_keys(tmp_path_factory) -> dict[str, tuple[str, str]]:
    """Two SAML key pairs for Labb: `labb` (registered at the IdP) and `other` (not)."""
    tmp = tmp_path_factory.mktemp("labb-saml-keys")
    return {name: write_signing_key(tmp, name) for name in ("labb", "other")}


def saml_answer(sso_url: str, username: str) -> tuple[str, dict[str, str]]:
    """Sign in at the SAML IdP as a browser would: (the SP address the IdP's form posts to,
    the form's fields: SAMLResponse and RelayState)."""
    import html
    import re

    import httpx

    with httpx.Client(timeout=15) as browser:
        page = browser.get(sso_url)
        assert page.status_code == 200, page.text[:300]
        fields = dict(
            re.findall(
                r'name="(SAMLRequest|RelayState|SigAlg|Signature)" value="([^"]*)"', page.text
            )
        )
        answer = browser.post(
            str(page.url.copy_with(path="/sso/login", query=None)),
            data={
                **{k: html.unescape(v) for k, v in fields.items()},
                "username": username,
                "password": PASSWORD,
            },
        )
    assert answer.status_code == 200, answer.text[:300]
    action = re.search(r'action="([^"]+)"', answer.text).group(1)
    posted = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', answer.text))
    return html.unescape(action), {k: html.unescape(v) for k, v in posted.items()}
