"""Export jobs: render one in a Celery worker, serve the file (requesting one is
`services.exports.export_request`; this module never queues a task).

Reliability rules (a worker may die at any moment):
- the task takes an export id, never an object;
- a job is *claimed* under a row lock (SELECT ... FOR UPDATE: queued, or running but
  stale), so a redelivered message cannot render a job another worker is still rendering;
- the attempt counter lives in the database and is counted by the claim; after
  `MAX_ATTEMPTS` the job is failed, so it cannot loop:
  - an attempt that raises records its error, and the last one fails the job;
  - an attempt whose worker dies (killed, out of memory) records nothing; its message comes
    back (acks_late: the worker gives it back, or Redis after the visibility timeout; the
    beat sweep `tasks.requeue_stuck_exports` re-sends a job whose message was lost), meets the
    dead claim (ExportBusy: retried later) until it is stale (`LABB_EXPORT_STALE_SECONDS`,
    600 s), then claims the job again;
    once `MAX_ATTEMPTS` were claimed, the claim fails the job instead, with the reason
    `Export.WORKER_STOPPED` ("The worker stopped during each of 3 attempts.") or the error
    an earlier attempt raised;
- the file is written under a temporary name and renamed into place, and leftovers of a
  killed attempt are removed before the next one, so a download is never half a file;
- re-running a finished job does nothing.
"""

from __future__ import annotations

import datetime
import io
import logging
import os
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.models import Challenge
from workshops.models import Export, Workshop

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
TEMP_MARK = ".part-"

EXTENSIONS = {
    Export.Kind.POSTER: "png",
    Export.Kind.PDF: "pdf",
    Export.Kind.CSV: "zip",  # one CSV file per table: notes, themes, next steps
    Export.Kind.XLSX: "xlsx",
    Export.Kind.ARCHIVE: "json",
    Export.Kind.EARCHIVE: "tar",
}
CONTENT_TYPES = {
    "png": "image/png",
    "zip": "application/zip",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "tar": "application/x-tar",
}


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(os.environ.get("LABB_EXPORT_STALE_SECONDS", "600")))


class ExportBusy(Exception):
    """Another worker claimed the job recently; ask again once its claim may be stale.

    This is what a redelivered message meets when the worker that rendered the job died
    moments ago: dropping it would leave the job 'running' for ever.
    """

    def __init__(self, retry_in: float) -> None:
        super().__init__(retry_in)
        self.retry_in = retry_in


def _claim(export_id: int) -> Export | None:
    """Take the job for this attempt, or None if it is done or failed.

    Raises ExportBusy if another worker is (or was, moments ago) rendering it.
    """
    now = timezone.now()
    with transaction.atomic():
        export = Export.objects.select_for_update().filter(pk=export_id).first()
        if export is None or export.status in (Export.Status.DONE, Export.Status.FAILED):
            return None
        if export.status == Export.Status.RUNNING and export.started_at > now - stale_after():
            remaining = (export.started_at + stale_after() - now).total_seconds()
            raise ExportBusy(retry_in=max(1.0, remaining + 1.0))
        if export.attempts >= MAX_ATTEMPTS:
            # The last attempt's worker died (its claim went stale): an attempt that raises
            # records its own failure. Give up instead of a fourth attempt, or a job whose
            # render kills the worker would be claimed, and its worker killed, for ever.
            export.status = Export.Status.FAILED
            export.error = export.error or Export.WORKER_STOPPED % {"count": export.attempts}
            export.finished_at = now
            export.save(update_fields=["status", "error", "finished_at"])
            return None
        export.status = Export.Status.RUNNING
        export.attempts += 1
        export.started_at = now
        export.save(update_fields=["status", "attempts", "started_at"])
    return export


def export_run(*, export_id: int) -> Export | None:
    """Render one export. Raises on failure while attempts remain (the task retries)."""
    export = _claim(export_id)
    if export is None:
        return None
    directory = export_dir(export)
    _remove_leftovers(directory)
    try:
        data, extension = render_bytes(export)
        name = download_name(export, extension)
        path = _write_atomically(directory, name, data)
    except Exception as exc:
        logger.exception("Export %s failed (attempt %s)", export.pk, export.attempts)
        final = export.attempts >= MAX_ATTEMPTS
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.FAILED if final else Export.Status.QUEUED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now() if final else None,
        )
        _remove_leftovers(directory)
        if final:
            return None
        raise
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE,
        file_path=str(path.relative_to(settings.EXPORT_ROOT)),
        file_name=name,
        size_bytes=len(data),
        error="",
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export


