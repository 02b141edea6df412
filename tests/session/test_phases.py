import pytest
from django.test import Client

from tests.support.live import event_html
from tests.support.steps import add_note, set_phase
from workshops.live.events import CountsChanged, NoteAdded, PhaseChanged
from workshops.models import LiveEvent, Workshop
from workshops.services.notes import note_update, notes_bulk_add
from workshops.services.workshops import workshop_create

Phase = Workshop.Phase


def test_facilitator_moves_through_the_phases_and_back(facilitator_client, workshop):
    for phase in ["reveal", "cluster", "vote", "cluster"]:
        response = facilitator_client.post(f"/workshops/{workshop.pk}/phase/", {"phase": phase})
        assert response.status_code == 302
        workshop.refresh_from_db()
        assert workshop.phase == phase


def test_an_unknown_phase_is_refused_with_400(facilitator_client, workshop):
    response = facilitator_client.post(f"/workshops/{workshop.pk}/phase/", {"phase": "party"})
    assert response.status_code == 400
    assert b"Choose one of the phases." in response.content
    workshop.refresh_from_db()
    assert workshop.phase == Phase.WRITE


def test_phase_change_is_one_event_to_every_screen(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        set_phase(workshop, Phase.REVEAL)
    assert [(e.name, e.audience) for e in captured_events] == [("phase", "all")]
    assert captured_events[0].event == PhaseChanged(phase=Phase.REVEAL)
    assert "Reveal" in event_html(captured_events[0])


def test_closing_kills_the_join_code_and_reopening_gives_a_new_one(workshop, phones):
    old_code = workshop.join_code
    set_phase(workshop, Phase.CLOSED)
    workshop.refresh_from_db()
    assert workshop.join_code is None
    assert Client().get(f"/j/{old_code}/").status_code == 404
    client, participant = phones[0]
    response = client.post(
        f"/p/{workshop.pk}/notes/",
        {
            "column": workshop.columns.first().pk,
            "text": "Sent",
            "client_id": "6f1c7a3e-9c1c-4d55-9a59-2a9d5d0c1e01",
        },
    )
    assert response.status_code == 403
    set_phase(workshop, Phase.NEXT_STEPS)
    workshop.refresh_from_db()
    assert workshop.join_code and workshop.join_code != old_code


def test_participants_cannot_write_while_voting(workshop, phones):
    client, participant = phones[0]
    set_phase(workshop, Phase.VOTE)
    response = client.post(
        f"/p/{workshop.pk}/notes/",
        {
            "column": workshop.columns.first().pk,
            "text": "Late",
            "client_id": "6f1c7a3e-9c1c-4d55-9a59-2a9d5d0c1e02",
        },
    )
    assert response.status_code == 403
    assert not workshop.notes.exists()


def test_writing_is_private_boards_get_counts_not_texts(
    workshop, phones, captured_events, django_capture_on_commit_callbacks
):
    _client, participant = phones[0]
    with django_capture_on_commit_callbacks(execute=True):
        add_note(workshop, participant, "Hemlig tanke om stuprör")
    assert [(e.name, e.audience) for e in captured_events] == [("counts", "board")]
    column = workshop.columns.first()
    assert captured_events[0].event == CountsChanged(
        group_id=participant.group_id, column_id=column.pk, count=1, total=1
    )
    data = event_html(captured_events[0])
    assert "Hemlig" not in data
    assert f'id="count-g{participant.group_id}-c{column.pk}"' in data
    assert ">1<" in data


def test_projector_and_phones_see_no_texts_before_reveal_and_all_after(
    facilitator_client, workshop, phones
):
    add_note(workshop, phones[0][1], "Gemensam målbild")
    add_note(workshop, phones[2][1], "Tydliga mandat")
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/")
    assert b"Gemensam" not in projector.content
    assert b"Notes per group and column" in projector.content
    # Kim sees her own note but not Robin's.
    kim = phones[0][0].get(f"/p/{workshop.pk}/").content.decode()
    assert "Gemensam målbild" in kim and "Tydliga mandat" not in kim
    set_phase(workshop, Phase.REVEAL)
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    assert "Gemensam målbild" in projector and "Tydliga mandat" in projector
    # After the reveal Alex (group 1) sees the group's board, including Kim's note.
    alex = phones[1][0].get(f"/p/{workshop.pk}/").content.decode()
    assert "Your group&#x27;s board" in alex or "Your group's board" in alex
    assert "Gemensam målbild" in alex


def test_phone_fetches_only_its_stage_with_htmx(workshop, phones):
    client, _participant = phones[0]
    response = client.get(f"/p/{workshop.pk}/?stage=1", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="phone-stage"')
    assert "<html" not in html


@pytest.mark.parametrize("path", ["phase/"])
def test_phase_view_permissions(path, client, workshop, other_facilitator, phones):
    url = f"/workshops/{workshop.pk}/{path}"
    # Anonymous: to the login page.
    assert client.post(url, {"phase": "reveal"}).status_code == 302
    workshop.refresh_from_db()
    assert workshop.phase == Phase.WRITE
    # A participant (no login) cannot steer.
    phone_client, _ = phones[0]
    response = phone_client.post(url, {"phase": "reveal"})
    assert response.status_code == 302 and "/login" in response["Location"]
    # Another organisation's facilitator: 404.
    client.force_login(other_facilitator)
    assert client.post(url, {"phase": "reveal"}).status_code == 404
    workshop.refresh_from_db()
    assert workshop.phase == Phase.WRITE


def test_phase_view_wrong_method(facilitator_client, workshop):
    assert facilitator_client.get(f"/workshops/{workshop.pk}/phase/").status_code == 405


def test_events_of_a_phase_change_are_stored_for_replay(workshop):
    set_phase(workshop, Phase.REVEAL)
    assert LiveEvent.objects.filter(workshop=workshop, name="phase").count() == 1


def test_a_paper_workshop_shows_texts_while_the_facilitator_types_them_in(
    facilitator_client, challenge, facilitator
):

    paper = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Papper",
        template_key="brainstorm",
        group_count=1,
        kind=Workshop.Kind.PAPER,
    )
    notes_bulk_add(
        workshop=paper, group=paper.groups.get(), column=paper.columns.first(), lines="Stuprör"
    )
    assert b"Stupr" in facilitator_client.get(f"/workshops/{paper.pk}/board/").content


def test_after_the_reveal_a_new_note_goes_to_its_own_groups_phones_only(
    workshop, phones, captured_events, django_capture_on_commit_callbacks
):
    workshop = set_phase(workshop, Phase.REVEAL)
    participant = phones[2][1]
    with django_capture_on_commit_callbacks(execute=True):
        note = add_note(workshop, participant, "Sent men viktigt")
    phone_events = [e for e in captured_events if e.audience == LiveEvent.Audience.PHONES]
    assert [(e.name, e.group_id) for e in phone_events] == [("note", participant.group_id)]
    assert phone_events[0].event == NoteAdded(
        note_id=note.pk, group_id=note.group_id, column_id=note.column_id
    )
    html = event_html(phone_events[0], screen="phone")
    assert f'id="pnote-{note.pk}"' in html
    assert f"beforeend:#pnotes-c{note.column_id}" in html
    # While voting, phones show no board: no note events for them.
    captured_events.clear()
    note.workshop = set_phase(workshop, Phase.VOTE)
    with django_capture_on_commit_callbacks(execute=True):
        note_update(note=note, text="Ändrad")
    assert [e.audience for e in captured_events if e.name == "note-changed"] == ["board"]
