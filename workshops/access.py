"""Who may see or steer a workshop. Every view goes through one of these helpers."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from challenges.models import Challenge
from workshops.models import Participant, Workshop

SESSION_KEY = "labb_participants"


def workshops_editable_by(user):
    return Workshop.objects.filter(challenge__in=Challenge.objects.editable_by(user))


def workshops_visible_to(user):
    return Workshop.objects.filter(challenge__in=Challenge.objects.visible_to(user))


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
    return Challenge.objects.editable_by(user).filter(pk=workshop.challenge_id).exists()


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


def _export_queryset(challenges):
    from django.db.models import Q

    from workshops.models import Export

    return Export.objects.select_related("workshop__challenge", "challenge").filter(
        Q(workshop__challenge__in=challenges) | Q(challenge__in=challenges)
    )


def get_export_for_viewer(request: HttpRequest, pk: int):
    """An export of a workshop or challenge the user may see (staff may download)."""
    return get_object_or_404(_export_queryset(Challenge.objects.visible_to(request.user)), pk=pk)


def get_export_for_facilitator(request: HttpRequest, pk: int):
    return get_object_or_404(_export_queryset(Challenge.objects.editable_by(request.user)), pk=pk)
