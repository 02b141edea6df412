"""SAML 2.0 with pysaml2 as the service provider: AuthnRequest by HTTP-Redirect, the answer
by HTTP-POST to the assertion consumer service. pysaml2 checks the XML signature (assertions
must be signed), the audience, the destination, InResponseTo against the request this
browser started (its id is in a cookie of this browser), and the times within
LABB_SIGNIN_CLOCK_SKEW. Labb adds the replay check: an assertion id is accepted once.

With LABB_SAML_KEY_FILE/LABB_SAML_CERT_FILE set, Labb signs its AuthnRequests and
LogoutRequests (the HTTP-Redirect binding's query signature, RSA-SHA256) and publishes the
certificate in its metadata. An IdP may also end a session itself: its LogoutRequest (by
HTTP-Redirect or HTTP-POST) must be signed by the IdP in the provider's metadata."""

from __future__ import annotations

import base64
import logging
import shutil
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.mdstore import locations
from saml2.request import LogoutRequest
from saml2.response import StatusError
from saml2.saml import name_id_from_string
from saml2.samlp import STATUS_REQUESTER, STATUS_SUCCESS, STATUS_UNKNOWN_PRINCIPAL
from saml2.sigver import REQ_ORDER, SIGNER_ALGS, extract_rsa_key_from_x509_cert, pem_format
from saml2.xmldsig import SIG_RSA_SHA256

from accounts.failures import Failure, SignInFailed
from accounts.providers import Provider
from accounts.signin import Person, groups_from

logger = logging.getLogger("accounts.signin")
REQUEST_TTL = 600  # seconds a started SAML sign-in may take
ASSERTION_TTL = 24 * 3600  # remember used assertion ids longer than any assertion lives


def signing() -> bool:
    """Whether Labb has a SAML key pair to sign its requests with."""
    return bool(settings.LABB_SAML_KEY_FILE and settings.LABB_SAML_CERT_FILE)


def client_for(provider: Provider, base_url: str) -> Saml2Client:
    return _client(provider, base_url, settings.LABB_SAML_KEY_FILE, settings.LABB_SAML_CERT_FILE)


client_for.cache_clear = lambda: _client.cache_clear()


@lru_cache(maxsize=64)
def _client(provider: Provider, base_url: str, key_file: str, cert_file: str) -> Saml2Client:
    """One pysaml2 client per provider, public address and key pair (the provider's
    metadata is loaded once per process)."""
    from django.urls import reverse

    def url(name: str) -> str:
        return base_url + reverse(name, kwargs={"slug": provider.slug})

    if provider.saml_metadata_xml:
        metadata = {"inline": [provider.saml_metadata_xml]}
    else:
        metadata = {"remote": [{"url": provider.saml_metadata_url}]}
    keys = {"key_file": key_file, "cert_file": cert_file} if key_file else {}
    config = SPConfig()
    config.load(
        {
            **keys,
            "entityid": url("saml_metadata"),
            "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
            "accepted_time_diff": settings.LABB_SIGNIN_CLOCK_SKEW,
            "allow_unknown_attributes": True,
            "http_client_timeout": 10,
            "metadata": metadata,
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [(url("saml_acs"), BINDING_HTTP_POST)],
                        "single_logout_service": [
                            (url("saml_sls"), BINDING_HTTP_REDIRECT),
                            (url("saml_sls"), BINDING_HTTP_POST),
                        ],
                    },
                    "allow_unsolicited": False,
                    "authn_requests_signed": bool(key_file),
                    "logout_requests_signed": bool(key_file),
                    "signing_algorithm": SIG_RSA_SHA256,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                }
            },
        }
    )
    return Saml2Client(config)


def idp_entity_id(client: Saml2Client) -> str:
    idps = list(client.metadata.identity_providers())
    if len(idps) != 1:
        raise SignInFailed(Failure.PROVIDER_UNREACHABLE, f"metadata has {len(idps)} IdPs")
    return idps[0]


def wants_signed_requests(client: Saml2Client, idp: str) -> bool:
    descriptors = client.metadata[idp].get("idpsso_descriptor") or [{}]
    return str(descriptors[0].get("want_authn_requests_signed", "")).lower() in {"true", "1"}


