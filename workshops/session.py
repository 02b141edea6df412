"""Steering a live session: phases, reveal, timer, screening, groups, themes, votes, next steps.

Every function here is a write with side effects (keyword-only, typed), like `services.py`.
Live changes go through `services.live_event_emit`, so they are stored for replay and
published on commit.

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
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from labb.text import clean_text
from workshops.live_events import LiveEventName
from workshops.models import (
    ActionItem,
    Group,
    LiveEvent,
    Note,
    Participant,
    SuggestionRejection,
    Theme,
    ThemeMove,
    Vote,
    Workshop,
)

Phase = Workshop.Phase
PHASE_ORDER: list[str] = [p.value for p in Phase]
# Phases in which the texts of notes are shown on boards and phones.
REVEALED_PHASES = frozenset(
    {Phase.REVEAL, Phase.CLUSTER, Phase.VOTE, Phase.NEXT_STEPS, Phase.CLOSED}
)
# Phases in which participants may add notes (voting on a moving target is unfair).
WRITING_PHASES = frozenset({Phase.PREPARE, Phase.WRITE, Phase.REVEAL, Phase.CLUSTER})
MAX_TIMER_SECONDS = 4 * 3600
MAX_VOTE_BUDGET = 20
# A move takes at most this many notes at once (a whole wall of a large workshop).
MAX_MOVE_NOTES = 2000


def is_revealed(workshop: Workshop) -> bool:
    # A paper workshop is typed in afterwards by the facilitator: there is no room to hide from.
    return workshop.phase in REVEALED_PHASES or workshop.kind == Workshop.Kind.PAPER


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


def _emit(
    workshop: Workshop, name: LiveEventName, audience: str, template: str, context: dict, group=None
):
    from workshops.services import live_event_emit

    return live_event_emit(
        workshop=workshop,
        name=name,
        audience=audience,
        template=template,
        context={"workshop": workshop, **context},
        group=group,
    )


# --- Phases ------------------------------------------------------------------------------


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
        _emit(
            workshop,
            LiveEventName.SPOTLIGHT,
            LiveEvent.Audience.BOARD,
            "workshops/live/refresh.html",
            {},
        )
    return workshop


def phase_set(*, workshop: Workshop, phase: str) -> Workshop:
    """Move the workshop to `phase` (forwards or back). Closing kills the join code."""
    from workshops.services import _unique_join_code

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
            workshop.join_code = _unique_join_code()
            fields.append("join_code")
        workshop.phase = phase
        workshop.save(update_fields=fields)
        _emit(
            workshop, LiveEventName.PHASE, LiveEvent.Audience.ALL, "workshops/live/phase.html", {}
        )
    return workshop


def phase_neighbours(workshop: Workshop) -> tuple[str | None, str | None]:
    index = PHASE_ORDER.index(workshop.phase)
    previous = PHASE_ORDER[index - 1] if index > 0 else None
    following = PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None
    return previous, following


# --- Counts while writing -----------------------------------------------------------------


def counts_emit(*, note: Note) -> None:
    """Tell board screens how many notes one group has in one column (not what they say)."""
    count = Note.objects.filter(
        workshop_id=note.workshop_id,
        group_id=note.group_id,
        column_id=note.column_id,
        status__in=(Note.Status.VISIBLE, Note.Status.PENDING),
    ).count()
    total = Note.objects.filter(
        workshop_id=note.workshop_id,
        group_id=note.group_id,
        status__in=(Note.Status.VISIBLE, Note.Status.PENDING),
    ).count()
    _emit(
        note.workshop,
        LiveEventName.COUNTS,
        LiveEvent.Audience.BOARD,
        "workshops/live/counts.html",
        {"group_id": note.group_id, "column_id": note.column_id, "count": count, "total": total},
    )


# --- Timer -------------------------------------------------------------------------------


def _timer_event(workshop: Workshop) -> None:
    _emit(workshop, LiveEventName.TIMER, LiveEvent.Audience.ALL, "workshops/live/timer.html", {})


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


# --- Screening ---------------------------------------------------------------------------


def notes_screen(*, workshop: Workshop, note_ids: Iterable[int], approve: bool) -> int:
    """Approve (show) or hide several pending notes at once. Returns how many changed."""
    from workshops.services import note_set_status

    status = Note.Status.VISIBLE if approve else Note.Status.HIDDEN
    notes = list(
        workshop.notes.select_related("workshop", "group")
        .filter(pk__in=list(note_ids))
        .exclude(status=status)
    )
    with transaction.atomic():
        for note in notes:
            note_set_status(note=note, status=status)
    return len(notes)


# --- Groups ------------------------------------------------------------------------------


def participant_move(*, participant: Participant, group: Group) -> Participant:
    if group.workshop_id != participant.workshop_id:
        raise ValidationError(_("That group belongs to another workshop."))
    old_group = participant.group
    with transaction.atomic():
        participant.group = group
        participant.save(update_fields=["group"])
        # The moved phone (filtered by its old group) refetches its screen.
        if old_group is not None:
            _emit(
                participant.workshop,
                LiveEventName.PHASE,
                LiveEvent.Audience.PHONES,
                "workshops/live/phase.html",
                {},
                group=old_group,
            )
    return participant


# --- Themes ------------------------------------------------------------------------------


def _theme_event(workshop: Workshop) -> None:
    _emit(
        workshop, LiveEventName.THEME, LiveEvent.Audience.BOARD, "workshops/live/refresh.html", {}
    )


def _clean_name(name: str) -> str:
    name = clean_text(name or "").strip()
    if not name:
        raise ValidationError(_("Give the theme a name."))
    if len(name) > 120:
        raise ValidationError(_("A theme name has at most 120 characters."))
    return name


def _workshop_notes(workshop: Workshop, note_ids: Iterable[int]):
    ids = [int(i) for i in note_ids]
    notes = workshop.notes.filter(pk__in=ids, status=Note.Status.VISIBLE)
    if notes.count() != len(set(ids)):
        raise ValidationError(_("Some of those notes are not on this workshop's boards."))
    return notes


def theme_create(*, workshop: Workshop, name: str, note_ids: Iterable[int] = ()) -> Theme:
    name = _clean_name(name)
    with transaction.atomic():
        position = (workshop.themes.aggregate(top=Max("position"))["top"] or 0) + 1
        theme = Theme.objects.create(workshop=workshop, name=name, position=position)
        ids = list(note_ids)
        if ids:
            notes = _workshop_notes(workshop, ids)
            notes.update(theme=theme)
            Note.objects.filter(merged_into__in=ids).update(theme=theme)
        _theme_event(workshop)
    return theme


def theme_rename(*, theme: Theme, name: str) -> Theme:
    theme.name = _clean_name(name)
    with transaction.atomic():
        theme.save(update_fields=["name"])
        _theme_event(theme.workshop)
    return theme


def theme_merge(*, theme: Theme, into: Theme) -> Theme:
    """Move every note and vote of `theme` to `into`, then remove `theme`."""
    if theme.pk == into.pk or theme.workshop_id != into.workshop_id:
        raise ValidationError(_("Choose another theme of this workshop to merge into."))
    with transaction.atomic():
        theme.notes.update(theme=into)
        Vote.objects.filter(theme=theme).update(theme=into)
        ActionItem.themes.through.objects.filter(theme=theme).exclude(
            actionitem__in=into.action_items.all()
        ).update(theme=into)
        theme.delete()
        _theme_event(into.workshop)
    return into


def theme_dissolve(*, theme: Theme) -> None:
    """Remove the theme; its notes go back to being unthemed."""
    workshop = theme.workshop
    with transaction.atomic():
        theme.notes.update(theme=None)
        theme.delete()
        _theme_event(workshop)


def note_set_theme(*, note: Note, theme: Theme | None) -> Note:
    if theme is not None and theme.workshop_id != note.workshop_id:
        raise ValidationError(_("That theme belongs to another workshop."))
    with transaction.atomic():
        note.theme = theme
        note.save(update_fields=["theme", "updated_at"])
        # Duplicates travel with the note they were merged into.
        note.duplicates.update(theme=theme)
        _theme_event(note.workshop)
    return note


def _move_event(workshop: Workshop, note_ids: Iterable[int], theme_ids: set[int | None]) -> dict:
    """The moved cards and the counts of the themes they left and joined, swapped in place
    on the wall (`static/labb/wall.js`); the projector fetches its stage again. Returns
    them, so the facilitator's own reply shows the same without reading them again."""
    from workshops import wall

    counts = wall.theme_counts(workshop)
    changed = {
        "cards": wall.cards(workshop, note_ids),
        "counts": [(pk, counts.get(pk, 0)) for pk in sorted(theme_ids, key=lambda i: i or 0)],
    }
    _emit(
        workshop,
        LiveEventName.THEME_MOVE,
        LiveEvent.Audience.BOARD,
        "workshops/live/theme_move.html",
        changed,
    )
    return changed


