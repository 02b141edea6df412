"""Notes: posting (idempotent per client id), editing, screening, hiding and deleting, and
their live events: counts only while writing is private, the note itself once revealed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.events import Action, record
from workshops import limits
from workshops.live.emit import emit
from workshops.live.events import (
    PHONES,
    CountsChanged,
    NoteAdded,
    NoteChanged,
    NoteRemoved,
    PendingChanged,
)
from workshops.live.shown import note_facts
from workshops.models import (
    Column,
    Group,
    Note,
    Participant,
    Workshop,
)
from workshops.services.phases import is_revealed, participant_may_write

logger = logging.getLogger(__name__)


def _clean_text(text: str) -> str:
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError(_("Write something on the note first."), code="empty")
    if len(text) > settings.LABB_NOTE_MAX_LENGTH:
        raise ValidationError(
            _("A note can be at most %(max)s characters (this one has %(count)s).")
            % {"max": settings.LABB_NOTE_MAX_LENGTH, "count": len(text)},
            code="too_long",
        )
    return text


def note_create(
    *,
    workshop: Workshop,
    column: Column,
    text: str,
    client_id: uuid.UUID,
    group: Group,
    participant: Participant | None = None,
    author_name: str | None = None,
    budgets: Sequence[limits.Budget] = (),
) -> tuple[Note, bool]:
    """Save a note once per client id. Returns (note, created).

    A phone retries a note it is unsure about with the same client id; the second post
    returns the note saved by the first, and costs no budget. A new note from a participant
    costs a unit of the participant's budget and of `budgets` (the device's and address's,
    `limits.note_budgets`); `limits.RateLimited` if one is spent.
    """
    existing = Note.objects.filter(workshop=workshop, client_id=client_id).first()
    if existing is not None:
        return _already_saved(existing, participant), False
    if participant is not None:
        if not participant_may_write(workshop):
            raise PermissionDenied(_("This workshop is not taking new notes."))
        limits.spend(limits.participant_note_budget(participant.pk), *budgets)
    if column.workshop_id != workshop.pk or group.workshop_id != workshop.pk:
        raise ValidationError(_("That column or group belongs to another workshop."))
    text = _clean_text(text)
    if author_name is None:
        author_name = participant.display_name if participant else ""
    status = (
        Note.Status.PENDING
        if workshop.screening and participant is not None
        else Note.Status.VISIBLE
    )
    try:
        with transaction.atomic():
            note = Note.objects.create(
                workshop=workshop,
                group=group,
                column=column,
                participant=participant,
                author_name=author_name,
                text=text,
                client_id=client_id,
                status=status,
            )
            if status == Note.Status.VISIBLE:
                _note_event(note, NoteAdded)
            else:
                _pending_emit(workshop=workshop)
    except IntegrityError:
        # The same client id raced in on another connection: that one won.
        winner = Note.objects.get(workshop=workshop, client_id=client_id)
        return _already_saved(winner, participant), False
    return note, True


def _already_saved(note: Note, participant: Participant | None) -> Note:
    """The note a retry refers to, if it is the same poster's; someone else's is refused."""
    if note.participant_id != (participant.pk if participant else None):
        raise ValidationError(_("This note id is already in use."), code="client_id")
    return note


def notes_bulk_add(*, workshop: Workshop, group: Group, column: Column, lines: str) -> list[Note]:
    """Paper workshops: one note per non-empty line, typed by the facilitator."""
    notes = []
    with transaction.atomic():
        for line in lines.splitlines():
            line = line.strip().lstrip("-•*–").strip()
            if not line:
                continue
            note, _created = note_create(
                workshop=workshop, group=group, column=column, text=line, client_id=uuid.uuid4()
            )
            notes.append(note)
    return notes


def _moderated(note: Note, action: str, moderator) -> None:
    """An audit event for a facilitator's change to a note: the note's id, never its text
    nor who wrote it. A participant changing their own note passes no moderator."""
    if moderator is None:
        return
    record(
        action=action,
        actor=moderator,
        organisation_id=note.workshop.challenge.organisation_id,
        target=note,
        detail={"workshop": note.workshop_id},
    )


def note_update(*, note: Note, text: str, moderator=None) -> Note:
    note.text = _clean_text(text)
    with transaction.atomic():
        note.save(update_fields=["text", "updated_at"])
        if note.status == Note.Status.VISIBLE:
            _note_event(note, NoteChanged)
        _moderated(note, Action.NOTE_EDITED, moderator)
    return note


def note_set_status(*, note: Note, status: str, moderator=None) -> Note:
    with transaction.atomic():
        previous = note.status
        if _set_status(note, status):
            _pending_emit(workshop=note.workshop)
        if previous != status:
            _moderated(
                note,
                Action.NOTE_SHOWN if status == Note.Status.VISIBLE else Action.NOTE_HIDDEN,
                moderator,
            )
    return note


def _set_status(note: Note, status: str) -> bool:
    """Change the note's status and emit its event; True when the number of notes waiting
    for approval changed (the caller tells the facilitator's board once)."""
    previous = note.status
    note.status = status
    note.save(update_fields=["status", "updated_at"])
    if status == Note.Status.VISIBLE and previous != status:
        _note_event(note, NoteAdded)
    elif previous == Note.Status.VISIBLE and status != previous:
        _note_event(note, NoteRemoved)
    elif (
        status == Note.Status.HIDDEN
        and previous == Note.Status.PENDING
        and not is_revealed(note.workshop)
    ):
        # Still counted while writing: a hidden pending note leaves the counts.
        _counts_emit(note=note)
    return previous != status and Note.Status.PENDING in (previous, status)


def note_delete(*, note: Note, moderator=None) -> None:
    with transaction.atomic():
        _moderated(note, Action.NOTE_DELETED, moderator)
        if note.status == Note.Status.VISIBLE and is_revealed(note.workshop):
            _note_event(note, NoteRemoved)
        note.delete()
        if not is_revealed(note.workshop) and note.status != Note.Status.HIDDEN:
            _counts_emit(note=note)
        if note.status == Note.Status.PENDING:
            _pending_emit(workshop=note.workshop)


def participant_may_change(participant: Participant, note: Note) -> bool:
    return note.participant_id == participant.pk and participant_may_write(note.workshop)


def notes_screen(
    *, workshop: Workshop, note_ids: Iterable[int], approve: bool, moderator=None
) -> int:
    """Approve (show) or hide several pending notes at once. Returns how many changed."""
    status = Note.Status.VISIBLE if approve else Note.Status.HIDDEN
    notes = list(
        workshop.notes.select_related("workshop", "group")
        .filter(pk__in=list(note_ids))
        .exclude(status=status)
    )
    with transaction.atomic():
        pending_changed = [_set_status(note, status) for note in notes]
        for note in notes:
            _moderated(note, Action.NOTE_SHOWN if approve else Action.NOTE_HIDDEN, moderator)
        if any(pending_changed):
            # One line for the facilitator's board, however many notes were screened.
            _pending_emit(workshop=workshop)
    return len(notes)


def _note_event(note: Note, change: type[NoteAdded | NoteChanged | NoteRemoved]) -> None:
    if not is_revealed(note.workshop):
        # Writing is private: board screens learn how many notes there are, not what they say.
        if change is not NoteChanged:
            _counts_emit(note=note)
        return
    event = change(note_id=note.pk, group_id=note.group_id, column_id=note.column_id)
    # What the screens show of the note, published with the event: no process reads the
    # note back to render it (`live/shown.py`).
    facts = None if change is NoteRemoved else note_facts(note)
    emit(workshop=note.workshop, event=event, group=note.group, facts=facts)
    if note.workshop.phase in (Workshop.Phase.REVEAL, Workshop.Phase.CLUSTER):
        # Phones show their own group's board in these phases: only that group's phones
        # get the note (a few streams, not the whole room).
        emit(workshop=note.workshop, event=event, audience=PHONES, group=note.group, facts=facts)


def _counts_emit(*, note: Note) -> None:
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
    emit(
        workshop=note.workshop,
        event=CountsChanged(
            group_id=note.group_id, column_id=note.column_id, count=count, total=total
        ),
    )


def _pending_emit(*, workshop: Workshop) -> None:
    """Tell the facilitator's board how many notes wait for approval (screening): the
    number only, never what they say."""
    count = Note.objects.filter(workshop=workshop, status=Note.Status.PENDING).count()
    emit(workshop=workshop, event=PendingChanged(count=count))
