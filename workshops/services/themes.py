"""Themes: sorting notes into themes, merging and dissolving them, marking duplicates; the
clustering wall's moves of many notes at once with their undo, and rejected suggestions."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from labb.text import clean_text
from workshops.live.emit import emit
from workshops.live.events import NotesMoved, ThemeChanged, ThemeSaved
from workshops.models import (
    ActionItem,
    Note,
    SuggestionRejection,
    Theme,
    ThemeMove,
    Vote,
    Workshop,
)

# A move takes at most this many notes at once (a whole wall of a large workshop).
MAX_MOVE_NOTES = 2000


def _theme_event(workshop: Workshop) -> None:
    emit(workshop=workshop, event=ThemeChanged())


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
        theme.note_ids = sorted({int(i) for i in ids})
        emit(workshop=workshop, event=ThemeSaved(theme_id=theme.pk, note_ids=theme.note_ids))
    return theme


def theme_rename(*, theme: Theme, name: str) -> Theme:
    """Rename a theme. Returns it with `.note_ids`: its cards, whose badge names it."""
    theme.name = _clean_name(name)
    with transaction.atomic():
        theme.save(update_fields=["name"])
        theme.note_ids = sorted(
            theme.notes.filter(status=Note.Status.VISIBLE, merged_into=None).values_list(
                "pk", flat=True
            )
        )
        emit(
            workshop=theme.workshop,
            event=ThemeSaved(theme_id=theme.pk, note_ids=theme.note_ids),
        )
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


# --- The clustering wall ---------------------------------------------------------------------


def _moved_event(workshop: Workshop, move: ThemeMove, note_ids: list[int], theme_ids) -> None:
    """Board screens swap the moved cards and the counts of the themes they left and joined
    (`live.render`, `wall.changed`); `move.note_ids`/`move.theme_ids` say the same to the
    view that answers the facilitator."""
    ordered = sorted(set(theme_ids), key=lambda i: (i is not None, i or 0))
    move.note_ids = sorted(note_ids)
    move.theme_ids = ordered
    if note_ids:
        event = NotesMoved(move_id=move.pk, note_ids=move.note_ids, theme_ids=ordered)
        emit(workshop=workshop, event=event)


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

    Returns the move, which `move_undo` can take back, with `.note_ids` and `.theme_ids`:
    the notes moved and the themes whose counts changed (None: without a theme). Screens
    swap only those cards and counts (`NotesMoved`), not the wall."""
    if theme is not None and theme.workshop_id != workshop.pk:
        raise ValidationError(_("That theme belongs to another workshop."))
    target = theme.pk if theme else None
    with transaction.atomic():
        previous = _visible_top_notes(workshop, note_ids)
        ids = list(previous)
        _set_theme(ids, target)
        move = ThemeMove.objects.create(
            workshop=workshop,
            theme=theme,
            previous={str(pk): theme_id for pk, theme_id in previous.items()},
        )
        _moved_event(workshop, move, ids, {*previous.values(), target})
    return move


def move_undo(*, move: ThemeMove) -> ThemeMove:
    """Put the notes of `move` back in the themes they had before it (returns the move
    with `.note_ids` and `.theme_ids`, as `notes_move` does).

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
        _moved_event(workshop, move, moved, {move.theme_id, *back} if moved else set())
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