def _visible_top_notes(workshop: Workshop, note_ids: Iterable[int]) -> dict[int, int | None]:
    """note id → theme id of these notes, locked; refused unless all are visible top-level
    notes of this workshop (a duplicate moves with the note it was merged into)."""
    try:
        ids = sorted({int(i) for i in note_ids})
    except (TypeError, ValueError):
        raise ValidationError(_("Some of those notes are not on this workshop's boards.")) from None
    if not ids:
        raise ValidationError(_("Choose at least one note to move."))
    if len(ids) > MAX_MOVE_NOTES:
        raise ValidationError(
            _("Move at most %(count)d notes at once.") % {"count": MAX_MOVE_NOTES}
        )
    found = dict(
        workshop.notes.select_for_update()
        .filter(pk__in=ids, status=Note.Status.VISIBLE, merged_into=None)
        .values_list("pk", "theme_id")
    )
    if len(found) != len(ids):
        raise ValidationError(_("Some of those notes are not on this workshop's boards."))
    return found


def _set_theme(note_ids: list[int], theme_id: int | None) -> None:
    # Duplicates travel with the note they were merged into (one UPDATE for both).
    Note.objects.filter(Q(pk__in=note_ids) | Q(merged_into__in=note_ids)).update(
        theme_id=theme_id, updated_at=timezone.now()
    )


