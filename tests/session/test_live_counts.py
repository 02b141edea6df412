"""Counts on the board stay current: people who join or move after the board was loaded,
and notes that wait for approval in Reveal with screening on (issue 12, item 10)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tests.support.live import event_html
from tests.support.steps import join_as
from workshops.live.events import PendingChanged, PeopleChanged
from workshops.models import Note, Workshop
from workshops.services.groups import participant_move
from workshops.services.joins import participant_join
from workshops.services.notes import note_create, note_delete, notes_screen
from workshops.services.phases import phase_set

pytestmark = pytest.mark.django_db


def _people(events) -> list[PeopleChanged]:
    return [e.event for e in events if isinstance(e.event, PeopleChanged)]


def test_a_join_after_the_board_was_loaded_updates_its_people_count(
    workshop, facilitator_client, captured_events, django_capture_on_commit_callbacks
):
    group = workshop.groups.order_by("position").first()
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert f'<span id="people-g{group.pk}">0</span>' in board
    with django_capture_on_commit_callbacks(execute=True):
        join_as(Client(), workshop, group_index=0)
        join_as(Client(), workshop, group_index=0)
    assert [(e.event, e.audience) for e in captured_events] == [
        (PeopleChanged(group_id=group.pk, count=1), "board"),
        (PeopleChanged(group_id=group.pk, count=2), "board"),
    ]
    html = event_html(captured_events[-1])
    assert html == f'<span id="people-g{group.pk}" hx-swap-oob="innerHTML">2</span>\n'


def test_moving_a_participant_updates_both_groups(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    first, second = list(workshop.groups.order_by("position"))[:2]
    participant = participant_join(workshop=workshop, group=first)
    with django_capture_on_commit_callbacks(execute=True):
        participant_move(participant=participant, group=second)
    assert set(_people(captured_events)) == {
        PeopleChanged(group_id=first.pk, count=0),
        PeopleChanged(group_id=second.pk, count=1),
    }


def test_notes_waiting_for_approval_in_reveal_show_on_the_board_live(
    workshop, facilitator_client, captured_events, django_capture_on_commit_callbacks
):
    workshop.screening = True
    workshop.save(update_fields=["screening"])
    phase_set(workshop=workshop, phase=Workshop.Phase.REVEAL)
    participant = participant_join(
        workshop=workshop, group=workshop.groups.order_by("position").first()
    )
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert '<p class="pending-notes" id="pending-notes"></p>' in board
    captured_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        note, _created = note_create(
            workshop=workshop,
            participant=participant,
            group=participant.group,
            column=workshop.columns.first(),
            text="Väntar på godkännande",
            client_id=uuid.uuid4(),
        )
    assert note.status == Note.Status.PENDING
    assert [(e.event, e.audience) for e in captured_events] == [(PendingChanged(count=1), "board")]
    html = event_html(captured_events[0])
    assert "1 note waits for approval" in html
    assert f'href="/workshops/{workshop.pk}/screening/"' in html
    assert "Väntar" not in html  # the number, never the text
    assert "1 lapp väntar på godkännande" in event_html(captured_events[0], language="sv")
    assert event_html(captured_events[0], screen="phone") == ""
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert "1 note waits for approval" in board

    captured_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notes_screen(workshop=workshop, note_ids=[note.pk], approve=True)
    pending = [e for e in captured_events if isinstance(e.event, PendingChanged)]
    assert [e.event for e in pending] == [PendingChanged(count=0)]
    assert '<p class="pending-notes" id="pending-notes" hx-swap-oob="outerHTML"></p>' in event_html(
        pending[0]
    )
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    assert "waits for approval" not in projector


def test_screening_many_notes_sends_one_pending_count_and_deleting_one_updates_it(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    workshop.screening = True
    workshop.save(update_fields=["screening"])
    participant = participant_join(
        workshop=workshop, group=workshop.groups.order_by("position").first()
    )
    phase_set(workshop=workshop, phase=Workshop.Phase.WRITE)
    notes = [
        note_create(
            workshop=workshop,
            participant=participant,
            group=participant.group,
            column=workshop.columns.first(),
            text=f"Lapp {i}",
            client_id=uuid.uuid4(),
        )[0]
        for i in range(3)
    ]
    captured_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notes_screen(workshop=workshop, note_ids=[n.pk for n in notes[:2]], approve=False)
    pending = [e.event for e in captured_events if isinstance(e.event, PendingChanged)]
    assert pending == [PendingChanged(count=1)]
    captured_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        note_delete(note=notes[2])
    pending = [e.event for e in captured_events if isinstance(e.event, PendingChanged)]
    assert pending == [PendingChanged(count=0)]


def test_after_the_reveal_a_join_sends_no_people_count(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    phase_set(workshop=workshop, phase=Workshop.Phase.REVEAL)
    captured_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        join_as(Client(), workshop, group_index=0)
    assert captured_events == []
