"""OpenID Connect with Authlib: authorisation code flow with PKCE (S256), state and nonce,
ID token checked against the provider's keys (signature, issuer, audience, expiry within
LABB_SIGNIN_CLOCK_SKEW, nonce, at_hash). Authlib keeps the state, nonce and code verifier
in the Django session until the callback, and drops them there (each works once)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from accounts.failures import Failure, SignInFailed
from accounts.providers import Provider
from accounts.signin import Person, groups_from

HTTP_TIMEOUT = 10  # seconds for each call to the provider (discovery, keys, token)


@lru_cache(maxsize=64)
def client_for(provider: Provider):
    """One Authlib client per provider configuration, kept for the process (it caches the
    discovery document; the keys are fetched again when an unknown key id appears)."""
    oauth = OAuth()
    oauth.register(
        name=provider.slug,
        client_id=provider.client_id,
        client_secret=provider.client_secret or None,
        server_metadata_url=provider.discovery_url,
        client_kwargs={
            "scope": provider.scopes,
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT,
        },
    )
    return oauth.create_client(provider.slug)


def authorize_redirect(request: HttpRequest, provider: Provider, redirect_uri: str) -> HttpResponse:
    try:
        return client_for(provider).authorize_redirect(request, redirect_uri)
    except (requests.RequestException, ValueError) as exc:
        raise SignInFailed(Failure.PROVIDER_UNREACHABLE, repr(exc)) from exc


def verify_id_token(provider: Provider, token: dict, *, nonce: str) -> dict:
    """The ID token's claims, or SignInFailed(INVALID_ANSWER). Used by the callback and by
    the tests that hand it real tokens from the test provider, tampered."""
    if "id_token" not in token:
        raise SignInFailed(Failure.INVALID_ANSWER, "no id_token in the token response")
    try:
        claims = client_for(provider).parse_id_token(
            token, nonce=nonce, leeway=settings.LABB_SIGNIN_CLOCK_SKEW
        )
    except requests.RequestException as exc:
        raise SignInFailed(Failure.PROVIDER_UNREACHABLE, repr(exc)) from exc
    except (JoseError, AuthlibBaseError, ValueError) as exc:
        raise SignInFailed(Failure.INVALID_ANSWER, repr(exc)) from exc
    return dict(claims)


def complete(request: HttpRequest, provider: Provider) -> tuple[Person, str]:
    """Check the callback and the provider's answer; the person and the raw ID token."""
    if request.GET.get("error"):
        raise SignInFailed(
            Failure.PROVIDER_REFUSED,
            f"{request.GET.get('error')[:100]}: {request.GET.get('error_description', '')[:300]}",
        )
    client = client_for(provider)
    try:
        # The nonce check happens inside, with the state's nonce; a token response without
        # an ID token is refused below.
        token = client.authorize_access_token(request, leeway=settings.LABB_SIGNIN_CLOCK_SKEW)
    except MismatchingStateError as exc:
        raise SignInFailed(Failure.SESSION_MISMATCH, repr(exc)) from exc
    except requests.RequestException as exc:
        raise SignInFailed(Failure.PROVIDER_UNREACHABLE, repr(exc)) from exc
    except OAuthError as exc:
        # The token endpoint said no: a code used twice, a wrong secret or PKCE verifier.
        raise SignInFailed(Failure.PROVIDER_REFUSED, repr(exc)) from exc
    except (JoseError, AuthlibBaseError, ValueError) as exc:
        raise SignInFailed(Failure.INVALID_ANSWER, repr(exc)) from exc
    if "id_token" not in token or "userinfo" not in token:
        raise SignInFailed(Failure.INVALID_ANSWER, "no verified id_token")
    claims = token["userinfo"]
    if claims.get("email_verified") is False:
        raise SignInFailed(Failure.MISSING_EMAIL, "email_verified is false")
    email = str(claims.get(provider.email_claim) or "").strip()
    person = Person(
        subject=str(claims["sub"]),
        email=email,
        groups=groups_from(claims.get(provider.groups_claim)),
        first_name=str(claims.get("given_name") or ""),
        last_name=str(claims.get("family_name") or ""),
    )
    return person, token["id_token"]


def logout_url(provider: Provider, *, id_token: str, return_to: str) -> str | None:
    """The provider's end-session address (RP-initiated logout), if it has one."""
    try:
        metadata = client_for(provider).load_server_metadata()
    except (requests.RequestException, ValueError):
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": return_to,
            "client_id": provider.client_id,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
