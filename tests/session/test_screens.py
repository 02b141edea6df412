import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support.steps import add_note, set_phase
from workshops.models import ActionItem, Note, Workshop
from workshops.services.actions import action_item_create
from workshops.services.joins import participant_join
from workshops.services.notes import note_create
from workshops.services.themes import theme_create
from workshops.services.votes import vote_cast
from workshops.services.workshops import workshop_create

Phase = Workshop.Phase
PHASES = [p.value for p in Phase]


@pytest.fixture
def session_board(workshop, phones):
    for index, (_client, participant) in enumerate(phones):
        add_note(workshop, participant, f"Idé nummer {index} om samverkan")
    return workshop


@pytest.mark.parametrize("phase", PHASES)
def test_every_screen_renders_in_every_phase(phase, facilitator_client, session_board, phones):
    workshop = session_board
    set_phase(workshop, phase)
    group = workshop.groups.first()
    for url in [
        f"/workshops/{workshop.pk}/board/",
        f"/workshops/{workshop.pk}/projector/",
        f"/workshops/{workshop.pk}/groups/{group.pk}/",
        f"/workshops/{workshop.pk}/board/?stage=1",
    ]:
        response = facilitator_client.get(url)
        assert response.status_code == 200, url
        assert b'id="stage"' in response.content
    response = facilitator_client.get(
        f"/workshops/{workshop.pk}/board/?stage=1", HTTP_HX_REQUEST="true"
    )
    assert response.content.decode().lstrip().startswith('<div id="stage"')
    assert phones[0][0].get(f"/p/{workshop.pk}/").status_code == 200


def test_the_overview_marks_the_current_phase(facilitator_client, workshop):
    html = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert 'id="phase-write" aria-current="step"' in html


def test_the_overview_reads_the_board_in_a_constant_number_of_queries(
    facilitator_client, challenge, facilitator
):

    def queries_for(groups: int) -> int:
        workshop = workshop_create(
            challenge=challenge,
            user=facilitator,
            title="Stor",
            template_key="success_obstacles",
            group_count=groups,
        )
        for group in workshop.groups.all():
            for column in workshop.columns.all():
                for n in range(3):
                    note_create(
                        workshop=workshop,
                        group=group,
                        column=column,
                        text=f"Not {n}",
                        client_id=__import__("uuid").uuid4(),
                    )
        set_phase(workshop, Phase.REVEAL)
        with CaptureQueriesContext(connection) as ctx:
            assert facilitator_client.get(f"/workshops/{workshop.pk}/board/").status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(2) == queries_for(12)


def test_screening_approves_and_hides_in_bulk(facilitator_client, workshop, phones):
    workshop.screening = True
    workshop.save()
    set_phase(workshop, Phase.REVEAL)
    notes = [add_note(workshop, p, f"Väntar {i}") for i, (_c, p) in enumerate(phones)]
    assert all(n.status == Note.Status.PENDING for n in notes)
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    assert "Väntar 0" not in projector
    url = f"/workshops/{workshop.pk}/screening/"
    page = facilitator_client.get(url).content.decode()
    assert "Väntar 3" in page
    response = facilitator_client.post(
        url, {"action": "approve", "note": [notes[0].pk, notes[1].pk]}
    )
    assert response.status_code == 302
    response = facilitator_client.post(url, {"action": "hide", "note": [notes[2].pk]})
    assert response.status_code == 302
    statuses = dict(Note.objects.values_list("pk", "status"))
    assert [statuses[n.pk] for n in notes] == ["visible", "visible", "hidden", "pending"]
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    assert "Väntar 0" in projector and "Väntar 2" not in projector
    assert facilitator_client.post(url, {"action": "approve"}).status_code == 400


def test_screening_permissions(client, workshop, other_facilitator, phones):
    url = f"/workshops/{workshop.pk}/screening/"
    assert client.get(url).status_code == 302
    assert phones[0][0].get(url).status_code == 302
    client.force_login(other_facilitator)
    assert client.get(url).status_code == 404
    assert client.put(url).status_code == 405


