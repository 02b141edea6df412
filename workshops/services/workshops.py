"""Setting up a workshop: its columns (from a board template) and its groups."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Action, record
from challenges.models import Challenge, Organisation
from workshops.board_templates import COLOURS, TEMPLATES, ColumnSpec
from workshops.codes import new_group_token
from workshops.models import (
    Column,
    Group,
    Workshop,
)
from workshops.services.groups import MAX_GROUPS
from workshops.services.joins import unique_join_code


def workshop_create(
    *,
    challenge: Challenge,
    user,
    title: str,
    template_key: str,
    group_count: int,
    question: str = "",
    custom_columns: Sequence[str] = (),
    date: datetime.date | None = None,
    place: str = "",
    kind: str = Workshop.Kind.LIVE,
) -> Workshop:
    organisation = challenge.organisation
    if template_key not in templates_offered(organisation):
        raise ValidationError(_("This organisation does not offer that template."))
    board_template = TEMPLATES[template_key]
    if not 1 <= group_count <= MAX_GROUPS:
        raise ValidationError(
            _("A workshop has between 1 and %(max)s groups.") % {"max": MAX_GROUPS}
        )
    columns = list(board_template.columns)
    if template_key == "custom":
        names = [name.strip() for name in custom_columns if name.strip()]
        if not names:
            raise ValidationError(_("Name at least one column."))
        columns = [
            ColumnSpec(name, "", COLOURS[index % len(COLOURS)]) for index, name in enumerate(names)
        ]
    retention_days = organisation.default_retention_days
    with transaction.atomic():
        workshop = Workshop.objects.create(
            challenge=challenge,
            title=title,
            question=question or str(board_template.question),
            template=template_key,
            kind=kind,
            date=date or timezone.localdate(),
            place=place,
            join_code=unique_join_code() if kind == Workshop.Kind.LIVE else None,
            phase=Workshop.Phase.WRITE if kind == Workshop.Kind.PAPER else Workshop.Phase.PREPARE,
            retain_until=(date or timezone.localdate()) + datetime.timedelta(days=retention_days),
            created_by=user if user and user.is_authenticated else None,
            vote_budget=organisation.default_vote_budget,
        )
        if user and user.is_authenticated:
            workshop.facilitators.add(user)
        Column.objects.bulk_create(
            Column(
                workshop=workshop,
                title=str(spec.title),
                prompt=str(spec.prompt),
                colour=spec.colour,
                position=index,
            )
            for index, spec in enumerate(columns)
        )
        Group.objects.bulk_create(
            Group(
                workshop=workshop,
                name=_("Group %(number)s") % {"number": number},
                position=number,
                token=new_group_token(),
            )
            for number in range(1, group_count + 1)
        )
        record(
            action=Action.WORKSHOP_CREATED,
            actor=user,
            organisation_id=organisation.pk,
            target=workshop,
            detail={"challenge": challenge.pk, "template": template_key, "kind": kind},
        )
    return workshop


def templates_offered(organisation: Organisation) -> list[str]:
    """The template keys the organisation offers (all of them unless its admins chose)."""
    chosen = [key for key in organisation.templates_offered or () if key in TEMPLATES]
    return chosen or list(TEMPLATES)


def workshop_settings_save(*, form, actor) -> Workshop:
    """Save a `WorkshopSettingsForm` and record which settings changed (their names)."""
    with transaction.atomic():
        workshop = form.save()
        if form.changed_data:
            record(
                action=Action.WORKSHOP_CHANGED,
                actor=actor,
                organisation_id=workshop.challenge.organisation_id,
                target=workshop,
                detail={"changed": sorted(form.changed_data)},
            )
    return workshop
