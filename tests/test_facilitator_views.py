"""The facilitator's screens: create a workshop, set it up, steer joining, edit notes.

Permissions for every view: a facilitator of the workshop's organisation may use it; a
facilitator of another organisation and staff of the same organisation (read-only: they may
not steer) get 404; a participant's or anonymous browser is sent to the login page.
"""

from __future__ import annotations

import datetime
import uuid
from xml.etree import ElementTree

import pytest
from django.test import Client

from tests.support.steps import join_as
from workshops.board_templates import TEMPLATES
from workshops.models import Column, Group, Note, Workshop
from workshops.services.groups import MAX_GROUPS, group_add
from workshops.services.joins import participant_join
from workshops.services.notes import note_create, note_set_status
from workshops.services.workshops import workshop_create


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def note(workshop) -> Note:
    participant = participant_join(
        workshop=workshop, display_name="Kim", group=workshop.groups.first()
    )
    note, _created = note_create(
        workshop=workshop,
        participant=participant,
        group=participant.group,
        column=workshop.columns.first(),
        text="Tydligare ansvar",
        client_id=uuid.uuid4(),
    )
    return note


def _create_data(template: str, **extra) -> dict:
    return {
        "title": "Framtidens mottagning",
        "template": template,
        "question": "",
        "custom_columns": "",
        "group_count": 3,
        "kind": Workshop.Kind.LIVE,
        "date": "2026-12-01",
        "place": "Kalmar",
        **extra,
    }


# --- Creating a workshop ------------------------------------------------------------------


def test_the_create_page_offers_every_template(facilitator_client, challenge):
    response = facilitator_client.get(f"/challenges/{challenge.pk}/workshops/new/")
    assert response.status_code == 200
    for key in TEMPLATES:
        assert f'value="{key}"'.encode() in response.content


@pytest.mark.parametrize("key", [k for k in TEMPLATES if k != "custom"])
def test_a_workshop_made_from_a_template_gets_its_question_columns_and_groups(
    facilitator_client, challenge, facilitator, key
):
    response = facilitator_client.post(
        f"/challenges/{challenge.pk}/workshops/new/", _create_data(key)
    )
    assert response.status_code == 302
    workshop = Workshop.objects.get(challenge=challenge, title="Framtidens mottagning")
    assert response["Location"] == f"/workshops/{workshop.pk}/"
    template = TEMPLATES[key]
    assert workshop.question == str(template.question)
    assert [c.title for c in workshop.columns.order_by("position")] == [
        str(spec.title) for spec in template.columns
    ]
    assert workshop.groups.count() == 3
    assert workshop.join_code and len(workshop.join_code) == 7
    assert workshop.date == datetime.date(2026, 12, 1)
    assert list(workshop.facilitators.all()) == [facilitator]


def test_a_custom_workshop_gets_the_columns_typed_in(facilitator_client, challenge):
    response = facilitator_client.post(
        f"/challenges/{challenge.pk}/workshops/new/",
        _create_data(
            "custom",
            custom_columns="Behov\n\n  Idéer  \nHinder",
            question="Hur når vi unga?",
            group_count=2,
        ),
    )
    assert response.status_code == 302
    workshop = Workshop.objects.get(challenge=challenge)
    assert [c.title for c in workshop.columns.order_by("position")] == ["Behov", "Idéer", "Hinder"]
    assert workshop.question == "Hur når vi unga?"
    assert workshop.groups.count() == 2


@pytest.mark.parametrize(
    "data",
    [
        _create_data("custom", custom_columns="  \n "),
        _create_data("custom", custom_columns="\n".join(f"K{n}" for n in range(9))),
        _create_data("brainstorm", group_count=0),
        _create_data("brainstorm", group_count=31),
        _create_data("brainstorm", title=""),
        _create_data("no-such-template"),
    ],
    ids=[
        "custom-without-columns",
        "nine-columns",
        "no-groups",
        "too-many-groups",
        "no-title",
        "bad-template",
    ],
)
def test_an_invalid_workshop_is_not_created(facilitator_client, challenge, data):
    response = facilitator_client.post(f"/challenges/{challenge.pk}/workshops/new/", data)
    assert response.status_code == 400
    assert not Workshop.objects.filter(challenge=challenge).exists()


# --- The control panel --------------------------------------------------------------------