def notes_move(*, workshop: Workshop, note_ids: Iterable[int], theme: Theme | None) -> ThemeMove:
    """Move notes (and their duplicates) into `theme` (None: out of every theme).

    Returns the move, which `move_undo` can take back, with `.changed`: the cards and
    counts that changed. Only those change on the screens (`_move_event`), not the wall."""
    if theme is not None and theme.workshop_id != workshop.pk:
        raise ValidationError(_("That theme belongs to another workshop."))
    with transaction.atomic():
        previous = _visible_top_notes(workshop, note_ids)
        ids = list(previous)
        _set_theme(ids, theme.pk if theme else None)
        move = ThemeMove.objects.create(
            workshop=workshop,
            theme=theme,
            previous={str(pk): theme_id for pk, theme_id in previous.items()},
        )
        move.changed = _move_event(workshop, ids, {*previous.values(), theme.pk if theme else None})
    return move


def move_undo(*, move: ThemeMove) -> ThemeMove:
    """Put the notes of `move` back in the themes they had before it (returns the move
    with `.changed`, as `notes_move` does).

    A note moved again since then stays where it is now (the later move wins), and a
    theme dissolved since then gives its notes back without a theme."""
    workshop = move.workshop
    with transaction.atomic():
        move = ThemeMove.objects.select_for_update().get(pk=move.pk)
        if move.undone_at is not None:
            raise ValidationError(_("That move has already been undone."))
        themes = set(workshop.themes.values_list("pk", flat=True))
        current = dict(
            workshop.notes.select_for_update()
            .filter(
                pk__in=[int(k) for k in move.previous],
                status=Note.Status.VISIBLE,
                merged_into=None,
            )
            .values_list("pk", "theme_id")
        )
        back: dict[int | None, list[int]] = {}
        for key, old in move.previous.items():
            pk = int(key)
            if pk in current and current[pk] == move.theme_id:
                back.setdefault(old if old in themes else None, []).append(pk)
        for theme_id, pks in back.items():
            _set_theme(pks, theme_id)
        move.undone_at = timezone.now()
        move.save(update_fields=["undone_at"])
        moved = [pk for pks in back.values() for pk in pks]
        move.changed = {"cards": [], "counts": []}
        if moved:
            move.changed = _move_event(workshop, moved, {move.theme_id, *back})
    return move


