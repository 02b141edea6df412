"""Reading a workshop's boards and tallies in a constant number of queries: the notes of
every group's board, note counts, vote totals and progress. Reads only; writes are in
`workshops/services/`."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse

from workshops.models import Column, Group, LiveEvent, Note, Participant, Vote, Workshop


@dataclass(slots=True)
class BoardNote:
    """A note as the board grids read it (`_note.html`, `_phone_group_note.html`, the
    archive's workshop page). Made from plain rows: a model instance with deferred fields
    costs about 20 µs to build, a third of a 300-note projector's budget."""

    id: int
    workshop_id: int
    group_id: int
    column_id: int
    text: str
    author_name: str
    status: str
    created_at: datetime.datetime
    participant_id: int | None
    theme_id: int | None
    merged_into_id: int | None
    edit_url: str = ""

    @property
    def pk(self) -> int:
        return self.id


_BOARD_NOTE_FIELDS = [f.name for f in dataclasses.fields(BoardNote) if f.name != "edit_url"]


@dataclass
class Cell:
    column: Column
    notes: list[BoardNote] = field(default_factory=list)


@dataclass
class Board:
    group: Group
    cells: list[Cell]

    @property
    def note_count(self) -> int:
        return sum(len(cell.notes) for cell in self.cells)


def boards_for(
    workshop: Workshop,
    *,
    statuses: tuple[str, ...] = (Note.Status.VISIBLE,),
    group: Group | None = None,
) -> list[Board]:
    """Every group's board (or one group's), three queries whatever the size."""
    columns = list(workshop.columns.all())
    groups = [group] if group is not None else list(workshop.groups.all())
    notes = Note.objects.filter(workshop=workshop, status__in=statuses).values_list(
        *_BOARD_NOTE_FIELDS
    )
    if group is not None:
        notes = notes.filter(group=group)
    boards = {g.pk: Board(group=g, cells=[Cell(column=c) for c in columns]) for g in groups}
    column_index = {c.pk: index for index, c in enumerate(columns)}
    # One reverse() for the whole board instead of one per note (hundreds on the overview).
    edit_url = reverse("note_edit", args=[workshop.pk, 0])
    for row in notes.order_by("created_at", "pk"):
        note = BoardNote(*row)
        note.edit_url = edit_url.replace("/0/edit/", f"/{note.id}/edit/")
        board = boards.get(note.group_id)
        if board is not None:
            board.cells[column_index[note.column_id]].notes.append(note)
    return list(boards.values())


def last_event_id(workshop: Workshop) -> int:
    """The newest live event: a page rendered now has seen everything up to it."""
    latest = (
        LiveEvent.objects.filter(workshop=workshop)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return latest or 0


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


def votes_left(participant: Participant) -> int:
    return max(0, participant.workshop.vote_budget - participant.votes.count())


def group_counts(workshop: Workshop) -> dict[tuple[int, int], int]:
    rows = (
        Note.objects.filter(workshop=workshop)
        .filter(Q(status=Note.Status.VISIBLE) | Q(status=Note.Status.PENDING))
        .values("group_id", "column_id")
        .annotate(n=Count("pk"))
    )
    return {(r["group_id"], r["column_id"]): r["n"] for r in rows}
