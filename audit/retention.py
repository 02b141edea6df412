"""The audit trail's own retention: events older than `LABB_AUDIT_RETENTION_DAYS` are
removed by the hourly retention sweep (workshops/retention.py calls `audit_purge`)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent


def audit_purge(*, now: datetime.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.LABB_AUDIT_RETENTION_DAYS)
    _total, by_model = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    return by_model.get(AuditEvent._meta.label, 0)