def render_bytes(export: Export) -> tuple[bytes, str]:
    from workshops import exports

    if export.workshop_id:
        snapshot = exports.build_workshop_snapshot(export.workshop)
    else:
        snapshot = exports.build_challenge_snapshot(export.challenge)
    kind = export.kind
    if kind == Export.Kind.POSTER:
        pages = exports.render_poster(snapshot)
        if len(pages) == 1:
            return pages[0], "png"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for number, page in enumerate(pages, start=1):
                archive.writestr(f"poster-{number:02d}.png", page)
        return buffer.getvalue(), "zip"
    if kind == Export.Kind.EARCHIVE:
        return exports.render_earchive(
            snapshot, records=records_info(export), stem=_stem(export)
        ), "tar"
    renderer = {
        Export.Kind.PDF: exports.render_pdf,
        Export.Kind.CSV: exports.render_csv,
        Export.Kind.XLSX: exports.render_xlsx,
        Export.Kind.ARCHIVE: exports.render_archive,
    }[kind]
    return renderer(snapshot), EXTENSIONS[kind]


def earchive_check(*, workshop: Workshop | None, challenge: Challenge | None) -> None:
    """Refuse an e-archive package of records still being made: a workshop must be closed,
    and so must every workshop of a challenge (and it needs one)."""
    if workshop is not None:
        if not workshop.is_closed:
            raise ValidationError(
                _("Close the workshop before you make an e-archive package of it."),
                code="not_closed",
            )
        return
    open_count = challenge.workshops.exclude(phase=Workshop.Phase.CLOSED).count()
    if open_count:
        raise ValidationError(
            ngettext(
                "Close every workshop of the challenge before you make an e-archive package "
                "of it: %(count)s workshop is not closed.",
                "Close every workshop of the challenge before you make an e-archive package "
                "of it: %(count)s workshops are not closed.",
                open_count,
            )
            % {"count": open_count},
            code="not_closed",
        )
    if not challenge.workshops.exists():
        raise ValidationError(
            _("This challenge has no workshops to put in an e-archive package."),
            code="not_closed",
        )


def records_info(export: Export):
    """The registry's metadata for an e-archive package: the workshop's registration number
    and classification, or its challenge's when it has none; the retention decision."""
    from workshops.exports import RecordsInfo, RetentionDecision
    from workshops.exports.earchive import new_package_id

    challenge = export.challenge or export.workshop.challenge
    workshops = [export.workshop] if export.workshop_id else list(challenge.workshops.all())
    subject = export.workshop or challenge
    if export.workshop_id:
        retention = RetentionDecision(
            keep=export.workshop.keep, dispose_after=export.workshop.retain_until
        )
    else:
        # The package holds every workshop: kept if one is kept, else until the last date.
        dates = [w.retain_until for w in workshops if w.retain_until]
        retention = RetentionDecision(
            keep=any(w.keep for w in workshops), dispose_after=max(dates) if dates else None
        )
    user = export.requested_by
    return RecordsInfo(
        package_id=new_package_id(),
        organisation=challenge.organisation.name,
        registration_number=subject.registration_number or challenge.registration_number,
        classification=subject.classification or challenge.classification,
        retention=retention,
        start_date=min(w.date for w in workshops),
        end_date=max(w.date for w in workshops),
        contact_name=(user.get_full_name() or user.get_username()) if user else "",
    )


def export_dir(export: Export) -> Path:
    return Path(settings.EXPORT_ROOT) / str(export.pk)


def _stem(export: Export) -> str:
    subject = export.workshop.title if export.workshop_id else export.challenge.question
    return f"labb-{slugify(subject)[:60].strip('-') or 'labb'}"


def download_name(export: Export, extension: str) -> str:
    return f"{_stem(export)}-{export.kind}.{extension}"


def _write_atomically(directory: Path, name: str, data: bytes) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / name
    temporary = directory / f"{name}{TEMP_MARK}{uuid.uuid4().hex}"
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, final)
    return final


def _remove_leftovers(directory: Path) -> None:
    if directory.is_dir():
        for path in directory.iterdir():
            if TEMP_MARK in path.name:
                path.unlink(missing_ok=True)


def export_file_path(export: Export) -> Path | None:
    if export.status != Export.Status.DONE or not export.file_path:
        return None
    root = Path(settings.EXPORT_ROOT).resolve()
    path = (root / export.file_path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def exports_stuck() -> list[int]:
    """The jobs whose message was lost or whose worker died: the beat sweep
    (`tasks.requeue_stuck_exports`) sends them again."""
    threshold = timezone.now() - stale_after()
    stuck = list(
        Export.objects.filter(
            Q(status=Export.Status.QUEUED, created_at__lt=threshold)
            | Q(status=Export.Status.RUNNING, started_at__lt=threshold)
        ).values_list("pk", flat=True)
    )
    return stuck


def exports_expire(*, now: datetime.datetime | None = None) -> int:
    """Remove export files (and rows) older than the export retention setting."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.LABB_EXPORT_RETENTION_DAYS)
    expired = list(Export.objects.filter(created_at__lt=cutoff))
    for export in expired:
        export_delete(export=export)
    return len(expired)


def export_delete(*, export: Export) -> None:
    directory = export_dir(export)
    if directory.is_dir():
        for path in directory.iterdir():
            path.unlink(missing_ok=True)
        directory.rmdir()
    export.delete()
