"""The organisation admin's writes: members and their roles, the organisation's
defaults. Each records its audit event in the same transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.events import Action, record
from challenges.models import Membership, Organisation


def _check_keeps_an_admin(membership: Membership) -> None:
    """An organisation never loses its last admin: nobody could manage it any more."""
    if membership.role != Membership.Role.ADMIN:
        return
    others = (
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(_("An organisation keeps at least one admin."))


def member_add(*, organisation: Organisation, user, role: str, actor) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.create(user=user, organisation=organisation, role=role)
        record(
            action=Action.MEMBER_ADDED,
            actor=actor,
            organisation_id=organisation.pk,
            target=user,
            label=user.get_username(),
            detail={"role": role},
        )
    return membership


def member_set_role(*, membership: Membership, role: str, actor) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(_("Choose one of the roles."))
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == role:
            return membership
        if role != Membership.Role.ADMIN:
            _check_keeps_an_admin(membership)
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record(
            action=Action.ROLE_CHANGED,
            actor=actor,
            organisation_id=membership.organisation_id,
            target=membership.user,
            label=membership.user.get_username(),
            detail={"from": previous, "to": role},
        )
    return membership


def member_remove(*, membership: Membership, actor) -> None:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        )
        _check_keeps_an_admin(membership)
        membership.delete()
        record(
            action=Action.MEMBER_REMOVED,
            actor=actor,
            organisation_id=membership.organisation_id,
            target=membership.user,
            label=membership.user.get_username(),
            detail={"role": membership.role},
        )


def organisation_defaults_save(*, form, actor) -> Organisation:
    """Save an `OrganisationDefaultsForm` and record which defaults changed, and to what."""
    with transaction.atomic():
        organisation = form.save()
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if changed:
            record(
                action=Action.DEFAULTS_CHANGED,
                actor=actor,
                organisation_id=organisation.pk,
                target=organisation,
                detail=changed,
            )
    return organisation
