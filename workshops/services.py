"""Writes with side effects: they change rows, record live events and publish on commit."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import Challenge
from labb import live
from workshops import limits
from workshops.board_templates import COLOURS, TEMPLATES, ColumnSpec
from workshops.codes import new_group_token, new_join_code
from workshops.live_events import LiveEventName
from workshops.models import Column, Group, LiveEvent, Note, Participant, Workshop

logger = logging.getLogger(__name__)

MAX_GROUPS = 30
LIVE_EVENT_LOCK = 0x4C4C  # advisory lock namespace for live event ordering ("LL")


# --- Live events -------------------------------------------------------------------------


def _live_event_order_lock(workshop_id: int) -> None:
    """Commit a workshop's live events in id order (held until the transaction ends).

    Streams resume "after event N" (Last-Event-ID, page render). Without this, an event
    that got a smaller id but committed after a bigger one was never seen by a stream that
    had already passed it: the benchmark lost notes at 50 notes/s over two processes.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LIVE_EVENT_LOCK, workshop_id])


def live_event_emit(
    *,
    workshop: Workshop,
    name: LiveEventName,
    audience: str,
    template: str,
    context: dict,
    group: Group | None = None,
) -> LiveEvent:
    """Render once, store for replay, publish when the transaction commits.

    `name` must be in the registry (`workshops.live_events`): the browser listens only for
    those names, so an event under any other would be stored and never shown.
    """
    name = LiveEventName(name)  # ValueError for a name outside the registry
    data = render_to_string(template, context)
    _live_event_order_lock(workshop.pk)
    event = LiveEvent.objects.create(
        workshop=workshop, audience=audience, group=group, name=name, data=data
    )
    payload = {
        "id": event.pk,
        "workshop_id": workshop.pk,
        "audience": audience,
        "group_id": group.pk if group else None,
        "name": name,
        "data": data,
    }
    transaction.on_commit(lambda: live.publish(payload))
    return event


def _note_event(note: Note, name: LiveEventName) -> None:
    from workshops.session import counts_emit, is_revealed

    if not is_revealed(note.workshop):
        # Writing is private: board screens learn how many notes there are, not what they say.
        if name != LiveEventName.NOTE_CHANGED:
            counts_emit(note=note)
        return
    live_event_emit(
        workshop=note.workshop,
        name=name,
        audience=LiveEvent.Audience.BOARD,
        template="workshops/live/note_event.html",
        context={"note": note, "event": name},
        group=note.group,
    )
    if note.workshop.phase in (Workshop.Phase.REVEAL, Workshop.Phase.CLUSTER):
        # Phones show their own group's board in these phases: only that group's phones
        # get the note (a few streams, not the whole room).
        live_event_emit(
            workshop=note.workshop,
            name=name,
            audience=LiveEvent.Audience.PHONES,
            template="workshops/live/phone_note_event.html",
            context={
                "note": note,
                "event": name,
                "workshop": note.workshop,
                # The same markup as the phone page (`_phone_group_note.html`): every phone
                # of the group may sort its notes when the facilitator allows it.
                "may_cluster": note.workshop.participants_can_cluster
                and note.workshop.phase == Workshop.Phase.CLUSTER,
                "workshop_themes": list(note.workshop.themes.all())
                if note.workshop.phase == Workshop.Phase.CLUSTER
                else [],
            },
            group=note.group,
        )


# --- Workshops ---------------------------------------------------------------------------


