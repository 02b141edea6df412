"""Counts on the board stay current: people who join or move after the board was loaded,
and notes that wait for approval in Reveal with screening on (issue 12, item 10)."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from tests.conftest import join_as
from workshops import services, session
from workshops.models import Note, Workshop

pytestmark = pytest.mark.django_db


def _people(events) -> dict[str, str]:
    return dict(
        re.findall(
            r'id="people-g(\d+)" hx-swap-oob="innerHTML">(\d+)<',
            "".join(e["data"] for e in events if e["name"] == "counts"),
        )
    )


def test_a_join_after_the_board_was_loaded_updates_its_people_count(
    workshop, facilitator_client, captured_events, django_capture_on_commit_callbacks
):
    group = workshop.groups.order_by("position").first()
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert f'<span id="people-g{group.pk}">0</span>' in board
    with django_capture_on_commit_callbacks(execute=True):
        join_as(Client(), workshop, group_index=0)
        join_as(Client(), workshop, group_index=0)
    assert [(e["name"], e["audience"]) for e in captured_events] == [("counts", "board")] * 2
    assert _people(captured_events[-1:]) == {str(group.pk): "2"}


def test_moving_a_participant_updates_both_groups(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    first, second = list(workshop.groups.order_by("position"))[:2]
    participant = services.participant_join(workshop=workshop, group=first)
    with django_capture_on_commit_callbacks(execute=True):
        session.participant_move(participant=participant, group=second)
    assert _people(captured_events) == {str(first.pk): "0", str(second.pk): "1"}


def test_notes_waiting_for_approval_in_reveal_show_on_the_board_live(
    workshop, facilitator_client, captured_events, django_capture_on_commit_callbacks
):
    workshop.screening = True
    workshop.save(update_fields=["screening"])
    session.phase_set(workshop=workshop, phase=Workshop.Phase.REVEAL)
    participant = services.participant_join(
        workshop=workshop, group=workshop.groups.order_by("position").first()
    )
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert '<p class="pending-notes" id="pending-notes"></p>' in board
    captured_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        note, _created = services.note_create(
            workshop=workshop,
            participant=participant,
            group=participant.group,
            column=workshop.columns.first(),
            text="Väntar på godkännande",
            client_id=uuid.uuid4(),
        )
    assert note.status == Note.Status.PENDING
    assert [(e["name"], e["audience"]) for e in captured_events] == [("counts", "board")]
    assert "1 note waits for approval" in captured_events[0]["data"]
    assert f'href="/workshops/{workshop.pk}/screening/"' in captured_events[0]["data"]
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert "1 note waits for approval" in board

    captured_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session.notes_screen(workshop=workshop, note_ids=[note.pk], approve=True)
    pending = [e for e in captured_events if e["name"] == "counts"]
    assert len(pending) == 1
    assert (
        '<p class="pending-notes" id="pending-notes" hx-swap-oob="outerHTML"></p>'
        in (pending[0]["data"])
    )
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    assert "waits for approval" not in projector


def test_after_the_reveal_a_join_sends_no_people_count(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    session.phase_set(workshop=workshop, phase=Workshop.Phase.REVEAL)
    captured_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        join_as(Client(), workshop, group_index=0)
    assert captured_events == []
