"""Reads for the clustering wall: compact cards, theme counts, and which suggestions are
still worth offering. A constant number of queries whatever the number of notes.

The wall (`templates/workshops/_wall.html`) shows every visible note as a card; a move
re-renders only the moved cards and the counts of the themes they left and joined
(`services.themes.notes_move`, `changed`), with the same partials, so the page and the live event agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from workshops.models import Note, Theme, Workshop

# A suggestion is the same as a rejected one when at least this share of its notes were in
# the rejected one: the same set with a note fewer (3 of 3 → 1.0) or a note more (3 of 4 →
# 0.75) is still the suggestion the facilitator said no to; two notes of five (0.4) is not.
REJECTED_OVERLAP = 0.6


def cards(workshop: Workshop, note_ids: Iterable[int] | None = None) -> list[Note]:
    """Top-level visible notes (duplicates nested as `.dups`), with group, column and theme.

    With `note_ids`, only the cards of those notes (a duplicate's id gives its parent)."""
    notes = Note.objects.filter(workshop=workshop, status=Note.Status.VISIBLE).select_related(
        "group", "column", "theme"
    )
    if note_ids is not None:
        ids = list(note_ids)
        notes = notes.filter(Q(pk__in=ids) | Q(merged_into__in=ids))
    notes = list(notes.order_by("group__position", "column__position", "created_at", "pk"))
    by_id = {note.pk: note for note in notes}
    for note in notes:
        note.dups = []
    top = []
    for note in notes:
        parent = by_id.get(note.merged_into_id) if note.merged_into_id else None
        if parent is not None:
            parent.dups.append(note)
        elif note.merged_into_id is None:
            top.append(note)
    return top


@dataclass(frozen=True)
class PanelTheme:
    """A theme in the wall's panel (the templates read `view.theme`, as on the other
    stages)."""

    theme: Theme


def theme_panel(workshop: Workshop, counts: dict[int | None, int] | None = None) -> dict:
    """The wall's theme panel and the theme choices (filter, toolbar, move menu): every
    theme with its count, and the notes without a theme. The page renders it, and so do the
    answer and the `ThemeSaved` event after a theme is added or renamed
    (`_wall_theme_swaps.html`), in place."""
    counts = theme_counts(workshop) if counts is None else counts
    views = [PanelTheme(theme=theme) for theme in workshop.themes.all()]
    return {
        "themes": views,
        "theme_rows": [(view, counts.get(view.theme.pk, 0)) for view in views],
        "loose_count": counts.get(None, 0),
    }


def theme_counts(workshop: Workshop) -> dict[int | None, int]:
    """Visible notes per theme id (duplicates included; None = without a theme)."""
    rows = (
        Note.objects.filter(workshop=workshop, status=Note.Status.VISIBLE)
        .values("theme_id")
        .annotate(n=Count("pk"))
        .values_list("theme_id", "n")
    )
    return dict(rows)


def rejected_sets(workshop: Workshop) -> list[frozenset[int]]:
    return [
        frozenset(ids) for ids in workshop.suggestion_rejections.values_list("note_ids", flat=True)
    ]


def is_rejected(note_ids: Iterable[int], rejected: list[frozenset[int]]) -> bool:
    """True when most of these notes were in one suggestion that was rejected."""
    ids = frozenset(note_ids)
    if not ids:
        return False
    return any(len(ids & other) >= REJECTED_OVERLAP * len(ids) for other in rejected)


def changed(workshop: Workshop, note_ids: Iterable[int], theme_ids: Iterable[int | None]) -> dict:
    """What a move changed, as it is now: the cards of `note_ids` and the counts of
    `theme_ids` (None: without a theme). The facilitator's answer and the `NotesMoved`
    event render the same (`_wall_reply.html`, `live/theme_move.html`)."""
    ids = list(note_ids)
    if not ids:
        return {"cards": [], "counts": []}
    counts = theme_counts(workshop)
    return {
        "cards": cards(workshop, ids),
        "counts": [(pk, counts.get(pk, 0)) for pk in theme_ids],
    }