def suggestion_reject(
    *, workshop: Workshop, note_ids: Iterable[int], label: str = ""
) -> SuggestionRejection:
    """Remember that the facilitator said no to grouping these notes: the suggestion, and
    any with most of the same notes, is not offered again (`wall.is_rejected`)."""
    try:
        ids = sorted({int(i) for i in note_ids})
    except (TypeError, ValueError):
        ids = []
    if not ids or len(ids) > MAX_MOVE_NOTES:
        raise ValidationError(_("That suggestion is no longer there."))
    known = sorted(workshop.notes.filter(pk__in=ids).values_list("pk", flat=True))
    if not known:
        raise ValidationError(_("That suggestion is no longer there."))
    return SuggestionRejection.objects.create(
        workshop=workshop, note_ids=known, label=clean_text(label or "")[:120]
    )


def note_merge_duplicate(*, note: Note, into: Note | None) -> Note:
    """Show `note` as a duplicate under `into` (both texts are kept). None separates them."""
    if into is not None:
        if into.pk == note.pk or into.workshop_id != note.workshop_id:
            raise ValidationError(_("Choose another note of this workshop."))
        if into.merged_into_id is not None:
            into = into.merged_into
        if into.pk == note.pk:
            raise ValidationError(_("Choose another note of this workshop."))
    with transaction.atomic():
        note.merged_into = into
        if into is not None:
            note.theme_id = into.theme_id
            # A note that had duplicates hands them on.
            note.duplicates.update(merged_into=into, theme=into.theme_id)
            # Dots on a duplicate count for the note it was merged into.
            Vote.objects.filter(note=note).update(note=into)
        note.save(update_fields=["merged_into", "theme", "updated_at"])
        _theme_event(note.workshop)
    return note


# --- Dot voting --------------------------------------------------------------------------


def voting_configure(*, workshop: Workshop, budget: int, stackable: bool, hidden: bool) -> Workshop:
    if not 1 <= budget <= MAX_VOTE_BUDGET:
        raise ValidationError(
            _("Each participant has between 1 and %(max)s votes.") % {"max": MAX_VOTE_BUDGET}
        )
    with transaction.atomic():
        workshop.vote_budget = budget
        workshop.votes_stackable = stackable
        workshop.votes_hidden = hidden
        workshop.save(
            update_fields=["vote_budget", "votes_stackable", "votes_hidden", "updated_at"]
        )
        # Phones show the budget and boards show or hide totals: every screen refetches.
        _emit(
            workshop, LiveEventName.PHASE, LiveEvent.Audience.ALL, "workshops/live/phase.html", {}
        )
    return workshop


def totals_visible(workshop: Workshop) -> bool:
    return not workshop.votes_hidden or workshop.phase != Phase.VOTE


