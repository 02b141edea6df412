"""Retention: remove the personal data of workshops whose retention date has passed.

A workshop past `retain_until` (and not marked `keep`) loses its notes, its participants
(and with them their names and votes), its exports (rows and files) and its live-event
replay rows; its join code stops working. What stays: the workshop's title, date, columns,
groups and themes' names, the challenge, the facilitators' next steps and learning log, and
a `DisposalLog` entry saying what was removed and when. `Workshop.disposed_at` marks it
done, so a second sweep changes nothing more.

Live-event rows are only a replay buffer for reconnecting screens; rows older than
`LIVE_EVENT_MAX_AGE` are removed from every workshop.

Each disposal is an event in the audit trail (audit/), and the sweep also removes audit
events older than `LABB_AUDIT_RETENTION_DAYS` (`audit.retention.audit_purge`).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.events import Action, record
from audit.retention import audit_purge
from challenges.models import Challenge
from workshops.models import DisposalLog, Export, LiveEvent, Note, Participant, Workshop

logger = logging.getLogger(__name__)

LIVE_EVENT_MAX_AGE = datetime.timedelta(days=1)


@dataclass
class SweepResult:
    disposed: list[int] = field(default_factory=list)
    live_events_removed: int = 0
    audit_events_removed: int = 0


def workshops_due_for_disposal(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return Workshop.objects.filter(
        retain_until__lt=today, keep=False, disposed_at__isnull=True
    ).order_by("pk")


def export_file_path(export: Export) -> Path | None:
    """The export's file on disk, only if it lies inside EXPORT_ROOT."""
    if not export.file_path:
        return None
    root = Path(settings.EXPORT_ROOT).resolve()
    path = Path(export.file_path)
    if not path.is_absolute():
        path = root / path
    path = path.resolve()
    if path != root and root not in path.parents:
        logger.warning("Export %s points outside EXPORT_ROOT; file left alone", export.pk)
        return None
    return path


def workshop_dispose(*, workshop: Workshop) -> DisposalLog | None:
    """Remove one workshop's personal data. Returns the log entry, or None if already done."""
    files: list[Path] = []
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().filter(pk=workshop.pk).first()
        if locked is None or locked.disposed_at is not None:
            return None
        exports = list(Export.objects.filter(workshop=locked))
        files = [path for path in map(export_file_path, exports) if path is not None]
        notes_removed = _delete_count(Note.objects.filter(workshop=locked))
        participants_removed = _delete_count(Participant.objects.filter(workshop=locked))
        exports_removed = _delete_count(Export.objects.filter(workshop=locked))
        LiveEvent.objects.filter(workshop=locked).delete()
        locked.disposed_at = timezone.now()
        locked.join_code = None
        locked.accepting_notes = False
        locked.save(update_fields=["disposed_at", "join_code", "accepting_notes", "updated_at"])
        entry = DisposalLog.objects.create(
            workshop_id_ref=locked.pk,
            workshop_title=locked.title,
            challenge_id=locked.challenge_id,
            notes_removed=notes_removed,
            participants_removed=participants_removed,
            exports_removed=exports_removed,
        )
        record(
            action=Action.DISPOSED,
            organisation_id=Challenge.objects.filter(pk=locked.challenge_id)
            .values_list("organisation_id", flat=True)
            .first(),
            target=locked,
            detail={
                "notes": notes_removed,
                "participants": participants_removed,
                "exports": exports_removed,
            },
        )
    # Files go after the rows are gone for good; a file that cannot be removed is logged
    # (and its row is already gone, so nothing links to it any more).
    for path in files:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.exception("Could not remove export file %s", path)
    logger.info(
        "Disposed of workshop %s: %s notes, %s participants, %s exports",
        entry.workshop_id_ref,
        entry.notes_removed,
        entry.participants_removed,
        entry.exports_removed,
    )
    return entry


def _delete_count(queryset) -> int:
    _total, by_model = queryset.delete()
    return by_model.get(queryset.model._meta.label, 0)


def live_events_purge(*, older_than: datetime.timedelta = LIVE_EVENT_MAX_AGE) -> int:
    cutoff = timezone.now() - older_than
    _total, by_model = LiveEvent.objects.filter(created_at__lt=cutoff).delete()
    return by_model.get(LiveEvent._meta.label, 0)


def retention_sweep(*, today: datetime.date | None = None) -> SweepResult:
    result = SweepResult()
    for workshop in workshops_due_for_disposal(today):
        entry = workshop_dispose(workshop=workshop)
        if entry is not None:
            result.disposed.append(workshop.pk)
    result.live_events_removed = live_events_purge()
    result.audit_events_removed = audit_purge()
    return result
