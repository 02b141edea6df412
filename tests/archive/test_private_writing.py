"""Writing is private in the archive too: until the reveal, staff and facilitators reading the
archive learn how many notes a workshop has, never what they say (as on the board)."""

from __future__ import annotations

import uuid

import pytest

from tests.archive.conftest import login
from workshops.models import Note, Workshop
from workshops.services.notes import note_create

pytestmark = pytest.mark.django_db

SECRET = "Ödlebaggarnas långsiktiga skrivhemlighet"
WORD = "ödlebaggarnas"


@pytest.fixture
def written(workshop, participant_client):
    """A live workshop in Write with one note from a phone."""
    _client, participant = participant_client
    note, _created = note_create(
        workshop=workshop,
        group=participant.group or workshop.groups.first(),
        column=workshop.columns.first(),
        text=SECRET,
        client_id=uuid.uuid4(),
        participant=participant,
    )
    assert workshop.phase == Workshop.Phase.WRITE
    return note


def _reveal(workshop: Workshop) -> None:
    workshop.phase = Workshop.Phase.REVEAL
    workshop.save(update_fields=["phase"])


@pytest.mark.parametrize("persona", ["staff", "facilitator"])
def test_the_archive_page_counts_notes_but_hides_their_text(client, written, persona, request):
    login(client, request.getfixturevalue(persona))
    url = f"/archive/workshops/{written.workshop_id}/"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET not in html
    assert "(1)" in html  # the group's count is still there
    _reveal(written.workshop)
    assert SECRET in client.get(url).content.decode()


@pytest.mark.parametrize("persona", ["staff", "facilitator"])
def test_search_does_not_find_a_note_before_the_reveal(client, written, persona, request):
    login(client, request.getfixturevalue(persona))
    response = client.get("/archive/search/", {"q": WORD})
    assert response.status_code == 200
    assert [n.text for n in response.context["results"].notes.items] == []
    assert SECRET not in response.content.decode()
    _reveal(written.workshop)
    response = client.get("/archive/search/", {"q": WORD})
    assert [n.text for n in response.context["results"].notes.items] == [SECRET]


def test_recurring_words_leave_out_notes_before_the_reveal(client, written, staff):
    login(client, staff)
    response = client.get("/archive/recurring/")
    assert response.status_code == 200
    assert WORD not in [word.label.lower() for word in response.context["words"]]
    assert response.context["notes_read"] == 0
    _reveal(written.workshop)
    response = client.get("/archive/recurring/")
    assert response.context["notes_read"] == 1


def test_paper_notes_are_readable_at_once(written):
    written.workshop.kind = Workshop.Kind.PAPER
    written.workshop.save(update_fields=["kind"])
    assert list(Note.objects.readable()) == [written]
