"""Reads for the organisation admin's pages: the trail of one organisation, filtered, and
the same rows as CSV."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from challenges.models import Organisation
from workshops.exports.text import neutralise_cell


def audit_events(
    organisation: Organisation,
    *,
    action: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(organisation=organisation)
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events.order_by("-created_at", "-pk")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The events as CSV lines (a header first). Every text cell is neutralised so a
    spreadsheet never runs it as a formula."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(
        [_("When"), _("Who"), _("What"), _("Object type"), _("Object id"), _("Object"), _("Detail")]
    )
    for event in events:
        yield writer.writerow(
            [
                timezone.localtime(event.created_at).isoformat(timespec="seconds"),
                neutralise_cell(event.actor_name),
                event.get_action_display(),
                event.object_type,
                "" if event.object_id is None else str(event.object_id),
                neutralise_cell(event.object_label),
                neutralise_cell(event.detail_text),
            ]
        )
