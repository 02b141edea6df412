"""Who may see or change an organisation's challenges: the one place the membership rule lives.

The rule, written once:
- a superuser may see and change everything;
- a facilitator of an organisation may see and change its challenges (private ones too);
- any member of an organisation (facilitator or read-only staff) may see its
  `organisation` challenges; every logged-in user may see `shared` ones;
- anonymous users and participants (who have no account) see nothing here;
- an organisation admin is a facilitator who also manages the organisation's members and
  defaults and reads its audit trail (orgadmin/); a superuser may do so for every one.

Workshops and exports inherit the rule of their challenge (`workshops/access.py` builds on
these functions). Views call these helpers; no other module filters by membership.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from challenges.models import Challenge, Membership, Organisation

# Roles that may create and change challenges and workshops.
LEADING_ROLES = (Membership.Role.FACILITATOR, Membership.Role.ADMIN)


def organisations_led_by(user) -> QuerySet[Organisation]:
    """Organisations where `user` may create and change challenges and workshops."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user=user, role__in=LEADING_ROLES).values("organisation")
    )


def organisations_administered_by(user) -> QuerySet[Organisation]:
    """Organisations whose members, defaults and audit trail `user` may manage."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values(
            "organisation"
        )
    )


def get_organisation_for_admin(request: HttpRequest, slug: str) -> Organisation:
    """An organisation the user administers, or 404 (its existence is not told)."""
    return get_object_or_404(organisations_administered_by(request.user), slug=slug)


def challenges_visible_to(user) -> QuerySet[Challenge]:
    if not user.is_authenticated:
        return Challenge.objects.none()
    if user.is_superuser:
        return Challenge.objects.all()
    member_orgs = Membership.objects.filter(user=user).values("organisation")
    return Challenge.objects.filter(
        Q(visibility=Challenge.Visibility.SHARED)
        | Q(visibility=Challenge.Visibility.ORGANISATION, organisation__in=member_orgs)
        | Q(
            visibility=Challenge.Visibility.PRIVATE,
            organisation__in=organisations_led_by(user).values("pk"),
        )
    )


def challenges_editable_by(user) -> QuerySet[Challenge]:
    if not user.is_authenticated:
        return Challenge.objects.none()
    if user.is_superuser:
        return Challenge.objects.all()
    return Challenge.objects.filter(organisation__in=organisations_led_by(user).values("pk"))


def can_create_challenge(user) -> bool:
    return organisations_led_by(user).exists()


def can_edit_challenge(user, challenge_id: int) -> bool:
    return challenges_editable_by(user).filter(pk=challenge_id).exists()


def get_challenge_for_viewer(request: HttpRequest, pk: int) -> Challenge:
    """A challenge the logged-in user may look at, or 404."""
    return get_object_or_404(
        challenges_visible_to(request.user).select_related("organisation"), pk=pk
    )


def get_challenge_for_editor(request: HttpRequest, pk: int) -> Challenge:
    """A challenge the user may change (a facilitator of its organisation), or 404."""
    return get_object_or_404(
        challenges_editable_by(request.user).select_related("organisation"), pk=pk
    )


def get_membership_for_admin(request: HttpRequest, slug: str, pk: int) -> Membership:
    """A membership of an organisation the user administers, or 404."""
    organisation = get_organisation_for_admin(request, slug)
    return get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        organisation=organisation,
        pk=pk,
    )
