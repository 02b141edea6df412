"""What a screen shows of a note, as plain values.

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
