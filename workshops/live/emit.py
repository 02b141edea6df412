"""Emitting a live event: a `LiveEvent` row in the write's transaction, published on commit.

The database is the truth (Zulip's `send_event_on_commit`): the row is written under the
workshop's ordering lock so ids commit in order and a stream can resume after any id; the
message through the hub only says "event N happened", and each screen renders it.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from django.db import connection, transaction

from labb import live
from workshops.live.events import KINDS, LiveChange
from workshops.live.shown import workshop_state_facts
from workshops.models import Group, LiveEvent, Workshop

LIVE_EVENT_LOCK = 0x4C4C  # advisory lock namespace for live event ordering ("LL")


@dataclasses.dataclass(frozen=True, slots=True)
class Sent:
    """An event as it was published: its row id, audience and (phones) group."""

    id: int
    workshop_id: int
    audience: str
    group_id: int | None
    event: LiveChange
    facts: dict | None = None

    @property
    def name(self) -> str:
        return str(self.event.name)

    def message(self) -> dict:
        """What goes through the hub: the ids and fields, never HTML; with the values the
        screens show (`facts`, `live.shown`) when the write had them at hand."""
        data = {
            "audience": self.audience,
            "group_id": self.group_id,
            "kind": self.event.kind,
            "payload": self.event.payload(),
        }
        if self.facts is not None:
            data["facts"] = self.facts
        return {"id": self.id, "topic": self.workshop_id, "name": self.name, "data": data}


_captures: list[list[Sent]] = []


def _order_lock(workshop_id: int) -> None:
    """Commit a workshop's live events in id order (held until the transaction ends).

    Streams resume "after event N" (Last-Event-ID, page render). Without this, an event
    that got a smaller id but committed after a bigger one was never seen by a stream that
    had already passed it: the benchmark lost notes at 50 notes/s over two processes.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LIVE_EVENT_LOCK, workshop_id])


def emit(
    *,
    workshop: Workshop,
    event: LiveChange,
    audience: str | None = None,
    group: Group | None = None,
    facts: dict | None = None,
) -> LiveEvent:
    """Store `event` for replay and publish it when the transaction commits.

    `audience` defaults to the event's own; `group` limits a phone event to one group.
    `facts` (`live.shown`) are published with the event so that screens render it without
    reading the rows again; they are not stored: a replay reads the rows as they are then.
    An event that shows the workshop's state gets that state here, read after the lock.
    Only the registered kinds (`events.KINDS`) can be emitted: a screen renders nothing
    else.
    """
    if KINDS.get(type(event).__name__) is not type(event):
        raise TypeError(f"{event!r} is not a registered live event")
    audience = audience or event.audience
    _order_lock(workshop.pk)
    if facts is None and event.shows_workshop:
        facts = workshop_state_facts(workshop.pk)
    row = LiveEvent.objects.create(
        workshop=workshop,
        audience=audience,
        group=group,
        name=event.name,
        kind=event.kind,
        payload=event.payload(),
    )
    sent = Sent(
        id=row.pk,
        workshop_id=workshop.pk,
        audience=audience,
        group_id=group.pk if group else None,
        event=event,
        facts=facts,
    )
    transaction.on_commit(lambda: _publish(sent))
    return row


def _publish(sent: Sent) -> None:
    for captured in _captures:
        captured.append(sent)
    live.publish(sent.message())


@contextlib.contextmanager
def capture() -> Iterator[list[Sent]]:
    """Record every event published inside the block (tests: run the on-commit callbacks
    with `django_capture_on_commit_callbacks(execute=True)`)."""
    captured: list[Sent] = []
    _captures.append(captured)
    try:
        yield captured
    finally:
        _captures.remove(captured)
