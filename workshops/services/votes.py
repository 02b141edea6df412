"""Dot voting: the rules of a vote, casting and taking back dots."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.events import Action, record
from workshops.boards import vote_progress
from workshops.live.emit import emit
from workshops.live.events import (
    PhaseChanged,
    VoteCast,
)
from workshops.models import (
    Note,
    Participant,
    Theme,
    Vote,
    Workshop,
)
from workshops.services.phases import totals_visible

MAX_VOTE_BUDGET = 20


def voting_configure(
    *,
    workshop: Workshop,
    budget: int,
    stackable: bool,
    hidden: bool,
    themes_only: bool = False,
    actor=None,
) -> Workshop:
    if not 1 <= budget <= MAX_VOTE_BUDGET:
        raise ValidationError(
            _("Each participant has between 1 and %(max)s votes.") % {"max": MAX_VOTE_BUDGET}
        )
    with transaction.atomic():
        workshop.vote_budget = budget
        workshop.votes_stackable = stackable
        workshop.votes_hidden = hidden
        workshop.votes_on_themes_only = themes_only
        workshop.save(
            update_fields=[
                "vote_budget",
                "votes_stackable",
                "votes_hidden",
                "votes_on_themes_only",
                "updated_at",
            ]
        )
        # Phones show the budget and boards show or hide totals: every screen refetches.
        emit(workshop=workshop, event=PhaseChanged(phase=workshop.phase))
        record(
            action=Action.WORKSHOP_CHANGED,
            actor=actor,
            organisation_id=workshop.challenge.organisation_id,
            target=workshop,
            detail={
                "vote_budget": budget,
                "votes_stackable": stackable,
                "votes_hidden": hidden,
                "votes_on_themes_only": themes_only,
            },
        )
    return workshop


def _vote_event(workshop: Workshop) -> None:
    if totals_visible(workshop):
        emit(workshop=workshop, event=VoteCast(totals_visible=True))
    else:
        # Totals stay hidden, but the room's progress does not: how many dots are down and
        # how many people have voted, so the facilitator sees when everyone is done.
        votes, voters, people = vote_progress(workshop)
        emit(
            workshop=workshop,
            event=VoteCast(
                totals_visible=False, votes_cast=votes, voters=voters, participant_count=people
            ),
        )


def _vote_target(workshop: Workshop, *, note_id: int | None, theme_id: int | None):
    if note_id is not None:
        note = Note.objects.filter(
            pk=note_id, workshop=workshop, status=Note.Status.VISIBLE, merged_into=None
        ).first()
        if note is None:
            raise ValidationError(_("That note cannot be voted on."))
        return {"note": note}
    theme = Theme.objects.filter(pk=theme_id, workshop=workshop).first()
    if theme is None:
        raise ValidationError(_("That theme cannot be voted on."))
    return {"theme": theme}


def vote_cast(
    *, participant: Participant, note_id: int | None = None, theme_id: int | None = None
) -> int:
    """Put one dot on a note or theme. Returns the votes left.

    The participant's row is locked, so two taps at once cannot both spend the last vote.
    """
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        workshop = Workshop.objects.get(pk=participant.workshop_id)
        if workshop.phase != Workshop.Phase.VOTE:
            raise PermissionDenied(_("Voting is not open."))
        if note_id is not None and workshop.votes_on_themes_only:
            raise ValidationError(
                _("In this workshop you vote on the themes, not on single notes."),
                code="themes_only",
            )
        target = _vote_target(workshop, note_id=note_id, theme_id=theme_id)
        used = Vote.objects.filter(participant=participant).count()
        if used >= workshop.vote_budget:
            raise ValidationError(_("You have used all your votes."), code="budget")
        if (
            not workshop.votes_stackable
            and Vote.objects.filter(participant=participant, **target).exists()
        ):
            raise ValidationError(_("You can put only one vote on each."), code="stack")
        Vote.objects.create(workshop=workshop, participant=participant, **target)
        _vote_event(workshop)
    return workshop.vote_budget - used - 1


def vote_retract(
    *, participant: Participant, note_id: int | None = None, theme_id: int | None = None
) -> int:
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        workshop = Workshop.objects.get(pk=participant.workshop_id)
        if workshop.phase != Workshop.Phase.VOTE:
            raise PermissionDenied(_("Voting is not open."))
        target = _vote_target(workshop, note_id=note_id, theme_id=theme_id)
        vote = Vote.objects.filter(participant=participant, **target).order_by("-pk").first()
        if vote is None:
            raise ValidationError(_("You have no vote there to take back."))
        vote.delete()
        _vote_event(workshop)
        used = Vote.objects.filter(participant=participant).count()
    return workshop.vote_budget - used