def test_next_steps_survive_the_workshop_and_show_on_the_challenge(
    facilitator_client, workshop, phones
):
    note = add_note(workshop, phones[0][1], "Gemensam målbild")
    theme = theme_create(workshop=workshop, name="Målbild", note_ids=[note.pk])
    set_phase(workshop, Phase.VOTE)
    vote_cast(participant=phones[0][1], note_id=note.pk)
    set_phase(workshop, Phase.NEXT_STEPS)
    page = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert f'name="note" value="{note.pk}"' in page  # voted notes can be linked
    url = f"/workshops/{workshop.pk}/actions/"
    response = facilitator_client.post(
        url,
        {
            "title": "Ta fram en gemensam målbild",
            "owner_name": "Anna på regionen",
            "due_date": "2027-03-01",
            "themes": [theme.pk],
            "note": [note.pk],
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert item.challenge_id == workshop.challenge_id
    assert item.due_date == datetime.date(2027, 3, 1)
    assert list(item.themes.all()) == [theme] and list(item.notes.all()) == [note]
    phone = phones[1][0].get(f"/p/{workshop.pk}/").content.decode()
    assert "Ta fram en gemensam målbild" in phone
    set_phase(workshop, Phase.CLOSED)
    challenge_page = facilitator_client.get(workshop.challenge.get_absolute_url()).content.decode()
    assert "Ta fram en gemensam målbild" in challenge_page
    response = facilitator_client.post(url, {"title": ""})
    assert response.status_code == 400
    delete = f"/workshops/{workshop.pk}/actions/{item.pk}/delete/"
    assert facilitator_client.post(delete).status_code == 302
    assert not ActionItem.objects.exists()


def test_next_steps_permissions(client, workshop, other_facilitator, phones):
    set_phase(workshop, Phase.NEXT_STEPS)
    item = action_item_create(workshop=workshop, title="Kvar")
    for url in [
        f"/workshops/{workshop.pk}/actions/",
        f"/workshops/{workshop.pk}/actions/{item.pk}/delete/",
    ]:
        assert client.post(url, {"title": "X"}).status_code == 302
        assert phones[0][0].post(url, {"title": "X"}).status_code == 302
        client.force_login(other_facilitator)
        assert client.post(url, {"title": "X"}).status_code == 404
        assert client.get(url).status_code == 405
        client.logout()
    assert list(ActionItem.objects.values_list("title", flat=True)) == ["Kvar"]


def test_group_view_has_its_own_qr_and_moves_people(facilitator_client, workshop, phones):
    groups = list(workshop.groups.all())
    url = f"/workshops/{workshop.pk}/groups/{groups[0].pk}/"
    html = facilitator_client.get(url).content.decode()
    assert f"/g/{groups[0].token}/" in html and "<svg" in html
    qr = facilitator_client.get(url + "qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    _client, participant = phones[0]
    move = f"/workshops/{workshop.pk}/participants/{participant.pk}/move/"
    assert facilitator_client.post(move, {"group": groups[2].pk}).status_code == 302
    participant.refresh_from_db()
    assert participant.group == groups[2]
    assert facilitator_client.post(move, {"group": 999999}).status_code == 400


def test_group_link_drops_a_phone_into_its_group(client, workshop):
    group = list(workshop.groups.all())[2]
    response = client.post(f"/g/{group.token}/", {"display_name": "Sam"})
    assert response.status_code == 302
    assert workshop.participants.get(display_name="Sam").group == group


def test_group_views_permissions(client, workshop, other_facilitator, phones):
    group = workshop.groups.first()
    participant = phones[0][1]
    gets = [
        f"/workshops/{workshop.pk}/groups/{group.pk}/",
        f"/workshops/{workshop.pk}/groups/{group.pk}/qr.svg",
        f"/workshops/{workshop.pk}/board/",
        f"/workshops/{workshop.pk}/projector/",
    ]
    move = f"/workshops/{workshop.pk}/participants/{participant.pk}/move/"
    for url in gets:
        assert client.get(url).status_code == 302
        assert phones[0][0].get(url).status_code == 302
    client.force_login(other_facilitator)
    for url in gets:
        assert client.get(url).status_code == 404
        assert client.post(url).status_code in {404, 405}
    assert client.post(move, {"group": group.pk}).status_code == 404
    assert client.get(move).status_code == 405


def test_automatic_assignment_spreads_people_in_turn(workshop):

    workshop.group_assignment = Workshop.GroupAssignment.ROUND_ROBIN
    workshop.save()
    people = [participant_join(workshop=workshop) for _ in range(6)]
    assert [p.group.position for p in people] == [1, 2, 3, 1, 2, 3]