def test_the_control_panel_shows_the_join_code_link_and_qr_code(facilitator_client, workshop):
    response = facilitator_client.get(f"/workshops/{workshop.pk}/")
    assert response.status_code == 200
    code = workshop.join_code
    assert f"{code[:3]}-{code[3:]}".encode() in response.content
    assert f"http://testserver/j/{code}/".encode() in response.content
    assert b"<svg" in response.content
    for group in workshop.groups.all():
        assert f"/g/{group.token}/".encode() in response.content


def test_the_join_link_uses_the_public_url_when_one_is_set(facilitator_client, workshop, settings):
    settings.LABB_PUBLIC_URL = "https://labb.example.se"
    response = facilitator_client.get(f"/workshops/{workshop.pk}/")
    assert f"https://labb.example.se/j/{workshop.join_code}/".encode() in response.content


def test_the_qr_code_is_an_svg_of_the_join_link(facilitator_client, workshop):
    response = facilitator_client.get(f"/workshops/{workshop.pk}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert b"<script" not in response.content
    # A file of its own: an SVG document with its namespace, as viewers and browsers need.
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_a_workshop_without_a_join_code_has_no_qr_code(facilitator_client, workshop):
    workshop.join_code = None
    workshop.save(update_fields=["join_code"])
    assert facilitator_client.get(f"/workshops/{workshop.pk}/qr.svg").status_code == 404


def test_a_group_can_be_added_with_or_without_a_name(facilitator_client, workshop):
    response = facilitator_client.post(f"/workshops/{workshop.pk}/groups/add/", {"name": "Extra"})
    assert response.status_code == 302
    facilitator_client.post(f"/workshops/{workshop.pk}/groups/add/", {"name": ""})
    names = [g.name for g in workshop.groups.order_by("position")]
    assert names[3:] == ["Extra", "Group 5"]
    assert len({g.token for g in workshop.groups.all()}) == 5


def test_no_more_than_the_maximum_number_of_groups(facilitator_client, workshop):
    for _n in range(MAX_GROUPS - 3):
        group_add(workshop=workshop)
    response = facilitator_client.post(f"/workshops/{workshop.pk}/groups/add/", {"name": "En till"})
    assert response.status_code == 302
    assert workshop.groups.count() == MAX_GROUPS


def test_a_group_can_be_renamed(facilitator_client, workshop):
    group = workshop.groups.first()
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/groups/{group.pk}/rename/", {"name": "Blå gruppen"}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Blå gruppen"


def test_a_group_cannot_be_renamed_to_nothing(facilitator_client, workshop):
    group = workshop.groups.first()
    before = group.name
    facilitator_client.post(f"/workshops/{workshop.pk}/groups/{group.pk}/rename/", {"name": ""})
    group.refresh_from_db()
    assert group.name == before


def test_a_group_of_another_workshop_cannot_be_renamed_through_this_one(
    facilitator_client, workshop, challenge, facilitator
):
    other = workshop_create(
        challenge=challenge, user=facilitator, title="B", template_key="brainstorm", group_count=1
    )
    group = other.groups.get()
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/groups/{group.pk}/rename/", {"name": "Kapad"}
    )
    assert response.status_code == 404
    assert Group.objects.get(pk=group.pk).name != "Kapad"


def test_the_workshop_can_be_closed_and_opened_for_notes(facilitator_client, workshop):
    url = f"/workshops/{workshop.pk}/accepting/"
    assert facilitator_client.post(url, {"accepting": "0"}).status_code == 302
    workshop.refresh_from_db()
    assert not workshop.accepting_notes
    phone = Client()
    join_as(phone, workshop)
    assert (
        phone.post(
            f"/p/{workshop.pk}/notes/",
            {"column": workshop.columns.first().pk, "text": "x", "client_id": str(uuid.uuid4())},
        ).status_code
        == 403
    )
    assert facilitator_client.post(url, {"accepting": "1"}).status_code == 302
    workshop.refresh_from_db()
    assert workshop.accepting_notes


def test_a_new_join_code_replaces_the_old_one(facilitator_client, workshop, client):
    old = workshop.join_code
    response = facilitator_client.post(f"/workshops/{workshop.pk}/join-code/")
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.join_code != old
    assert Client().get(f"/j/{old}/").status_code == 404
    assert Client().get(f"/j/{workshop.join_code}/").status_code == 200


