"""Celery tasks. Thin: take an id, call a service, let the service record status."""

from celery import shared_task

from workshops import exporting

RETRY_DELAYS = (5, 30)


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=exporting.MAX_ATTEMPTS
)
def render_export(self, export_id: int) -> None:
    try:
        exporting.export_run(export_id=export_id)
    except exporting.ExportBusy as busy:
        if self.request.is_eager:
            return  # In-process: whoever holds the claim is running right now.
        # Not an attempt: check again when the other claim may be stale (its worker died).
        raise self.retry(countdown=busy.retry_in, max_retries=None) from busy
    except Exception as exc:
        delay = RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)]
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task
def requeue_stuck_exports() -> int:
    """Send again the jobs whose message was lost or whose worker died."""
    stuck = exporting.exports_stuck()
    for export_id in stuck:
        render_export.delay(export_id)
    return len(stuck)


@shared_task
def expire_exports() -> int:
    return exporting.exports_expire()


@shared_task
def retention_sweep() -> dict:
    """Hourly (CELERY_BEAT_SCHEDULE): dispose of expired workshops, purge old live events
    and old audit events."""
    from workshops import retention

    result = retention.retention_sweep()
    return {
        "disposed": result.disposed,
        "live_events_removed": result.live_events_removed,
        "audit_events_removed": result.audit_events_removed,
    }
