"""Every way a sign-in can fail, with the page and the HTTP status each one gets.

The page says what happened in words a facilitator understands and what to do; the log gets
the technical reason. No failure says more to the browser than the page does: an attacker
probing with tampered answers learns only that the answer was refused.
"""

from __future__ import annotations

import logging
from enum import Enum

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.providers import Provider
from audit.events import Action, record
from challenges.models import Organisation

logger = logging.getLogger("accounts.signin")


class Failure(Enum):
    # (HTTP status, title, explanation)
    UNKNOWN_PROVIDER = (
        404,
        _("This sign-in is not set up"),
        _("There is no such way to sign in on this server, or it has been switched off."),
    )
    PROVIDER_REFUSED = (
        400,
        _("The sign-in was cancelled or refused"),
        _(
            "Your organisation's sign-in service did not sign you in. Start again; if it "
            "keeps happening, ask your administrator."
        ),
    )
    SESSION_MISMATCH = (
        400,
        _("The sign-in could not be matched to this browser"),
        _(
            "It may have taken too long, been started in another tab or browser, or the "
            "answer was already used. Start again from the sign-in page."
        ),
    )
    PROVIDER_UNREACHABLE = (
        502,
        _("The sign-in service could not be reached"),
        _(
            "Labb could not talk to your organisation's sign-in service. Try again in a "
            "while; if it keeps happening, tell your administrator."
        ),
    )
    SIGNING_KEY_MISSING = (
        500,
        _("This sign-in needs a key that Labb does not have"),
        _(
            "Your organisation's sign-in service only accepts signed requests, and this "
            "server has no SAML key to sign them with. Tell your administrator."
        ),
    )
    INVALID_ANSWER = (
        400,
        _("The sign-in could not be verified"),
        _(
            "The answer from the sign-in service was not signed correctly, was meant for "
            "another service, or was too old. You have not been signed in. Start again."
        ),
    )
    LOGOUT_REFUSED = (
        400,
        _("The sign-out request could not be verified"),
        _(
            "A request to sign someone out did not come, signed, from this sign-in "
            "service. Nobody has been signed out."
        ),
    )
    REPLAYED = (
        400,
        _("This sign-in answer was already used"),
        _("Each answer from the sign-in service works once. Start again from the sign-in page."),
    )
    MISSING_EMAIL = (
        400,
        _("Your e-mail address is missing"),
        _(
            "The sign-in service did not give Labb a verified e-mail address for you, so "
            "Labb cannot tell which organisation you belong to. Ask your administrator."
        ),
    )
    NOT_MAPPED = (
        403,
        _("You have no role in Labb"),
        _(
            "You signed in, but no rule on this server gives you a role in any "
            "organisation. Ask your administrator to add you. Participants do not need to "
            "sign in: they join a workshop with its code."
        ),
    )
    ACCOUNT_DISABLED = (
        403,
        _("Your account is switched off"),
        _("Your Labb account has been switched off. Ask your administrator."),
    )
    PASSWORD_LOGIN_OFF = (
        403,
        _("Sign-in with a password is switched off"),
        _(
            "This server only signs people in through their organisation. Choose your "
            "organisation on the sign-in page."
        ),
    )

    @property
    def status(self) -> int:
        return self.value[0]


class SignInFailed(Exception):
    def __init__(self, failure: Failure, reason: str = "") -> None:
        super().__init__(f"{failure.name}: {reason}")
        self.failure = failure
        self.reason = reason


def failure_page(
    request: HttpRequest, failure: Failure, *, reason: str = "", provider: Provider | None = None
) -> HttpResponse:
    """The failure's page; the refusal goes to the audit trail of each organisation the
    provider's rules name (the reason, which may name the person, only to the log)."""
    logger.warning("sign-in refused: %s (%s)", failure.name, reason)
    detail = {"failure": failure.name.lower()}
    if provider is not None:
        detail["provider"] = provider.slug
    slugs = {rule.organisation for rule in provider.rules} if provider is not None else set()
    organisation_ids = list(
        Organisation.objects.filter(slug__in=slugs).values_list("pk", flat=True)
    )
    for organisation_id in organisation_ids or [None]:
        record(action=Action.SIGN_IN_FAILED, organisation_id=organisation_id, detail=detail)
    _status, title, text = failure.value
    return render(
        request,
        "accounts/signin_error.html",
        {"title": title, "text": text, "failure": failure.name.lower()},
        status=failure.status,
    )