def start(provider: Provider, base_url: str) -> tuple[str, str]:
    """(request id, the address to send the browser to)."""
    try:
        client = client_for(provider, base_url)
        idp = idp_entity_id(client)
        if wants_signed_requests(client, idp) and not signing():
            raise SignInFailed(Failure.SIGNING_KEY_MISSING, f"{idp} wants signed requests")
        request_id, info = client.prepare_for_authenticate(
            entityid=idp,
            binding=BINDING_HTTP_REDIRECT,
            sign=signing(),
            sigalg=SIG_RSA_SHA256 if signing() else None,
        )
    except SignInFailed:
        raise
    except Exception as exc:  # pysaml2 raises plain exceptions for unreadable metadata
        client_for.cache_clear()
        raise SignInFailed(Failure.PROVIDER_UNREACHABLE, repr(exc)) from exc
    cache.set(f"saml-request:{request_id}", provider.slug, REQUEST_TTL)
    return request_id, dict(info["headers"])["Location"]


def complete(
    provider: Provider, base_url: str, *, saml_response: str, request_id: str
) -> tuple[Person, dict]:
    """Check the posted answer: the person it names, and what single logout will need (the
    NameID and the IdP's session index)."""
    if not saml_response or not request_id:
        raise SignInFailed(Failure.SESSION_MISMATCH, "no SAMLResponse or no request cookie")
    client = client_for(provider, base_url)
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: provider.slug}
        )
    except StatusError as exc:
        raise SignInFailed(Failure.PROVIDER_REFUSED, repr(exc)) from exc
    except Exception as exc:  # signature, audience, time, InResponseTo: pysaml2's many kinds
        raise SignInFailed(Failure.INVALID_ANSWER, repr(exc)) from exc
    if response is None or response.assertion is None:
        raise SignInFailed(Failure.INVALID_ANSWER, "no valid assertion")
    if not cache.add(f"saml-assertion:{provider.slug}:{response.assertion.id}", 1, ASSERTION_TTL):
        raise SignInFailed(Failure.REPLAYED, response.assertion.id)
    if not cache.delete(f"saml-request:{request_id}"):
        raise SignInFailed(Failure.SESSION_MISMATCH, f"request {request_id} unknown or used")
    attributes = response.get_identity()
    emails = attributes.get(provider.email_claim) or []
    statements = response.assertion.authn_statement or []
    logout = {
        "name_id": str(response.name_id),  # the NameID element, as XML
        "session_index": (statements[0].session_index if statements else "") or "",
    }
    return Person(
        subject=str(response.name_id.text),
        email=str(emails[0]).strip() if emails else "",
        groups=groups_from(list(attributes.get(provider.groups_claim) or [])),
        first_name=str((attributes.get("givenName") or [""])[0]),
        last_name=str((attributes.get("sn") or [""])[0]),
    ), logout


def metadata_xml(provider: Provider, base_url: str) -> str:
    from saml2.metadata import entity_descriptor

    return str(entity_descriptor(client_for(provider, base_url).config))


def logout_url(
    provider: Provider, base_url: str, *, name_id: str, session_index: str
) -> str | None:
    """SP-initiated single logout: the IdP's SingleLogoutService address (HTTP-Redirect) with
    a LogoutRequest for the person's session, or None when the IdP offers none."""
    try:
        client = client_for(provider, base_url)
        idp = idp_entity_id(client)
        services = client.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
        destination = next(locations(services), None)
        if destination is None:
            return None
        _request_id, request = client.create_logout_request(
            destination,
            idp,
            name_id=name_id_from_string(name_id),
            session_indexes=[session_index] if session_index else None,
            sign=False,  # HTTP-Redirect: the signature goes in the query (below)
        )
        info = client.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(request),
            destination,
            sign=signing(),
            sigalg=SIG_RSA_SHA256 if signing() else None,
        )
    except Exception as exc:  # Labb's session is already over: log, and skip the IdP's
        logger.warning("SAML single logout not started: %r", exc)
        return None
    return dict(info["headers"])["Location"]


def logout_done(provider: Provider, base_url: str, *, saml_response: str) -> bool:
    """Whether the IdP's LogoutResponse is valid and says success."""
    try:
        response = client_for(provider, base_url).parse_logout_request_response(
            saml_response, BINDING_HTTP_REDIRECT
        )
    except Exception as exc:
        logger.warning("SAML LogoutResponse refused: %r", exc)
        return False
    return response is not None and response.status_ok()


