"""Boards big enough for what a test needs to measure or interrupt."""

from __future__ import annotations


def fill_a_big_board(workshop) -> None:
    """Ten groups of notes, so that rendering the report takes long enough to be killed in."""
    from workshops.services.groups import group_add
    from workshops.services.notes import notes_bulk_add

    for number in range(4, 11):
        group_add(workshop=workshop, name=f"Grupp {number}")
    lines = "\n".join(
        f"Långsiktig samverkan mellan kommuner och region, punkt {n}, med tillit" for n in range(15)
    )
    for group in workshop.groups.all():
        for column in workshop.columns.all():
            notes_bulk_add(workshop=workshop, group=group, column=column, lines=lines)