def test_notes_can_be_typed_in_one_per_line(facilitator_client, workshop):
    group = workshop.groups.order_by("position")[1]
    column = workshop.columns.order_by("position")[1]
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/notes/bulk/",
        {"group": group.pk, "column": column.pk, "lines": "Första\n- Andra\n\n  • Tredje  \n"},
    )
    assert response.status_code == 302
    notes = Note.objects.filter(workshop=workshop).order_by("pk")
    assert [n.text for n in notes] == ["Första", "Andra", "Tredje"]
    assert {(n.group_id, n.column_id, n.participant_id) for n in notes} == {
        (group.pk, column.pk, None)
    }


def test_bulk_notes_for_a_column_of_another_workshop_are_refused(
    facilitator_client, workshop, challenge, facilitator
):
    other = workshop_create(
        challenge=challenge, user=facilitator, title="B", template_key="brainstorm", group_count=1
    )
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/notes/bulk/",
        {"group": workshop.groups.first().pk, "column": other.columns.first().pk, "lines": "x"},
    )
    assert response.status_code == 400
    assert Note.objects.count() == 0


# --- Notes on the board -------------------------------------------------------------------


def test_a_note_can_be_edited(facilitator_client, workshop, note):
    url = f"/workshops/{workshop.pk}/notes/{note.pk}/edit/"
    page = facilitator_client.get(url)
    assert page.status_code == 200
    assert b"Tydligare ansvar" in page.content
    response = facilitator_client.post(url, {"text": "Tydligare ansvar och mandat"})
    assert response.status_code == 302
    assert response["Location"] == f"/workshops/{workshop.pk}/board/"
    note.refresh_from_db()
    assert note.text == "Tydligare ansvar och mandat"


def test_an_edit_by_htmx_redirects_the_client(facilitator_client, workshop, note):
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/notes/{note.pk}/edit/", {"text": "Ny"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/workshops/{workshop.pk}/board/"


def test_a_note_cannot_be_edited_to_nothing(facilitator_client, workshop, note):
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/notes/{note.pk}/edit/", {"text": " "}
    )
    assert response.status_code == 400
    note.refresh_from_db()
    assert note.text == "Tydligare ansvar"


@pytest.mark.parametrize(
    ("action", "status"), [("hide", Note.Status.HIDDEN), ("show", Note.Status.VISIBLE)]
)
def test_a_note_can_be_hidden_and_shown_again(facilitator_client, workshop, note, action, status):
    if action == "show":
        note_set_status(note=note, status=Note.Status.HIDDEN)
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/notes/{note.pk}/moderate/", {"action": action}
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == status


def test_a_note_can_be_deleted(facilitator_client, workshop, note):
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/notes/{note.pk}/moderate/", {"action": "delete"}
    )
    assert response.status_code == 302
    assert not Note.objects.filter(pk=note.pk).exists()


def test_an_unknown_moderation_action_is_400(facilitator_client, workshop, note):
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/notes/{note.pk}/moderate/", {"action": "burn"}
    )
    assert response.status_code == 400
    assert Note.objects.get(pk=note.pk).status == Note.Status.VISIBLE


def test_a_note_of_another_workshop_cannot_be_reached_through_this_one(
    facilitator_client, workshop, note, challenge, facilitator
):
    other = workshop_create(
        challenge=challenge, user=facilitator, title="B", template_key="brainstorm", group_count=1
    )
    assert facilitator_client.get(f"/workshops/{other.pk}/notes/{note.pk}/edit/").status_code == 404
    response = facilitator_client.post(
        f"/workshops/{other.pk}/notes/{note.pk}/moderate/", {"action": "delete"}
    )
    assert response.status_code == 404
    assert Note.objects.filter(pk=note.pk).exists()


@pytest.mark.parametrize("screen", ["board", "projector"])
def test_the_board_and_projector_show_the_notes_once_revealed(
    facilitator_client, workshop, note, screen
):
    workshop.phase = Workshop.Phase.REVEAL
    workshop.save(update_fields=["phase"])
    response = facilitator_client.get(f"/workshops/{workshop.pk}/{screen}/")
    assert response.status_code == 200
    assert f'id="note-{note.pk}"'.encode() in response.content
    assert b"Tydligare ansvar" in response.content
    assert f'data-live-url="/workshops/{workshop.pk}/stream/"'.encode() in response.content
    for group in workshop.groups.all():
        for column in Column.objects.filter(workshop=workshop):
            assert f'id="notes-g{group.pk}-c{column.pk}"'.encode() in response.content