def idp_logout_request(
    provider: Provider,
    base_url: str,
    *,
    binding: str,
    saml_request: str,
    relay_state: str | None,
    sigalg: str | None,
    signature: str | None,
) -> tuple[LogoutRequest, str]:
    """Check a LogoutRequest the IdP started: signed (the query signature for HTTP-Redirect,
    an XML signature for HTTP-POST) by the provider's IdP and addressed to this SLO service.
    Returns the checked request and the NameID's value it names; raises ValueError."""
    client = client_for(provider, base_url)
    idp = idp_entity_id(client)
    receivers = client.config.endpoint("single_logout_service", binding, "sp")
    request = LogoutRequest(
        client.sec,
        receivers,
        client.config.attribute_converters,
        timeslack=settings.LABB_SIGNIN_CLOCK_SKEW,
    )
    if binding == BINDING_HTTP_REDIRECT and not _redirect_signed_by(
        client, idp, saml_request, relay_state, sigalg, signature
    ):
        raise ValueError("LogoutRequest's query signature missing or wrong")
    try:
        xml = client.unravel(saml_request, binding, LogoutRequest.msgtype)
        # HTTP-POST: the XML signature must be there and verify with a certificate in the
        # metadata (pysaml2 asks this only of an IdP's requests unless told: must=True).
        request.loads(xml, binding, origdoc=saml_request, must=binding == BINDING_HTTP_POST)
        request.verify()
    except Exception as exc:
        raise ValueError(f"LogoutRequest refused: {exc!r} ({exc.__cause__!r})") from exc
    message = request.message
    if message is None or message.issuer is None or message.issuer.text != idp:
        raise ValueError("LogoutRequest not issued by the provider's IdP")
    if message.name_id is None or not message.name_id.text:
        raise ValueError("LogoutRequest names nobody")
    return request, str(message.name_id.text)


def _redirect_signed_by(
    client: Saml2Client,
    idp: str,
    saml_request: str,
    relay_state: str | None,
    sigalg: str | None,
    signature: str | None,
) -> bool:
    """Whether an HTTP-Redirect message's query signature verifies with a signing
    certificate of `idp` in the metadata. (pysaml2's own check needs a key of Labb's even
    to verify; this needs only the IdP's certificate.)"""
    if not sigalg or not signature or sigalg not in SIGNER_ALGS:
        return False
    signed = {"SAMLRequest": saml_request, "RelayState": relay_state, "SigAlg": sigalg}
    # What the IdP signed: the query's parameters in this order (SAML bindings, 3.4.4.1).
    text = "&".join(urlencode({k: signed[k]}) for k in REQ_ORDER if signed[k] is not None)
    try:
        raw_signature = base64.b64decode(signature, validate=True)
    except ValueError:
        return False
    signer = SIGNER_ALGS[sigalg]
    for _name, cert in client.metadata.certs(idp, "idpsso", "signing"):
        key = extract_rsa_key_from_x509_cert(pem_format(cert))
        try:  # the key is passed in: the shared signer's own key is left alone
            if signer.verify(text.encode("ascii"), raw_signature, key):
                return True
        except Exception as exc:  # cryptography's InvalidSignature and the like
            logger.info("SAML query signature does not verify: %r", exc)
    return False


def logout_response_url(
    provider: Provider, base_url: str, request: LogoutRequest, *, ended: bool, relay_state: str
) -> str:
    """The IdP's SingleLogoutService address with Labb's LogoutResponse (HTTP-Redirect):
    success, or UnknownPrincipal when Labb had no session for that person."""
    client = client_for(provider, base_url)
    idp = idp_entity_id(client)
    services = client.metadata.single_logout_service(idp, BINDING_HTTP_REDIRECT, "idpsso")
    destination = next(locations(services))
    from saml2.samlp import Status, StatusCode

    status = Status(status_code=StatusCode(value=STATUS_SUCCESS))
    if not ended:  # a second-level code under Requester (SAML core, 3.2.2.2)
        status = Status(
            status_code=StatusCode(
                value=STATUS_REQUESTER, status_code=StatusCode(value=STATUS_UNKNOWN_PRINCIPAL)
            )
        )
    response = client.create_logout_response(
        request.message, [BINDING_HTTP_REDIRECT], status=status, sign=False
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        destination,
        relay_state,
        response=True,
        sign=signing(),
        sigalg=SIG_RSA_SHA256 if signing() else None,
    )
    return dict(info["headers"])["Location"]
