"""A workshop's groups: adding and renaming them, moving a participant to another."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from workshops.codes import new_group_token
from workshops.live.emit import emit
from workshops.live.events import (
    PHONES,
    GroupAdded,
    GroupChanged,
    PhaseChanged,
)
from workshops.models import (
    Group,
    Participant,
    Workshop,
)
from workshops.services.joins import people_changed

MAX_GROUPS = 30


def group_add(*, workshop: Workshop, name: str = "") -> Group:
    with transaction.atomic():
        count = workshop.groups.select_for_update().count()
        if count >= MAX_GROUPS:
            raise ValidationError(_("A workshop has at most %(max)s groups.") % {"max": MAX_GROUPS})
        position = (workshop.groups.aggregate(top=Max("position"))["top"] or 0) + 1
        group = Group.objects.create(
            workshop=workshop,
            name=name.strip() or _("Group %(number)s") % {"number": position},
            position=position,
            token=new_group_token(),
        )
        emit(workshop=workshop, event=GroupAdded(group_id=group.pk))
    return group


def group_rename(*, group: Group, name: str) -> Group:
    group.name = name.strip()
    group.full_clean()
    with transaction.atomic():
        group.save(update_fields=["name"])
        emit(workshop=group.workshop, event=GroupChanged(group_id=group.pk))
    return group


def participant_move(*, participant: Participant, group: Group) -> Participant:
    if group.workshop_id != participant.workshop_id:
        raise ValidationError(_("That group belongs to another workshop."))
    old_group = participant.group
    with transaction.atomic():
        participant.group = group
        participant.save(update_fields=["group"])
        people_changed(
            workshop=participant.workshop,
            group_ids=[old_group.pk if old_group else None, group.pk],
        )
        # The moved phone (filtered by its old group) refetches its screen.
        if old_group is not None:
            emit(
                workshop=participant.workshop,
                event=PhaseChanged(phase=participant.workshop.phase),
                audience=PHONES,
                group=old_group,
            )
    return participant
