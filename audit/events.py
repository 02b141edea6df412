"""Recording audit events: `record(...)`, called by the services that change things
(workshops/services/, orgadmin/services.py), by the export download view, by the
retention job and, for sign-ins, by Django's signals (audit/signals.py).

Never a participant's identity: the actor is the signed-in user (or nobody, for the system);
a note is named by its id only, never by its text.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from audit.models import AuditEvent

Action = AuditEvent.Action

# Objects whose `str()` may carry what a participant wrote or their name: named by id only.
_UNNAMED = frozenset({"note", "participant"})
LABEL_LENGTH = 200


def _user_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def record(
    *,
    action: str,
    actor=None,
    organisation_id: int | None = None,
    target: models.Model | None = None,
    label: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one event. `actor` is a user (an anonymous user or None records no actor);
    `target` the object acted on, named by its type, id and `label` (its `str()` unless
    given, never for notes and participants)."""
    user = _user_or_none(actor)
    object_type, object_id, object_label = "", None, ""
    if target is not None:
        object_type = target._meta.model_name
        object_id = target.pk
        if object_type not in _UNNAMED:
            object_label = str(target) if label is None else label
    elif label:
        object_label = label
    return AuditEvent.objects.create(
        action=action,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        organisation_id=organisation_id,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:LABEL_LENGTH],
        detail=detail or {},
    )
