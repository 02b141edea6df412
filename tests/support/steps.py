"""Steps a test takes in a workshop, as people do: join from a phone, post a note, and
the facilitator's moves (a note added, the phase set)."""

from __future__ import annotations

import time
import uuid

from django.test import Client

from workshops.models import Participant, Workshop
from workshops.services.notes import note_create
from workshops.services.phases import phase_set


def join_as(
    client: Client, workshop: Workshop, *, group_index: int = 0, name: str = ""
) -> Participant:
    """Join through the real join page, as a phone would."""
    group = list(workshop.groups.all())[group_index]
    response = client.post(f"/j/{workshop.join_code}/", {"display_name": name, "group": group.pk})
    assert response.status_code == 302, response.content
    return Participant.objects.filter(workshop=workshop).latest("pk")


def post_note(
    client: Client, workshop: Workshop, *, text: str, column=None, client_id=None, **extra
):
    column = column or workshop.columns.first()
    return client.post(
        f"/p/{workshop.pk}/notes/",
        {"column": column.pk, "text": text, "client_id": str(client_id or uuid.uuid4())},
        **extra,
    )


def fresh_window(seconds: int, needed: float) -> None:
    """Fixed-window limits reset at multiples of `seconds` (workshops/limits.py,
    workshops/throttle.py): wait for the next window if fewer than `needed` seconds are left
    in this one, so a test that spends a budget never sees it refilled halfway."""
    left = seconds - time.time() % seconds
    if left < needed:
        time.sleep(left + 0.05)


def set_phase(workshop: Workshop, phase: str) -> Workshop:
    return phase_set(workshop=workshop, phase=phase)


def add_note(workshop, participant, text, column=None):
    note, _ = note_create(
        workshop=workshop,
        participant=participant,
        group=participant.group,
        column=column or workshop.columns.first(),
        text=text,
        client_id=uuid.uuid4(),
    )
    return note
