"""What a screen shows of a note or of a workshop's state, as plain values.

A note event is rendered by every web process for each kind of screen and language. Reading
the note back in each process costs a query and a pooled connection per event and process,
and under load those reads queued for connections (`docs/benchmarks.md`, "Live events").
So the write that emits a note event also publishes these values with it (`emit(facts=…)`),
read from the rows it has just saved, and the renderer renders from them without a query.

They travel only in the published message: the `LiveEvent` row keeps ids alone, and a
replay reads the note as it is now (`NoteShown.from_note`). Both paths give the same values,
so they render the same markup.
"""

from __future__ import annotations

import dataclasses
import datetime

from django.utils.dateparse import parse_datetime

from workshops.models import Note, Workshop, texts_revealed


@dataclasses.dataclass(frozen=True, slots=True)
class NoteShown:
    """A note as the live note partials (`_note.html`, `_phone_group_note.html`) read it."""

    pk: int
    workshop_id: int
    group_id: int
    column_id: int
    theme_id: int | None
    text: str
    author_name: str
    status: str
    colour: str
    phase: str
    revealed: bool
    may_cluster: bool
    edit_url: str = ""  # the partials link to the facilitator's edit page without one

    @classmethod
    def from_note(cls, note: Note) -> NoteShown:
        """From a saved note, its column and its workshop (loaded, or read here)."""
        workshop = note.workshop
        return cls(
            pk=note.pk,
            workshop_id=note.workshop_id,
            group_id=note.group_id,
            column_id=note.column_id,
            theme_id=note.theme_id,
            text=note.text,
            author_name=note.author_name,
            status=note.status,
            colour=note.column.colour,
            phase=workshop.phase,
            revealed=texts_revealed(workshop),
            may_cluster=(
                workshop.participants_can_cluster and workshop.phase == Workshop.Phase.CLUSTER
            ),
        )

    def facts(self) -> dict | None:
        """The values to publish with the event, or None when a screen needs more than
        these (the theme list of a phone that may sort notes: it is read at render)."""
        if self.may_cluster:
            return None
        return dataclasses.asdict(self)

    @classmethod
    def from_facts(cls, facts: dict) -> NoteShown | None:
        """Back from a published message; None if it does not hold a whole note (a
        message from an older process during a rolling restart)."""
        try:
            return cls(**facts)
        except TypeError:
            return None


def note_facts(note: Note) -> dict | None:
    """What the write publishes with a note event (see the module docstring)."""
    return NoteShown.from_note(note).facts()


# --- A workshop's state, for the status, phase and timer events ----------------------------
#
# The same reasoning as for notes: these events go to every phone, and reading the workshop
# back in each process cost a worker thread and a pooled connection per event and process
# (the phones' status events waited behind note posts for connections at 50 notes/s).

# The fields the status line, phase name and timer read (`_writing_status.html`,
# `live/phase.html`, `_timer.html`).
WORKSHOP_STATE_FIELDS = (
    "pk",
    "phase",
    "accepting_notes",
    "timer_ends_at",
    "timer_paused_remaining",
    "timer_locks_writing",
    "disposed_at",
)


def workshop_state_facts(workshop_id: int) -> dict | None:
    """The workshop's state as the write that emits the event leaves it (read after the
    ordering lock, so it holds every earlier event's change too), as JSON values."""
    row = Workshop.objects.filter(pk=workshop_id).values(*WORKSHOP_STATE_FIELDS).first()
    if row is None:
        return None
    for name in ("timer_ends_at", "disposed_at"):
        if row[name] is not None:
            row[name] = row[name].isoformat()
    if row["timer_paused_remaining"] is not None:
        row["timer_paused_remaining"] = row["timer_paused_remaining"].total_seconds()
    return row


def workshop_from_facts(facts: dict) -> Workshop | None:
    """An unsaved workshop holding just the published state (for rendering only); None if
    the message does not hold it all (from an older process during a rolling restart)."""
    if set(facts) != set(WORKSHOP_STATE_FIELDS):
        return None
    values = dict(facts)
    for name in ("timer_ends_at", "disposed_at"):
        if values[name] is not None:
            values[name] = parse_datetime(values[name])
    if values["timer_paused_remaining"] is not None:
        values["timer_paused_remaining"] = datetime.timedelta(
            seconds=values["timer_paused_remaining"]
        )
    return Workshop(**values)
