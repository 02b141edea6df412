"""Sign-ins and failed sign-ins, from Django's own signals: they fire for every sign-in
method (the login form, the identity providers of `accounts/`, the admin)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from audit.events import Action, record


def _organisation_ids(user) -> list[int]:
    return list(user.memberships.values_list("organisation_id", flat=True))


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def signed_in(sender, request, user, **kwargs) -> None:
    # One event per organisation of the user, so each organisation's trail shows its
    # members' sign-ins; a user of no organisation gets one event without one.
    for organisation_id in _organisation_ids(user) or [None]:
        record(action=Action.SIGNED_IN, actor=user, organisation_id=organisation_id)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """A failed sign-in for a known account is recorded against that account. What was
    typed for an unknown account is not kept (it may be a mistyped password): the event
    says only that a sign-in failed."""
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username")
    user = None
    if isinstance(username, str) and username:
        user = (
            get_user_model()
            ._default_manager.filter(**{f"{get_user_model().USERNAME_FIELD}__iexact": username})
            .first()
        )
    if user is None:
        record(action=Action.SIGN_IN_FAILED)
        return
    for organisation_id in _organisation_ids(user) or [None]:
        # The account's owner did not act: it is named as the object, not the actor.
        record(
            action=Action.SIGN_IN_FAILED,
            organisation_id=organisation_id,
            target=user,
            label=user.get_username(),
        )
