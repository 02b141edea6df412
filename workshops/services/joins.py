"""Joining a workshop: join codes, participants and the group they sit in."""

from __future__ import annotations

import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workshops.codes import new_join_code
from workshops.models import (
    Group,
    Participant,
    Workshop,
)


def unique_join_code() -> str:
    for _attempt in range(20):
        code = new_join_code()
        if not Workshop.objects.filter(join_code=code).exists():
            return code
    raise RuntimeError("Could not find a free join code")  # 31**7 codes: practically never


def join_code_regenerate(*, workshop: Workshop) -> Workshop:
    if workshop.is_closed:
        raise ValidationError(_("A closed workshop has no join code."))
    workshop.join_code = unique_join_code()
    workshop.save(update_fields=["join_code", "updated_at"])
    return workshop


def participant_join(
    *, workshop: Workshop, display_name: str = "", group: Group | None = None
) -> Participant:
    if workshop.is_closed or workshop.disposed_at is not None:
        raise ValidationError(_("This workshop is closed."))
    with transaction.atomic():
        if group is None and workshop.group_assignment != Workshop.GroupAssignment.CHOOSE:
            group = _assign_group(workshop)
        participant = Participant.objects.create(
            workshop=workshop, display_name=display_name.strip(), group=group
        )
    return participant


def _assign_group(workshop: Workshop) -> Group | None:
    groups = list(workshop.groups.select_for_update().order_by("position", "pk"))
    if not groups:
        return None
    if workshop.group_assignment == Workshop.GroupAssignment.RANDOM:
        return random.choice(groups)  # noqa: S311 - spreading people, not a secret
    count = workshop.participants.count()
    return groups[count % len(groups)]


def participant_check_may_choose_group(participant: Participant) -> None:
    """Refuse when the participant may not pick their group on the phone: the facilitator
    has the groups assigned automatically, and that assignment stands. A participant who got
    no group (they joined before there were any groups) still chooses one."""
    if (
        participant.group_id is not None
        and participant.workshop.group_assignment != Workshop.GroupAssignment.CHOOSE
    ):
        raise PermissionDenied(
            _(
                "The facilitator assigns the groups in this workshop. "
                "Ask the facilitator if you need to move."
            )
        )


def participant_choose_group(*, participant: Participant, group: Group) -> Participant:
    """The participant picks (or changes) their group on the phone."""
    participant_check_may_choose_group(participant)
    return participant_set_group(participant=participant, group=group)


def participant_set_group(*, participant: Participant, group: Group) -> Participant:
    """Put the participant in `group`: through a group link the facilitator handed out, which
    is the facilitator's own choice of group, whatever the assignment setting."""
    if group.workshop_id != participant.workshop_id:
        raise ValidationError(_("That group belongs to another workshop."))
    participant.group = group
    participant.save(update_fields=["group"])
    return participant
