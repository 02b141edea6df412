import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.support.live import event_html
from workshops import limits
from workshops.live.events import NoteAdded, NoteChanged, NoteRemoved, PendingChanged
from workshops.models import LiveEvent, Note
from workshops.services.joins import participant_join
from workshops.services.notes import (
    note_create,
    note_delete,
    note_set_status,
    note_update,
    notes_bulk_add,
)
from workshops.services.phases import workshop_set_accepting
from workshops.services.workshops import workshop_create


@pytest.fixture
def participant(workshop):
    return participant_join(workshop=workshop, display_name="Kim", group=workshop.groups.first())


def _create(workshop, participant, text="Gemensam målbild", client_id=None):
    return note_create(
        workshop=workshop,
        participant=participant,
        group=participant.group,
        column=workshop.columns.first(),
        text=text,
        client_id=client_id or uuid.uuid4(),
    )


def test_it_saves_a_note_once_per_client_id(workshop, participant):
    client_id = uuid.uuid4()
    first, created_first = _create(workshop, participant, client_id=client_id)
    again, created_again = _create(workshop, participant, client_id=client_id)
    assert created_first and not created_again
    assert first.pk == again.pk
    assert Note.objects.filter(workshop=workshop).count() == 1


def _reveal(workshop):
    # Before the reveal, boards get counts instead of notes (tests/session/test_phases.py).
    workshop.phase = workshop.Phase.REVEAL
    workshop.save(update_fields=["phase"])


def _board(events):
    """The events for board screens (after the reveal, the group's phones get their own)."""
    return [event for event in events if event.audience == LiveEvent.Audience.BOARD]


def test_it_publishes_the_note_on_commit(
    workshop, participant, captured_events, django_capture_on_commit_callbacks
):
    _reveal(workshop)
    with django_capture_on_commit_callbacks(execute=True):
        note, _ = _create(workshop, participant, text="Tillit <b>mellan</b> kommunerna")
    assert len(_board(captured_events)) == 1
    sent = _board(captured_events)[0]
    assert sent.event == NoteAdded(
        note_id=note.pk, group_id=note.group_id, column_id=note.column_id
    )
    assert (sent.name, sent.audience, sent.group_id) == ("note", "board", note.group_id)
    # The row holds the typed event for replay, not HTML.
    row = LiveEvent.objects.get(pk=sent.id)
    assert (row.name, row.kind, row.payload) == ("note", "NoteAdded", sent.event.payload())
    html = event_html(sent)
    assert f'id="note-{note.pk}"' in html
    assert f"#notes-g{note.group_id}-c{note.column_id}" in html
    # Plain text, escaped: the markup the participant typed is not markup on the board.
    assert "&lt;b&gt;mellan&lt;/b&gt;" in html