def _unique_join_code() -> str:
    for _attempt in range(20):
        code = new_join_code()
        if not Workshop.objects.filter(join_code=code).exists():
            return code
    raise RuntimeError("Could not find a free join code")  # 31**7 codes: practically never


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
    retention_days = challenge.organisation.default_retention_days
    with transaction.atomic():
        workshop = Workshop.objects.create(
            challenge=challenge,
            title=title,
            question=question or str(board_template.question),
            template=template_key,
            kind=kind,
            date=date or timezone.localdate(),
            place=place,
            join_code=_unique_join_code() if kind == Workshop.Kind.LIVE else None,
            phase=Workshop.Phase.WRITE if kind == Workshop.Kind.PAPER else Workshop.Phase.PREPARE,
            retain_until=(date or timezone.localdate()) + datetime.timedelta(days=retention_days),
            created_by=user if user and user.is_authenticated else None,
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
    return workshop


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
        live_event_emit(
            workshop=workshop,
            name=LiveEventName.RELOAD,
            audience=LiveEvent.Audience.ALL,
            template="workshops/live/reload.html",
            context={},
        )
    return group


def group_rename(*, group: Group, name: str) -> Group:
    group.name = name.strip()
    group.full_clean()
    with transaction.atomic():
        group.save(update_fields=["name"])
        live_event_emit(
            workshop=group.workshop,
            name=LiveEventName.GROUP,
            audience=LiveEvent.Audience.ALL,
            template="workshops/live/group_renamed.html",
            context={"group": group},
        )
    return group


def workshop_set_accepting(*, workshop: Workshop, accepting: bool) -> Workshop:
    with transaction.atomic():
        workshop.accepting_notes = accepting
        workshop.save(update_fields=["accepting_notes", "updated_at"])
        live_event_emit(
            workshop=workshop,
            name=LiveEventName.STATUS,
            audience=LiveEvent.Audience.ALL,
            template="workshops/live/status.html",
            context={"workshop": workshop},
        )
    return workshop


def join_code_regenerate(*, workshop: Workshop) -> Workshop:
    if workshop.is_closed:
        raise ValidationError(_("A closed workshop has no join code."))
    workshop.join_code = _unique_join_code()
    workshop.save(update_fields=["join_code", "updated_at"])
    return workshop


# --- Participants --------------------------------------------------------------------------


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
        if group is not None:
            from workshops.session import people_emit

            people_emit(workshop=workshop, group_ids=[group.pk])
    return participant


def _assign_group(workshop: Workshop) -> Group | None:
    import random

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
    from workshops.session import people_emit

    old_group_id = participant.group_id
    with transaction.atomic():
        participant.group = group
        participant.save(update_fields=["group"])
        people_emit(workshop=participant.workshop, group_ids=[old_group_id, group.pk])
    return participant


# --- Notes -------------------------------------------------------------------------------


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
        from workshops.session import participant_may_write

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
                _note_event(note, LiveEventName.NOTE)
            else:
                from workshops.session import pending_emit

                pending_emit(workshop=workshop)
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


def note_update(*, note: Note, text: str) -> Note:
    note.text = _clean_text(text)
    with transaction.atomic():
        note.save(update_fields=["text", "updated_at"])
        if note.status == Note.Status.VISIBLE:
            _note_event(note, LiveEventName.NOTE_CHANGED)
    return note


def note_set_status(*, note: Note, status: str) -> Note:
    previous = note.status
    with transaction.atomic():
        note.status = status
        note.save(update_fields=["status", "updated_at"])
        if status == Note.Status.VISIBLE and previous != status:
            _note_event(note, LiveEventName.NOTE)
        elif previous == Note.Status.VISIBLE and status != previous:
            _note_event(note, LiveEventName.NOTE_REMOVED)
        elif status == Note.Status.HIDDEN and previous == Note.Status.PENDING:
            # Still counted while writing: a hidden pending note leaves the counts.
            from workshops.session import counts_emit, is_revealed

            if not is_revealed(note.workshop):
                counts_emit(note=note)
        if Note.Status.PENDING in (previous, status) and previous != status:
            from workshops.session import pending_emit

            pending_emit(workshop=note.workshop)
    return note


def note_delete(*, note: Note) -> None:
    from workshops.session import counts_emit, is_revealed

    with transaction.atomic():
        if note.status == Note.Status.VISIBLE and is_revealed(note.workshop):
            _note_event(note, LiveEventName.NOTE_REMOVED)
        note.delete()
        if not is_revealed(note.workshop) and note.status != Note.Status.HIDDEN:
            counts_emit(note=note)
        if note.status == Note.Status.PENDING:
            from workshops.session import pending_emit

            pending_emit(workshop=note.workshop)


def participant_may_change(participant: Participant, note: Note) -> bool:
    from workshops.session import participant_may_write

    return note.participant_id == participant.pk and participant_may_write(note.workshop)
