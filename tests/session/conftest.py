"""Fixtures for the session tests: a workshop with participants in groups, moved by phase."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tests.conftest import join_as
from workshops import services, session
from workshops.models import Workshop


def set_phase(workshop: Workshop, phase: str) -> Workshop:
    return session.phase_set(workshop=workshop, phase=phase)


def add_note(workshop, participant, text, column=None):
    note, _ = services.note_create(
        workshop=workshop,
        participant=participant,
        group=participant.group,
        column=column or workshop.columns.first(),
        text=text,
        client_id=uuid.uuid4(),
    )
    return note


@pytest.fixture
def phones(workshop) -> list[tuple[Client, object]]:
    """Four phones: two in the first group, two in the second."""
    result = []
    for index, name in enumerate(["Kim", "Alex", "Robin", ""]):
        client = Client()
        participant = join_as(client, workshop, group_index=index // 2, name=name)
        result.append((client, participant))
    return result


@pytest.fixture
def other_client(client, other_facilitator) -> Client:
    client.force_login(other_facilitator)
    return client
