"""Requesting export jobs: the row, and the Celery task queued once the transaction
commits. The worker runs the job (`exporting.export_run`, through `tasks.render_export`)."""

from __future__ import annotations

from django.db import transaction

from audit.events import Action, record
from challenges.models import Challenge
from workshops.exporting import earchive_check
from workshops.models import Export, Workshop
from workshops.tasks import render_export


def export_request(
    *, kind: str, user, workshop: Workshop | None = None, challenge: Challenge | None = None
) -> Export:
    """Queue an export; the worker picks it up once this transaction commits."""
    if (workshop is None) == (challenge is None):
        raise ValueError("An export is of a workshop or of a challenge")
    if kind == Export.Kind.EARCHIVE:
        earchive_check(workshop=workshop, challenge=challenge)  # ValidationError: not yet
    export = Export.objects.create(
        kind=kind, workshop=workshop, challenge=challenge, requested_by=user
    )
    subject = workshop or challenge
    record(
        action=Action.EXPORT_REQUESTED,
        actor=user,
        organisation_id=(workshop.challenge if workshop else challenge).organisation_id,
        target=subject,
        detail={"export": export.pk, "kind": kind},
    )
    transaction.on_commit(lambda: render_export.delay(export.pk))
    return export


def export_downloaded(*, export: Export, user) -> None:
    """Record a download of the export's file (the view serves it)."""
    subject = export.workshop or export.challenge
    challenge = export.workshop.challenge if export.workshop else export.challenge
    record(
        action=Action.EXPORT_DOWNLOADED,
        actor=user,
        organisation_id=challenge.organisation_id,
        target=subject,
        detail={"export": export.pk, "kind": export.kind},
    )


def export_retry(*, export: Export) -> Export:
    """Start a failed export again, with a fresh attempt budget."""
    Export.objects.filter(pk=export.pk, status=Export.Status.FAILED).update(
        status=Export.Status.QUEUED, attempts=0, error=""
    )
    transaction.on_commit(lambda: render_export.delay(export.pk))
    export.refresh_from_db()
    return export
