"""Who may see or steer a workshop, its exports and its phones. Every view goes through one
of these helpers.

A workshop and its exports follow the rule of their challenge (`challenges/access.py`,
where the membership rule is written once): who may see the challenge may see the workshop
read only (staff included); who may change the challenge may steer the workshop. A
participant has no account: the session remembers which participant a browser joined as.
"""

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from challenges.access import can_edit_challenge, challenges_editable_by, challenges_visible_to
from workshops.models import Export, Participant, Workshop

SESSION_KEY = "labb_participants"


def workshops_editable_by(user) -> QuerySet[Workshop]:
    return Workshop.objects.filter(challenge__in=challenges_editable_by(user).values("pk"))


def workshops_visible_to(user) -> QuerySet[Workshop]:
    return Workshop.objects.filter(challenge__in=challenges_visible_to(user).values("pk"))


def get_workshop_for_facilitator(request: HttpRequest, pk: int) -> Workshop:
    """A workshop the logged-in user may steer (a facilitator of its organisation)."""
    return get_object_or_404(
        workshops_editable_by(request.user).select_related("challenge__organisation"), pk=pk
    )


def get_workshop_for_viewer(request: HttpRequest, pk: int) -> Workshop:
    """A workshop the logged-in user may look at (staff included, read only)."""
    return get_object_or_404(
        workshops_visible_to(request.user).select_related("challenge__organisation"), pk=pk
    )


def can_edit_workshop(user, workshop: Workshop) -> bool:
    return can_edit_challenge(user, workshop.challenge_id)


def participant_id_for(request: HttpRequest, workshop_id: int) -> int | None:
    return request.session.get(SESSION_KEY, {}).get(str(workshop_id))


def remember_participant(request: HttpRequest, participant: Participant) -> None:
    joined = dict(request.session.get(SESSION_KEY, {}))
    joined[str(participant.workshop_id)] = participant.pk
    request.session[SESSION_KEY] = joined


def get_participant(request: HttpRequest, workshop_id: int) -> Participant:
    """The participant this browser joined `workshop_id` as, or 404."""
    participant_id = participant_id_for(request, workshop_id)
    if participant_id is None:
        raise Http404
    participant = (
        Participant.objects.select_related("workshop__challenge", "group")
        .filter(pk=participant_id, workshop_id=workshop_id, workshop__disposed_at=None)
        .first()
    )
    if participant is None:
        raise Http404
    return participant


def exports_of(challenges: QuerySet) -> QuerySet[Export]:
    """Exports of these challenges and of their workshops."""
    ids = challenges.values("pk")
    return Export.objects.select_related("workshop__challenge", "challenge").filter(
        Q(workshop__challenge__in=ids) | Q(challenge__in=ids)
    )


def get_export_for_viewer(request: HttpRequest, pk: int) -> Export:
    """An export of a workshop or challenge the user may see (staff may download)."""
    return get_object_or_404(exports_of(challenges_visible_to(request.user)), pk=pk)


def get_export_for_facilitator(request: HttpRequest, pk: int) -> Export:
    return get_object_or_404(exports_of(challenges_editable_by(request.user)), pk=pk)


def can_manage_export(user, export: Export) -> bool:
    """May `user` start this export again (a facilitator of its challenge)?"""
    return can_edit_challenge(user, export.challenge_id or export.workshop.challenge_id)
