"""Reading a workshop's boards in a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from workshops.models import Column, Group, LiveEvent, Note, Workshop


@dataclass
class Cell:
    column: Column
    notes: list[Note] = field(default_factory=list)


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
    notes = Note.objects.filter(workshop=workshop, status__in=statuses).only(
        "id",
        "group_id",
        "column_id",
        "text",
        "author_name",
        "status",
        "created_at",
        "participant_id",
        "theme_id",
        "merged_into_id",
        "workshop_id",
    )
    if group is not None:
        notes = notes.filter(group=group)
    boards = {g.pk: Board(group=g, cells=[Cell(column=c) for c in columns]) for g in groups}
    column_index = {c.pk: index for index, c in enumerate(columns)}
    # One reverse() for the whole board instead of one per note (hundreds on the overview).
    edit_url = reverse("note_edit", args=[workshop.pk, 0])
    for note in notes.order_by("created_at", "pk"):
        note.edit_url = edit_url.replace("/0/edit/", f"/{note.pk}/edit/")
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
