"""SAML 2.0 with pysaml2 as the service provider: AuthnRequest by HTTP-Redirect, the answer
by HTTP-POST to the assertion consumer service. pysaml2 checks the XML signature (assertions
must be signed), the audience, the destination, InResponseTo against the request this
browser started (its id is in a cookie of this browser), and the times within
LABB_SIGNIN_CLOCK_SKEW. Labb adds the replay check: an assertion id is accepted once."""

from __future__ import annotations

import logging
import shutil
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.mdstore import locations
from saml2.response import StatusError
from saml2.saml import name_id_from_string

from accounts.failures import Failure, SignInFailed
from accounts.providers import Provider
from accounts.signin import Person, groups_from

logger = logging.getLogger("accounts.signin")
REQUEST_TTL = 600  # seconds a started SAML sign-in may take
ASSERTION_TTL = 24 * 3600  # remember used assertion ids longer than any assertion lives


@lru_cache(maxsize=64)
def client_for(provider: Provider, base_url: str) -> Saml2Client:
    """One pysaml2 client per provider and public address (the provider's metadata is
    loaded once per process)."""
    from django.urls import reverse

    def url(name: str) -> str:
        return base_url + reverse(name, kwargs={"slug": provider.slug})

    if provider.saml_metadata_xml:
        metadata = {"inline": [provider.saml_metadata_xml]}
    else:
        metadata = {"remote": [{"url": provider.saml_metadata_url}]}
    config = SPConfig()
    config.load(
        {
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
                        "single_logout_service": [(url("saml_sls"), BINDING_HTTP_REDIRECT)],
                    },
                    "allow_unsolicited": False,
                    "authn_requests_signed": False,
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


def start(provider: Provider, base_url: str) -> tuple[str, str]:
    """(request id, the address to send the browser to)."""
    try:
        client = client_for(provider, base_url)
        request_id, info = client.prepare_for_authenticate(
            entityid=idp_entity_id(client), binding=BINDING_HTTP_REDIRECT
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
        )
        info = client.apply_binding(BINDING_HTTP_REDIRECT, str(request), destination)
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