def _vote_event(workshop: Workshop) -> None:
    if totals_visible(workshop):
        _emit(
            workshop,
            LiveEventName.VOTE,
            LiveEvent.Audience.BOARD,
            "workshops/live/refresh.html",
            {},
        )
    else:
        # Totals stay hidden, but the room's progress does not: how many dots are down and
        # how many people have voted, so the facilitator sees when everyone is done.
        votes, voters, people = vote_progress(workshop)
        _emit(
            workshop,
            LiveEventName.VOTE,
            LiveEvent.Audience.BOARD,
            "workshops/live/votes_cast.html",
            {"votes_cast": votes, "voters": voters, "participant_count": people},
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
        if workshop.phase != Phase.VOTE:
            raise PermissionDenied(_("Voting is not open."))
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
        if workshop.phase != Phase.VOTE:
            raise PermissionDenied(_("Voting is not open."))
        target = _vote_target(workshop, note_id=note_id, theme_id=theme_id)
        vote = Vote.objects.filter(participant=participant, **target).order_by("-pk").first()
        if vote is None:
            raise ValidationError(_("You have no vote there to take back."))
        vote.delete()
        _vote_event(workshop)
        used = Vote.objects.filter(participant=participant).count()
    return workshop.vote_budget - used


def votes_left(participant: Participant) -> int:
    return max(0, participant.workshop.vote_budget - participant.votes.count())


# --- Next steps --------------------------------------------------------------------------


def action_item_create(
    *,
    workshop: Workshop,
    title: str,
    owner_name: str = "",
    due_date: datetime.date | None = None,
    note_ids: Iterable[int] = (),
    theme_ids: Iterable[int] = (),
) -> ActionItem:
    title = (title or "").replace("\x00", "").strip()
    if not title:
        raise ValidationError(_("Say what the next step is."))
    notes = list(workshop.notes.filter(pk__in=list(note_ids)))
    themes = list(workshop.themes.filter(pk__in=list(theme_ids)))
    with transaction.atomic():
        item = ActionItem.objects.create(
            workshop=workshop,
            challenge_id=workshop.challenge_id,
            title=title[:300],
            owner_name=(owner_name or "").strip()[:120],
            due_date=due_date,
        )
        item.notes.set(notes)
        item.themes.set(themes)
        _emit(
            workshop,
            LiveEventName.ACTION,
            LiveEvent.Audience.ALL,
            "workshops/live/refresh.html",
            {},
        )
    return item


def action_item_delete(*, item: ActionItem) -> None:
    workshop = item.workshop
    with transaction.atomic():
        item.delete()
        if workshop is not None:
            _emit(
                workshop,
                LiveEventName.ACTION,
                LiveEvent.Audience.ALL,
                "workshops/live/refresh.html",
                {},
            )


# --- Reads for the screens ---------------------------------------------------------------


def vote_totals(workshop: Workshop) -> tuple[dict[int, int], dict[int, int], int]:
    """(note id → dots, theme id → dots, all dots), two queries."""
    rows = (
        Vote.objects.filter(workshop=workshop).values("note_id", "theme_id").annotate(n=Count("pk"))
    )
    notes: dict[int, int] = {}
    themes: dict[int, int] = {}
    total = 0
    for row in rows:
        total += row["n"]
        if row["note_id"]:
            notes[row["note_id"]] = row["n"]
        else:
            themes[row["theme_id"]] = row["n"]
    return notes, themes, total


def vote_progress(workshop: Workshop) -> tuple[int, int, int]:
    """(dots cast, participants who have voted, participants), one query."""
    row = Participant.objects.filter(workshop=workshop).aggregate(
        people=Count("pk", distinct=True),
        voters=Count("pk", filter=Q(votes__isnull=False), distinct=True),
        votes=Count("votes"),
    )
    return row["votes"], row["voters"], row["people"]


def participant_votes(participant: Participant) -> tuple[dict[int, int], dict[int, int]]:
    notes: dict[int, int] = {}
    themes: dict[int, int] = {}
    for row in participant.votes.values("note_id", "theme_id").annotate(n=Count("pk")):
        if row["note_id"]:
            notes[row["note_id"]] = row["n"]
        else:
            themes[row["theme_id"]] = row["n"]
    return notes, themes


def group_counts(workshop: Workshop) -> dict[tuple[int, int], int]:
    rows = (
        Note.objects.filter(workshop=workshop)
        .filter(Q(status=Note.Status.VISIBLE) | Q(status=Note.Status.PENDING))
        .values("group_id", "column_id")
        .annotate(n=Count("pk"))
    )
    return {(r["group_id"], r["column_id"]): r["n"] for r in rows}
