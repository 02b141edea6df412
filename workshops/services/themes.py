"""Themes: sorting notes into themes, merging and dissolving them, marking duplicates."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from labb.text import clean_text
from workshops.live.emit import emit
from workshops.live.events import (
    ThemeChanged,
)
from workshops.models import (
    ActionItem,
    Note,
    Theme,
    Vote,
    Workshop,
)


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