def test_the_board_shows_a_note_as_it_is_now_after_changes_and_in_each_language(
    facilitator_client, workshop, note
):
    """Note cards are kept once rendered (session_tags.note_card): a changed text or
    author and another language must each show, never the card kept from before."""
    from workshops.services.notes import note_update

    workshop.phase = Workshop.Phase.REVEAL
    workshop.save(update_fields=["phase"])
    board = f"/workshops/{workshop.pk}/board/"
    first = facilitator_client.get(board).content.decode()
    assert "Tydligare ansvar" in first and ">Kim<" in first and ">Edit<" in first

    note_update(note=note, text="Ett nytt sätt att dela ansvar")
    changed = facilitator_client.get(board).content.decode()
    assert "Ett nytt sätt att dela ansvar" in changed and "Tydligare ansvar" not in changed

    Note.objects.filter(pk=note.pk).update(author_name="")
    assert ">Anonymous<" in facilitator_client.get(board).content.decode()

    facilitator_client.cookies["django_language"] = "sv"
    swedish = facilitator_client.get(board).content.decode()
    assert ">Anonym<" in swedish and ">Redigera<" in swedish and ">Edit<" not in swedish
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    assert ">Anonym<" in projector and ">Anonymous<" not in projector


def test_the_projector_shows_each_notes_votes_as_they_are_now(facilitator_client, workshop, note):
    """Cluster-phase cards are kept once rendered too (session_tags.cluster_note_card):
    a new vote on a note shows at the next render, and so does a renamed group."""
    from workshops.services.phases import phase_set
    from workshops.services.votes import vote_cast

    Workshop.objects.filter(pk=workshop.pk).update(votes_hidden=False)
    workshop = phase_set(workshop=workshop, phase=Workshop.Phase.VOTE)
    projector = f"/workshops/{workshop.pk}/projector/"
    assert "1 vote<" not in facilitator_client.get(projector).content.decode()
    voters = [participant_join(workshop=workshop, display_name="") for _ in range(2)]
    vote_cast(participant=voters[0], note_id=note.pk)
    assert "· 1 vote<" in facilitator_client.get(projector).content.decode()
    vote_cast(participant=voters[1], note_id=note.pk)
    assert "· 2 votes<" in facilitator_client.get(projector).content.decode()
    Group.objects.filter(pk=note.group_id).update(name="Grupp Ekorre")
    assert "Grupp Ekorre · " in facilitator_client.get(projector).content.decode()


def test_the_projector_shows_how_to_join(facilitator_client, workshop):
    response = facilitator_client.get(f"/workshops/{workshop.pk}/projector/")
    code = workshop.join_code
    assert f"{code[:3]}-{code[3:]}".encode() in response.content
    assert b"<svg" in response.content


# --- Every facilitator view: who may use it -------------------------------------------------

VIEWS = [
    # (method, path, data, status for the workshop's facilitator)
    ("get", "/challenges/{challenge}/workshops/new/", None, 200),
    ("post", "/challenges/{challenge}/workshops/new/", "create", 302),
    ("get", "/workshops/{pk}/", None, 200),
    ("post", "/workshops/{pk}/settings/", "settings", 302),
    ("get", "/workshops/{pk}/board/", None, 200),
    ("get", "/workshops/{pk}/projector/", None, 200),
    ("get", "/workshops/{pk}/qr.svg", None, 200),
    ("post", "/workshops/{pk}/groups/add/", {"name": "Ny"}, 302),
    ("post", "/workshops/{pk}/groups/{group}/rename/", {"name": "Nytt namn"}, 302),
    ("post", "/workshops/{pk}/accepting/", {"accepting": "0"}, 302),
    ("post", "/workshops/{pk}/join-code/", None, 302),
    ("post", "/workshops/{pk}/notes/bulk/", "bulk", 302),
    ("get", "/workshops/{pk}/notes/{note}/edit/", None, 200),
    ("post", "/workshops/{pk}/notes/{note}/edit/", {"text": "Ändrad"}, 302),
    ("post", "/workshops/{pk}/notes/{note}/moderate/", {"action": "hide"}, 302),
]
WRONG_METHODS = [
    ("put", "/challenges/{challenge}/workshops/new/"),
    ("post", "/workshops/{pk}/"),
    ("get", "/workshops/{pk}/settings/"),
    ("post", "/workshops/{pk}/board/"),
    ("post", "/workshops/{pk}/projector/"),
    ("post", "/workshops/{pk}/qr.svg"),
    ("get", "/workshops/{pk}/groups/add/"),
    ("get", "/workshops/{pk}/groups/{group}/rename/"),
    ("get", "/workshops/{pk}/accepting/"),
    ("get", "/workshops/{pk}/join-code/"),
    ("get", "/workshops/{pk}/notes/bulk/"),
    ("delete", "/workshops/{pk}/notes/{note}/edit/"),
    ("get", "/workshops/{pk}/notes/{note}/moderate/"),
]


