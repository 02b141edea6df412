"""Joining a workshop: join codes, participants and the group they sit in, and the live
people count per group that boards show before the reveal."""

from __future__ import annotations

import random
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from audit.events import Action, record
from workshops.codes import new_join_code
from workshops.live.emit import emit
from workshops.live.events import PeopleChanged
from workshops.models import (
    Group,
    Participant,
    Workshop,
    texts_revealed,
)


def unique_join_code() -> str:
    for _attempt in range(20):
        code = new_join_code()
        if not Workshop.objects.filter(join_code=code).exists():
            return code
    raise RuntimeError("Could not find a free join code")  # 31**7 codes: practically never


def join_code_regenerate(*, workshop: Workshop, actor=None) -> Workshop:
    if workshop.is_closed:
        raise ValidationError(_("A closed workshop has no join code."))
    with transaction.atomic():
        workshop.join_code = unique_join_code()
        workshop.save(update_fields=["join_code", "updated_at"])
        # The code itself stays out of the trail: it is what lets people in.
        record(
            action=Action.WORKSHOP_CHANGED,
            actor=actor,
            organisation_id=workshop.challenge.organisation_id,
            target=workshop,
            detail={"changed": ["join_code"]},
        )
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
        people_changed(workshop=workshop, group_ids=[group.pk if group else None])
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
    old_group_id = participant.group_id
    with transaction.atomic():
        participant.group = group
        participant.save(update_fields=["group"])
        people_changed(workshop=participant.workshop, group_ids=[old_group_id, group.pk])
    return participant


def people_changed(*, workshop: Workshop, group_ids: Iterable[int | None]) -> None:
    """Tell board screens how many people these groups have now (someone joined or moved),
    one `PeopleChanged` per group, counted in the write's transaction.

    Only the counts table (before the reveal) shows people per group: later a join in a
    full room would be an event for nothing.
    """
    ids = sorted({pk for pk in group_ids if pk is not None})
    if not ids or texts_revealed(workshop):
        return
    people = dict(
        Participant.objects.filter(workshop=workshop, group_id__in=ids)
        .values("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )
    for pk in ids:
        emit(workshop=workshop, event=PeopleChanged(group_id=pk, count=people.get(pk, 0)))