def test_it_does_not_publish_when_the_transaction_rolls_back(
    workshop, participant, captured_events, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _create(workshop, participant)
        raise RuntimeError
    assert captured_events == []
    assert not Note.objects.exists()


def test_it_rejects_empty_and_too_long_notes(workshop, participant):
    with pytest.raises(ValidationError):
        _create(workshop, participant, text="   ")
    with pytest.raises(ValidationError):
        _create(workshop, participant, text="x" * 501)
    note, _ = _create(workshop, participant, text="y" * 500)
    assert len(note.text) == 500


def test_it_refuses_notes_when_the_workshop_is_closed_for_notes(workshop, participant):
    workshop_set_accepting(workshop=workshop, accepting=False)
    with pytest.raises(PermissionDenied):
        _create(workshop, participant)


def test_a_client_id_of_another_participant_is_refused(workshop, participant):
    other = participant_join(workshop=workshop, group=workshop.groups.last())
    client_id = uuid.uuid4()
    _create(workshop, participant, client_id=client_id)
    with pytest.raises(ValidationError):
        _create(workshop, other, client_id=client_id)


@pytest.mark.usefixtures("fresh_note_window")
def test_it_limits_notes_per_minute(workshop, participant, settings):
    settings.LABB_NOTES_PER_MINUTE = 3
    for _ in range(3):
        _create(workshop, participant)
    with pytest.raises(limits.RateLimited) as excinfo:
        _create(workshop, participant)
    assert 0 < excinfo.value.retry_after <= 60


def test_screened_notes_wait_and_are_not_published(
    workshop, participant, captured_events, django_capture_on_commit_callbacks
):
    workshop.screening = True
    workshop.save()
    _reveal(workshop)
    with django_capture_on_commit_callbacks(execute=True):
        note, _ = _create(workshop, participant)
    assert note.status == Note.Status.PENDING
    # Board screens learn that a note waits for approval, not what it says.
    assert [(e.event, e.audience) for e in captured_events] == [(PendingChanged(count=1), "board")]
    assert "1 note waits for approval" in event_html(captured_events[0])
    assert note.text not in event_html(captured_events[0])
    assert event_html(captured_events[0], screen="phone") == ""
    captured_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        note_set_status(note=note, status=Note.Status.VISIBLE)
    assert [event.event for event in _board(captured_events)] == [
        NoteAdded(note_id=note.pk, group_id=note.group_id, column_id=note.column_id),
        PendingChanged(count=0),
    ]


def test_hiding_and_deleting_remove_the_note_from_live_boards(
    workshop, participant, captured_events, django_capture_on_commit_callbacks
):
    _reveal(workshop)
    note, _ = _create(workshop, participant)
    ids = {"note_id": note.pk, "group_id": note.group_id, "column_id": note.column_id}
    with django_capture_on_commit_callbacks(execute=True):
        note_set_status(note=note, status=Note.Status.HIDDEN)
        note_set_status(note=note, status=Note.Status.VISIBLE)
        note_update(note=note, text="Ändrad text")
        note_delete(note=note)
    assert [event.event for event in _board(captured_events)] == [
        NoteRemoved(**ids),
        NoteAdded(**ids),
        NoteChanged(**ids),
        NoteRemoved(**ids),
    ]
    assert event_html(_board(captured_events)[-1]) == (
        f'<div id="note-{ids["note_id"]}" hx-swap-oob="delete"></div>\n'
    )
    assert not Note.objects.filter(pk=note.pk).exists()


def test_bulk_add_makes_one_note_per_line(workshop):
    group = workshop.groups.first()
    column = workshop.columns.last()
    notes = notes_bulk_add(
        workshop=workshop,
        group=group,
        column=column,
        lines="- Stuprör\n\n• Finansiering saknas\n  Otydliga mandat  \n",
    )
    assert [note.text for note in notes] == ["Stuprör", "Finansiering saknas", "Otydliga mandat"]
    assert all(note.participant is None and note.column == column for note in notes)


def test_workshop_gets_template_columns_and_groups(workshop):
    assert [c.title for c in workshop.columns.all()] == ["Success factors", "Obstacles"]
    assert workshop.groups.count() == 3
    assert len(workshop.join_code) == 7
    assert workshop.retain_until is not None


def test_custom_template_uses_the_named_columns(challenge, facilitator):
    workshop = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Egen",
        template_key="custom",
        custom_columns=["Styrkor", "", "Svagheter"],
        group_count=1,
    )
    assert [c.title for c in workshop.columns.all()] == ["Styrkor", "Svagheter"]


def test_group_count_is_limited(challenge, facilitator):
    with pytest.raises(ValidationError):
        workshop_create(
            challenge=challenge,
            user=facilitator,
            title="x",
            template_key="brainstorm",
            group_count=31,
        )


def test_template_columns_are_created_in_the_active_language(challenge, facilitator):
    from django.utils import translation

    with translation.override("sv"):
        workshop = workshop_create(
            challenge=challenge,
            user=facilitator,
            title="Lärlabb",
            template_key="success_obstacles",
            group_count=2,
        )
    assert [c.title for c in workshop.columns.all()] == ["Framgångsfaktorer", "Hinder"]
    assert [c.prompt for c in workshop.columns.all()] == [
        "Vad gör att det fungerar?",
        "Vad sätter käppar i hjulet?",
    ]
    assert workshop.question == "Vad krävs för att få det att hända?"
    assert [g.name for g in workshop.groups.all()] == ["Grupp 1", "Grupp 2"]
