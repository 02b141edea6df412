"""Next steps (action items) agreed at the end of a workshop."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workshops.live.emit import emit
from workshops.live.events import (
    ActionChanged,
)
from workshops.models import (
    ActionItem,
    Workshop,
)


def action_item_create(
    *,
    workshop: Workshop,
    title: str,
    owner_name: str = "",
    due_date: datetime.date | None = None,
    note_ids: Iterable[int] = (),
    theme_ids: Iterable[int] = (),
) -> ActionItem:
    title = (title or "").replace("\x00", "").strip()
    if not title:
        raise ValidationError(_("Say what the next step is."))
    notes = list(workshop.notes.filter(pk__in=list(note_ids)))
    themes = list(workshop.themes.filter(pk__in=list(theme_ids)))
    with transaction.atomic():
        item = ActionItem.objects.create(
            workshop=workshop,
            challenge_id=workshop.challenge_id,
            title=title[:300],
            owner_name=(owner_name or "").strip()[:120],
            due_date=due_date,
        )
        item.notes.set(notes)
        item.themes.set(themes)
        emit(workshop=workshop, event=ActionChanged())
    return item


def action_item_delete(*, item: ActionItem) -> None:
    workshop = item.workshop
    with transaction.atomic():
        item.delete()
        if workshop is not None:
            emit(workshop=workshop, event=ActionChanged())
