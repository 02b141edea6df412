"""What happens once a provider's answer is verified: the rules give roles, the user is
found by (provider, subject) or created, and the memberships follow the rules.

Memberships in the organisations that a provider's rules name follow the provider at every
sign-in (a person who left the group loses the role); memberships in other organisations,
given in the admin, are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from accounts.failures import Failure, SignInFailed
from accounts.models import ExternalIdentity
from accounts.providers import Provider
from audit.events import Action, record
from challenges.models import Membership, Organisation

# The stronger role wins when several rules match one organisation: the order of the
# choices (facilitator before staff).
ROLE_STRENGTH = {role: -index for index, role in enumerate(Membership.Role.values)}


@dataclass(frozen=True)
class Person:
    """What the provider says about someone, after its answer was verified."""

    subject: str
    email: str
    groups: frozenset[str]
    first_name: str = ""
    last_name: str = ""

    @property
    def email_domain(self) -> str:
        return self.email.rsplit("@", 1)[-1].lower() if "@" in self.email else ""


def roles_for(provider: Provider, person: Person) -> dict[str, str]:
    """Organisation slug → role, from the rules that match the person."""
    roles: dict[str, str] = {}
    for rule in provider.rules:
        if rule.matches(email_domain=person.email_domain, groups=person.groups):
            current = roles.get(rule.organisation)
            if current is None or ROLE_STRENGTH[rule.role] > ROLE_STRENGTH[current]:
                roles[rule.organisation] = rule.role
    return roles


def groups_from(value) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, list | tuple):
        return frozenset(str(v) for v in value)
    return frozenset()


def _new_username(email: str) -> str:
    User = get_user_model()
    base = (email or "user")[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def user_sign_in(*, provider: Provider, person: Person) -> AbstractBaseUser:
    """The Labb user for `person`, created on first sign-in, with memberships from the
    rules. Raises SignInFailed when no rule maps the person or the account is off."""
    if not person.email or "@" not in person.email:
        raise SignInFailed(Failure.MISSING_EMAIL, f"subject {person.subject!r}")
    roles = roles_for(provider, person)
    organisations = {
        o.slug: o
        for o in Organisation.objects.filter(slug__in={r.organisation for r in provider.rules})
    }
    roles = {slug: role for slug, role in roles.items() if slug in organisations}
    if not roles:
        raise SignInFailed(
            Failure.NOT_MAPPED, f"{provider.slug}: {person.email} groups={sorted(person.groups)}"
        )
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider.slug, subject=person.subject)
        .first()
    )
    if identity is None:
        User = get_user_model()
        user = User(
            username=_new_username(person.email),
            email=person.email,
            first_name=person.first_name[:150],
            last_name=person.last_name[:150],
        )
        user.set_unusable_password()
        user.save()
        identity = ExternalIdentity.objects.create(
            user=user, provider=provider.slug, subject=person.subject
        )
    else:
        user = identity.user
        if not user.is_active:
            raise SignInFailed(Failure.ACCOUNT_DISABLED, f"user {user.pk}")
        identity.save(update_fields=["last_seen"])
    for slug, organisation in organisations.items():
        _follow_rules(user, organisation, roles.get(slug), provider=provider)
    return user


def _follow_rules(user, organisation: Organisation, role: str | None, *, provider: Provider):
    """Make the user's membership of `organisation` what the provider's rules say (`role`,
    or none), and record any change in the audit trail as made by the sign-in rules."""
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    previous = membership.role if membership else None
    if role == previous:
        return
    if role is None:
        membership.delete()
        action, detail = Action.MEMBER_REMOVED, {"role": previous}
    elif membership is None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
        action, detail = Action.MEMBER_ADDED, {"role": role}
    else:
        membership.role = role
        membership.save(update_fields=["role"])
        action, detail = Action.ROLE_CHANGED, {"from": previous, "to": role}
    record(
        action=action,
        organisation_id=organisation.pk,
        target=user,
        label=user.get_username(),
        detail={**detail, "by": "sign-in rules", "provider": provider.slug},
    )
