"""Emitting a live event: a `LiveEvent` row in the write's transaction, published on commit.

The database is the truth (Zulip's `send_event_on_commit`): the row is written under the
workshop's ordering lock so ids commit in order and a stream can resume after any id; the
message through the hub only says "event N happened", and each screen renders it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator

from django.db import connection, transaction
from django.utils import timezone

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


def _insert_in_order(
    workshop_id: int, audience: str, group_id: int | None, event: LiveChange
) -> int:
    """Insert the event's row and return its id; ids commit in order per workshop.

    Streams resume "after event N" (Last-Event-ID, page render). An event that got a smaller
    id but committed after a bigger one was never seen by a stream that had already passed
    it: the benchmark lost notes at 50 notes/s over two processes. So the row is inserted
    under the workshop's transaction-level advisory lock, held until the commit, and its id
    is drawn after the lock is taken.

    The lock is taken by the INSERT itself, in one round trip: every post into a workshop
    waits for the lock, so each round trip while it is held is paid by all of them. A note
    in Reveal inserts two rows (boards, its group's phones), so the lock used to be held for
    four round trips (lock, insert, lock, insert) and the commit; now for one and the commit.
    """
    payload = event.payload()
    if connection.vendor != "postgresql":
        # SQLite (the demo) runs one write at a time anyway.
        return LiveEvent.objects.create(
            workshop_id=workshop_id,
            audience=audience,
            group_id=group_id,
            name=event.name,
            kind=event.kind,
            payload=payload,
        ).pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LiveEvent._meta.db_table} "  # noqa: S608 - the model's own table
            "(workshop_id, audience, group_id, name, kind, payload, created_at) "
            "SELECT %s, %s, %s, %s, %s, %s::jsonb, %s "
            "FROM (SELECT pg_advisory_xact_lock(%s, %s)) AS ordered RETURNING id",
            [
                workshop_id,
                audience,
                group_id,
                str(event.name),
                event.kind,
                json.dumps(payload),
                timezone.now(),
                LIVE_EVENT_LOCK,
                workshop_id,
            ],
        )
        return cursor.fetchone()[0]


def emit(
    *,
    workshop: Workshop,
    event: LiveChange,
    audience: str | None = None,
    group: Group | None = None,
    facts: dict | None = None,
) -> int:
    """Store `event` for replay and publish it when the transaction commits; its id.

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
    group_id = group.pk if group else None
    event_id = _insert_in_order(workshop.pk, audience, group_id, event)
    if facts is None and event.shows_workshop:
        # Read after the lock: the state holds every earlier event's change too.
        facts = workshop_state_facts(workshop.pk)
    sent = Sent(
        id=event_id,
        workshop_id=workshop.pk,
        audience=audience,
        group_id=group_id,
        event=event,
        facts=facts,
    )
    transaction.on_commit(lambda: _publish(sent))
    return event_id


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
