"""The facilitation rules and the writes that steer a session: phases, the timer, the
projector's spotlight and whether writing is open.

Who sees what, by phase:
- Prepare and Write are private: a phone sees only its own notes, and *every* board screen
  (the facilitator's board and the projector share one stream, and a facilitator's laptop is
  often mirrored to the projector) gets only counts per group and column, never texts.
  The facilitator reads pending notes on the screening page when screening is on.
- From Reveal on, boards get every visible note, and phones fetch their group's board.
- A phase change is one small `phase` event to every screen; each screen then fetches its
  own stage (phones with a random delay), which is cheaper than pushing board HTML to
  hundreds of phones that each show only a part of it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import Action, record
from workshops.live.emit import emit
from workshops.live.events import (
    PhaseChanged,
    SpotlightChanged,
    StatusChanged,
    TimerChanged,
)
from workshops.models import Participant, Workshop, texts_revealed
from workshops.services.joins import unique_join_code

Phase = Workshop.Phase


PHASE_ORDER: list[str] = [p.value for p in Phase]


# Phases in which participants may add notes (voting on a moving target is unfair).
WRITING_PHASES = frozenset({Phase.PREPARE, Phase.WRITE, Phase.REVEAL, Phase.CLUSTER})


MAX_TIMER_SECONDS = 4 * 3600


def is_revealed(workshop: Workshop) -> bool:
    return texts_revealed(workshop)


def timer_remaining(workshop: Workshop, *, now: datetime.datetime | None = None) -> int | None:
    """Seconds left on the timer, or None when no timer is set."""
    if workshop.timer_paused_remaining is not None:
        return max(0, int(workshop.timer_paused_remaining.total_seconds()))
    if workshop.timer_ends_at is None:
        return None
    now = now or timezone.now()
    return max(0, int((workshop.timer_ends_at - now).total_seconds() + 0.999))


def writing_locked_by_timer(workshop: Workshop) -> bool:
    return (
        workshop.timer_locks_writing
        and workshop.timer_ends_at is not None
        and workshop.timer_paused_remaining is None
        and workshop.timer_ends_at <= timezone.now()
    )


def writing_state(workshop: Workshop) -> str:
    """The one status of writing that every screen words for its role
    (`_writing_status.html`): "closed", "paused" (by the facilitator), "timer" (a locking
    timer ran out), a phase without writing ("vote", "next_steps") or "open"."""
    if workshop.is_closed or workshop.disposed_at is not None:
        return "closed"
    if workshop.phase not in WRITING_PHASES:
        return str(workshop.phase)
    if not workshop.accepting_notes:
        return "paused"
    if writing_locked_by_timer(workshop):
        return "timer"
    return "open"


def participant_may_write(workshop: Workshop) -> bool:
    return (
        workshop.is_open_for_notes
        and workshop.phase in WRITING_PHASES
        and not writing_locked_by_timer(workshop)
    )


def participant_may_cluster(participant: Participant) -> bool:
    workshop = participant.workshop
    return (
        workshop.participants_can_cluster
        and workshop.phase == Phase.CLUSTER
        and participant.group_id is not None
    )


def totals_visible(workshop: Workshop) -> bool:
    return not workshop.votes_hidden or workshop.phase != Phase.VOTE


SPOTLIGHT_VOTES = "votes"


def spotlight_targets(workshop: Workshop) -> list[tuple[str, str]]:
    """What the projector can show, in the order the facilitator steps through it:
    (value, label) pairs, the overview first."""
    targets = [("", _("All groups"))]
    if is_revealed(workshop):
        targets += [(f"group:{g.pk}", g.name) for g in workshop.groups.all()]
    if workshop.phase in (Phase.CLUSTER, Phase.VOTE, Phase.NEXT_STEPS, Phase.CLOSED):
        targets += [
            (f"theme:{t.pk}", _("Theme: %(name)s") % {"name": t.name})
            for t in workshop.themes.all()
        ]
    if workshop.phase in (Phase.VOTE, Phase.NEXT_STEPS, Phase.CLOSED):
        targets.append((SPOTLIGHT_VOTES, _("Vote result")))
    return targets


def spotlight_set(*, workshop: Workshop, target: str = "", step: int = 0) -> Workshop:
    """Show one group, one theme or the vote result large on the projector ("" = all).

    `step` (+1 / -1) moves from the current spotlight to the next or previous target.
    """
    targets = [value for value, _label in spotlight_targets(workshop)]
    if step:
        current = workshop.spotlight if workshop.spotlight in targets else ""
        target = targets[(targets.index(current) + step) % len(targets)]
    if target not in targets:
        raise ValidationError(_("The projector cannot show that now."))
    with transaction.atomic():
        Workshop.objects.filter(pk=workshop.pk).update(spotlight=target)
        workshop.spotlight = target
        emit(workshop=workshop, event=SpotlightChanged(target=target))
    return workshop


def phase_set(*, workshop: Workshop, phase: str, actor=None) -> Workshop:
    """Move the workshop to `phase` (forwards or back). Closing kills the join code."""
    if phase not in PHASE_ORDER:
        raise ValidationError(_("Unknown phase."))
    if workshop.disposed_at is not None:
        raise ValidationError(_("This workshop's notes have been removed."))
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if workshop.phase == phase:
            return workshop
        # A new phase starts on the projector's overview of it.
        workshop.spotlight = ""
        fields = ["phase", "spotlight", "updated_at"]
        if phase == Phase.CLOSED:
            workshop.join_code = None
            workshop.timer_ends_at = None
            workshop.timer_paused_remaining = None
            fields += ["join_code", "timer_ends_at", "timer_paused_remaining"]
        elif workshop.phase == Phase.CLOSED and workshop.kind == Workshop.Kind.LIVE:
            workshop.join_code = unique_join_code()
            fields.append("join_code")
        previous = workshop.phase
        workshop.phase = phase
        workshop.save(update_fields=fields)
        emit(workshop=workshop, event=PhaseChanged(phase=phase))
        record(
            action=Action.PHASE_CHANGED,
            actor=actor,
            organisation_id=workshop.challenge.organisation_id,
            target=workshop,
            detail={"from": previous, "to": phase},
        )
    return workshop


def phase_neighbours(workshop: Workshop) -> tuple[str | None, str | None]:
    index = PHASE_ORDER.index(workshop.phase)
    previous = PHASE_ORDER[index - 1] if index > 0 else None
    following = PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None
    return previous, following


def workshop_set_accepting(*, workshop: Workshop, accepting: bool) -> Workshop:
    with transaction.atomic():
        workshop.accepting_notes = accepting
        workshop.save(update_fields=["accepting_notes", "updated_at"])
        emit(workshop=workshop, event=StatusChanged())
    return workshop


def _timer_event(workshop: Workshop) -> None:
    emit(workshop=workshop, event=TimerChanged())


def _check_seconds(seconds: int) -> int:
    if not 1 <= seconds <= MAX_TIMER_SECONDS:
        raise ValidationError(_("A timer runs between 1 second and 4 hours."))
    return seconds


def timer_start(*, workshop: Workshop, seconds: int, locks_writing: bool = False) -> Workshop:
    _check_seconds(seconds)
    with transaction.atomic():
        workshop.timer_ends_at = timezone.now() + datetime.timedelta(seconds=seconds)
        workshop.timer_paused_remaining = None
        workshop.timer_locks_writing = locks_writing
        workshop.save(
            update_fields=[
                "timer_ends_at",
                "timer_paused_remaining",
                "timer_locks_writing",
                "updated_at",
            ]
        )
        _timer_event(workshop)
    return workshop


def timer_pause(*, workshop: Workshop) -> Workshop:
    if workshop.timer_ends_at is None:
        raise ValidationError(_("No timer is running."))
    with transaction.atomic():
        left = max(datetime.timedelta(0), workshop.timer_ends_at - timezone.now())
        workshop.timer_paused_remaining = left
        workshop.timer_ends_at = None
        workshop.save(update_fields=["timer_ends_at", "timer_paused_remaining", "updated_at"])
        _timer_event(workshop)
    return workshop


def timer_resume(*, workshop: Workshop) -> Workshop:
    if workshop.timer_paused_remaining is None:
        raise ValidationError(_("The timer is not paused."))
    with transaction.atomic():
        workshop.timer_ends_at = timezone.now() + workshop.timer_paused_remaining
        workshop.timer_paused_remaining = None
        workshop.save(update_fields=["timer_ends_at", "timer_paused_remaining", "updated_at"])
        _timer_event(workshop)
    return workshop


def timer_extend(*, workshop: Workshop, seconds: int) -> Workshop:
    _check_seconds(seconds)
    delta = datetime.timedelta(seconds=seconds)
    if workshop.timer_paused_remaining is not None:
        workshop.timer_paused_remaining += delta
    elif workshop.timer_ends_at is not None:
        # A timer that already ran out starts again from now.
        workshop.timer_ends_at = max(workshop.timer_ends_at, timezone.now()) + delta
    else:
        return timer_start(
            workshop=workshop, seconds=seconds, locks_writing=workshop.timer_locks_writing
        )
    if timer_remaining(workshop) > MAX_TIMER_SECONDS:
        raise ValidationError(_("A timer runs between 1 second and 4 hours."))
    with transaction.atomic():
        workshop.save(update_fields=["timer_ends_at", "timer_paused_remaining", "updated_at"])
        _timer_event(workshop)
    return workshop


def timer_stop(*, workshop: Workshop) -> Workshop:
    with transaction.atomic():
        workshop.timer_ends_at = None
        workshop.timer_paused_remaining = None
        workshop.save(update_fields=["timer_ends_at", "timer_paused_remaining", "updated_at"])
        _timer_event(workshop)
    return workshop