def _request(client, method, path, data, workshop, note):
    url = path.format(
        challenge=workshop.challenge_id,
        pk=workshop.pk,
        group=workshop.groups.first().pk,
        note=note.pk,
    )
    if data == "create":
        data = _create_data("brainstorm")
    elif data == "settings":
        data = {
            "title": "Nytt namn",
            "question": workshop.question,
            "date": "2026-12-01",
            "place": "",
            "group_assignment": workshop.group_assignment,
            "retain_until": "2027-12-01",
        }
    elif data == "bulk":
        data = {
            "group": workshop.groups.first().pk,
            "column": workshop.columns.first().pk,
            "lines": "Inskriven",
        }
    return getattr(client, method)(url, data or {})


def _snapshot(workshop):
    workshop.refresh_from_db()
    return (
        workshop.title,
        workshop.join_code,
        workshop.accepting_notes,
        sorted(workshop.groups.values_list("name", flat=True)),
        sorted(Note.objects.filter(workshop=workshop).values_list("text", "status")),
        Workshop.objects.count(),
    )


@pytest.mark.parametrize(("method", "path", "data", "status"), VIEWS)
def test_the_workshops_facilitator_may_use_every_view(
    facilitator_client, workshop, note, method, path, data, status
):
    response = _request(facilitator_client, method, path, data, workshop, note)
    assert response.status_code == status


@pytest.mark.parametrize("who", ["other_facilitator", "staff", "outsider"])
@pytest.mark.parametrize(("method", "path", "data", "_status"), VIEWS)
def test_other_logged_in_users_get_404_and_change_nothing(
    client, request, workshop, note, who, method, path, data, _status
):
    client.force_login(request.getfixturevalue(who))
    before = _snapshot(workshop)
    response = _request(client, method, path, data, workshop, note)
    assert response.status_code == 404
    assert _snapshot(workshop) == before


@pytest.mark.parametrize("who", ["anonymous", "participant"])
@pytest.mark.parametrize(("method", "path", "data", "_status"), VIEWS)
def test_anonymous_and_participant_browsers_are_sent_to_the_login_page(
    client, workshop, note, who, method, path, data, _status
):
    if who == "participant":
        join_as(client, workshop)
    before = _snapshot(workshop)
    response = _request(client, method, path, data, workshop, note)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert _snapshot(workshop) == before


@pytest.mark.parametrize(("method", "path"), WRONG_METHODS)
def test_facilitator_views_refuse_the_wrong_method(
    facilitator_client, workshop, note, method, path
):
    assert _request(facilitator_client, method, path, None, workshop, note).status_code == 405


def test_closing_for_notes_never_redirects_to_another_site(facilitator_client, workshop):
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/accepting/",
        {"accepting": "0", "next": "https://evil.example/phish"},
    )
    assert response.status_code == 302
    assert response["Location"] == workshop.get_absolute_url()
    board = f"/workshops/{workshop.pk}/board/"
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/accepting/", {"accepting": "1", "next": board}
    )
    assert response["Location"] == board


def _settings_data(workshop, retain_until) -> dict:
    return {
        "title": workshop.title,
        "question": workshop.question,
        "date": workshop.date.isoformat(),
        "place": workshop.place,
        "group_assignment": workshop.group_assignment,
        "retain_until": retain_until,
    }


def test_a_keep_until_date_in_the_past_is_refused_with_a_reason(facilitator_client, workshop):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    kept = workshop.retain_until
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/settings/", _settings_data(workshop, yesterday)
    )
    assert response.status_code == 400
    assert b"That date has passed" in response.content
    workshop.refresh_from_db()
    assert workshop.retain_until == kept
    # Today is fine, and so is saving other settings of a workshop whose date has passed.
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/settings/", _settings_data(workshop, today.isoformat())
    )
    assert response.status_code == 302
    workshop.retain_until = today - datetime.timedelta(days=3)
    workshop.save(update_fields=["retain_until"])
    data = _settings_data(workshop, workshop.retain_until.isoformat())
    data["title"] = "Nytt namn"
    assert facilitator_client.post(f"/workshops/{workshop.pk}/settings/", data).status_code == 302
    workshop.refresh_from_db()
    assert workshop.title == "Nytt namn"
