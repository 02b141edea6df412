"""Participants on their phones: join by code, link or group link, then post notes.

No accounts: a participant is whoever joined in this browser session. Every view has tests
for that participant, a participant of another workshop (404), a browser that never joined
(404) and the wrong method (405).
"""

from __future__ import annotations

import copy
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.support.steps import join_as, post_note, set_phase
from workshops.models import Note, Participant, Workshop
from workshops.services.groups import group_add
from workshops.services.joins import join_code_regenerate
from workshops.services.phases import workshop_set_accepting
from workshops.services.workshops import workshop_create


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def other_workshop(challenge, facilitator) -> Workshop:
    workshop = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Workshop 2",
        template_key="brainstorm",
        group_count=2,
    )
    workshop.phase = Workshop.Phase.WRITE
    workshop.save(update_fields=["phase"])
    return workshop


@pytest.fixture
def other_participant_client(other_workshop) -> Client:
    client = Client()
    join_as(client, other_workshop, name="Robin")
    return client


def _dashed(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


# --- Joining by code ----------------------------------------------------------------------


def test_the_join_page_asks_for_the_code(client):
    response = client.get("/join/")
    assert response.status_code == 200
    assert b'name="code"' in response.content


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code,
        lambda code: code.lower(),
        lambda code: _dashed(code),
        lambda code: _dashed(code).lower(),
        lambda code: f"  {code[:3]} {code[3:]} ",
    ],
    ids=["exact", "lower-case", "dashed", "dashed-lower-case", "spaces"],
)
def test_a_code_typed_in_any_case_with_or_without_dash_leads_to_the_workshop(
    client, workshop, typed
):
    response = client.post("/join/", {"code": typed(workshop.join_code)})
    assert response.status_code == 302
    assert response["Location"] == f"/j/{workshop.join_code}/"


def test_a_code_in_the_query_string_works_too(client, workshop):
    response = client.get("/join/", {"code": workshop.join_code.lower()})
    assert response.status_code == 302
    assert response["Location"] == f"/j/{workshop.join_code}/"


def test_a_wrong_code_is_404_with_a_message(client, workshop):
    response = client.post("/join/", {"code": "ZZZZZZZ"})
    assert response.status_code == 404
    assert b"No open workshop has that code" in response.content
    assert b'name="code"' in response.content


def test_the_code_of_a_closed_workshop_does_not_work(client, workshop):
    code = workshop.join_code
    workshop.phase = Workshop.Phase.CLOSED
    workshop.save(update_fields=["phase"])
    assert client.post("/join/", {"code": code}).status_code == 404
    assert client.get(f"/j/{code}/").status_code == 404


def test_an_old_code_stops_working_when_a_new_one_is_made(client, workshop):
    old = workshop.join_code
    join_code_regenerate(workshop=workshop)
    assert client.post("/join/", {"code": old}).status_code == 404
    assert client.post("/join/", {"code": workshop.join_code}).status_code == 302


def test_too_many_wrong_codes_from_one_address_are_refused_with_retry_after(
    client, workshop, settings
):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 3
    for _attempt in range(3):
        assert client.post("/join/", {"code": "ZZZZZZZ"}).status_code == 404
    response = client.post("/join/", {"code": workshop.join_code})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.LABB_JOIN_FAILURE_WINDOW
    assert client.get(f"/j/{workshop.join_code}/").status_code == 429


def test_right_codes_do_not_count_against_the_address(client, workshop, settings):
    settings.LABB_JOIN_FAILURES_PER_ADDRESS = 3
    for _attempt in range(10):
        assert client.post("/join/", {"code": workshop.join_code}).status_code == 302


# --- Joining by link ----------------------------------------------------------------------


def test_the_join_link_shows_the_workshop_and_asks_for_an_optional_name(client, workshop):
    response = client.get(f"/j/{workshop.join_code}/")
    assert response.status_code == 200
    assert workshop.title.encode() in response.content
    assert b'name="display_name"' in response.content
    assert b"Leave empty to take part anonymously" in response.content


@pytest.mark.parametrize("form", [str.lower, _dashed], ids=["lower-case", "dashed"])
def test_the_join_link_works_in_lower_case_and_with_the_dash(client, workshop, form):
    assert client.get(f"/j/{form(workshop.join_code)}/").status_code == 200


def test_a_join_link_with_a_wrong_code_is_404_with_a_message(client, workshop):
    response = client.get("/j/ZZZZZZZ/")
    assert response.status_code == 404
    assert b"does not lead to an open workshop" in response.content


def test_joining_with_a_name_and_a_group_makes_a_participant_and_opens_the_phone(client, workshop):
    group = workshop.groups.order_by("position")[1]
    client.get(f"/j/{workshop.join_code}/")
    before = client.session.session_key
    response = client.post(
        f"/j/{workshop.join_code}/", {"display_name": "  Kim  ", "group": group.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/p/{workshop.pk}/"
    participant = Participant.objects.get(workshop=workshop)
    assert participant.display_name == "Kim"
    assert participant.group == group
    # A fresh session on join: nobody can plant a session on a shared phone.
    assert client.session.session_key != before
    page = client.get(f"/p/{workshop.pk}/")
    assert page.status_code == 200
    assert group.name.encode() in page.content


def test_the_name_is_optional(client, workshop):
    join_as(client, workshop, name="")
    participant = Participant.objects.get(workshop=workshop)
    assert participant.display_name == ""
    response = post_note(client, workshop, text="Utan namn")
    assert response.status_code == 302
    note = Note.objects.get(workshop=workshop)
    assert note.author_name == ""


def test_a_participant_can_choose_the_group_later(client, workshop):
    response = client.post(f"/j/{workshop.join_code}/", {"display_name": "", "group": ""})
    assert response.status_code == 302
    participant = Participant.objects.get(workshop=workshop)
    assert participant.group is None
    page = client.get(f"/p/{workshop.pk}/")
    assert b'id="choose-group"' in page.content
    assert post_note(client, workshop, text="Före gruppen").status_code == 400
    group = workshop.groups.order_by("position")[2]
    response = client.post(f"/p/{workshop.pk}/group/", {"group": group.pk})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.group == group
    assert post_note(client, workshop, text="Efter gruppen").status_code == 302


def test_a_participant_cannot_choose_a_group_of_another_workshop(client, workshop, other_workshop):
    join_as(client, workshop)
    participant = Participant.objects.get(workshop=workshop)
    before = participant.group_id
    response = client.post(f"/p/{workshop.pk}/group/", {"group": other_workshop.groups.first().pk})
    assert response.status_code == 400
    participant.refresh_from_db()
    assert participant.group_id == before


@pytest.mark.parametrize(
    "assignment", [Workshop.GroupAssignment.RANDOM, Workshop.GroupAssignment.ROUND_ROBIN]
)
def test_a_participant_assigned_automatically_cannot_move_to_another_group(
    client, workshop, assignment
):
    workshop.group_assignment = assignment
    workshop.save(update_fields=["group_assignment"])
    response = client.post(f"/j/{workshop.join_code}/", {"display_name": "Kim"})
    assert response.status_code == 302
    participant = Participant.objects.get(workshop=workshop)
    assigned = participant.group
    assert assigned is not None
    other = workshop.groups.exclude(pk=assigned.pk).first()
    response = client.post(f"/p/{workshop.pk}/group/", {"group": other.pk})
    assert response.status_code == 403
    assert b"The facilitator assigns the groups in this workshop" in response.content
    client.cookies["django_language"] = "sv"
    swedish = client.post(f"/p/{workshop.pk}/group/", {"group": other.pk})
    assert swedish.status_code == 403
    assert "Processledaren delar in grupperna" in swedish.content.decode()
    participant.refresh_from_db()
    assert participant.group == assigned


def test_a_participant_assigned_automatically_without_a_group_may_choose_one(client, workshop):
    """Joined before the facilitator made any groups, so nobody could assign one: the phone
    asks, and the choice is taken."""
    workshop.group_assignment = Workshop.GroupAssignment.RANDOM
    workshop.save(update_fields=["group_assignment"])
    groups = list(workshop.groups.all())
    workshop.groups.all().delete()
    client.post(f"/j/{workshop.join_code}/", {"display_name": "Kim"})
    participant = Participant.objects.get(workshop=workshop)
    assert participant.group is None
    group = group_add(workshop=workshop, name=groups[0].name)
    response = client.post(f"/p/{workshop.pk}/group/", {"group": group.pk})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.group == group


def test_a_participant_who_chose_a_group_may_move_when_participants_choose(client, workshop):
    participant = join_as(client, workshop, group_index=0)
    group = workshop.groups.order_by("position")[1]
    response = client.post(f"/p/{workshop.pk}/group/", {"group": group.pk})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.group == group


def test_opening_the_join_link_again_goes_back_to_the_phone(client, workshop):
    join_as(client, workshop)
    response = client.get(f"/j/{workshop.join_code}/")
    assert response.status_code == 302
    assert response["Location"] == f"/p/{workshop.pk}/"
    assert Participant.objects.filter(workshop=workshop).count() == 1


def test_the_group_link_joins_that_group_without_asking(client, workshop):
    group = workshop.groups.order_by("position")[2]
    page = client.get(f"/g/{group.token}/")
    assert page.status_code == 200
    assert group.name.encode() in page.content
    assert b'name="group"' not in page.content
    response = client.post(f"/g/{group.token}/", {"display_name": "Alex"})
    assert response.status_code == 302
    assert response["Location"] == f"/p/{workshop.pk}/"
    participant = Participant.objects.get(workshop=workshop)
    assert (participant.group, participant.display_name) == (group, "Alex")


def test_a_joined_participant_who_opens_another_group_link_moves_there(client, workshop):
    participant = join_as(client, workshop, group_index=0)
    group = workshop.groups.order_by("position")[1]
    response = client.get(f"/g/{group.token}/")
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.group == group
    assert Participant.objects.filter(workshop=workshop).count() == 1


def test_a_head_on_another_group_link_moves_nobody(client, workshop):
    """A link checker or a chat app's preview may ask with HEAD: it learns where the link
    leads, and the participant stays where they are."""
    participant = join_as(client, workshop, group_index=0)
    group = workshop.groups.order_by("position")[1]
    response = client.head(f"/g/{group.token}/")
    assert response.status_code == 302
    assert response["Location"] == f"/p/{workshop.pk}/"
    participant.refresh_from_db()
    assert participant.group == workshop.groups.order_by("position")[0]


def test_a_wrong_group_link_is_404(client, workshop):
    response = client.get("/g/not-a-token/")
    assert response.status_code == 404
    assert b"does not lead to an open workshop" in response.content


def test_a_group_link_of_a_closed_workshop_is_404(client, workshop):
    group = workshop.groups.first()
    workshop.phase = Workshop.Phase.CLOSED
    workshop.join_code = None
    workshop.save(update_fields=["phase", "join_code"])
    assert client.get(f"/g/{group.token}/").status_code == 404


@pytest.mark.parametrize("path", ["/join/", "/j/{code}/", "/g/{token}/"])
def test_join_views_refuse_other_methods(client, workshop, path):
    url = path.format(code=workshop.join_code, token=workshop.groups.first().token)
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


# --- What a join costs ----------------------------------------------------------------------
# A room of phones joins within a minute (issue 13: join p95 <= 200 ms with 20 at a time on
# 2 cores), so the three requests of a join keep a fixed, small number of queries whatever
# the workshop's size. bench/join_profile.py prints them.


def _join_queries(client, workshop, *, group_index: int = 1) -> list[list[str]]:
    """The SQL of the three requests of one join (join page, join form, phone page)."""
    group = workshop.groups.order_by("position")[group_index]
    steps = []
    for method, url, data, status in [
        ("get", f"/j/{workshop.join_code}/", None, 200),
        ("post", f"/j/{workshop.join_code}/", {"display_name": "Kim", "group": group.pk}, 302),
        ("get", f"/p/{workshop.pk}/", None, 200),
    ]:
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(url, data)
        assert response.status_code == status
        steps.append([query["sql"] for query in ctx.captured_queries])
    return steps


def _touching(queries: list[str], table: str) -> list[str]:
    """The statements (SELECT, INSERT…) that read or write `table` itself."""
    return [
        sql.split(" ", 1)[0]
        for sql in queries
        if f'FROM "{table}"' in sql or f'INTO "{table}"' in sql or f'UPDATE "{table}"' in sql
    ]


def test_the_join_page_costs_two_plain_queries(client, workshop):
    page, _post, _phone = _join_queries(client, workshop)
    # The workshop and its groups; the group list is a plain SELECT, not a server-side
    # cursor (DECLARE, FETCH, CLOSE: three round trips for a handful of groups).
    assert len(page) == 2, page
    assert all(sql.startswith("SELECT") for sql in page), page


def test_the_join_post_writes_the_session_once(client, workshop):
    _page, post, _phone = _join_queries(client, workshop)
    # The workshop, the chosen group, the participant and the people count in one
    # transaction (opened, insert, count, the event with its ordering lock, closed), and
    # the session in another: one INSERT under its new key, no existence check, no second
    # write.
    assert len(post) == 10, post
    assert _touching(post, "django_session") == ["INSERT"]


def test_the_phone_page_after_a_join_costs_five_queries(client, workshop):
    _page, _post, phone = _join_queries(client, workshop)
    # Session, participant (with workshop and group), columns, own notes, last event id.
    assert len(phone) == 5, phone


def test_the_phone_page_in_the_reveal_reads_the_columns_once(client, workshop):
    set_phase(workshop, Workshop.Phase.REVEAL)
    _page, _post, phone = _join_queries(client, workshop)
    # Besides the five: the group's notes on its board, which reuses the columns.
    assert len(phone) == 6, phone
    assert len(_touching(phone, "workshops_column")) == 1


# --- Posting notes ------------------------------------------------------------------------


def test_a_note_posted_by_the_plain_form_redirects_to_the_phone(participant_client, workshop):
    client, participant = participant_client
    response = post_note(client, workshop, text="Gemensam målbild")
    assert response.status_code == 302
    assert response["Location"] == f"/p/{workshop.pk}/"
    note = Note.objects.get(workshop=workshop)
    assert (note.participant, note.group, note.author_name) == (
        participant,
        participant.group,
        "Kim",
    )
    page = client.get(response["Location"])
    assert b"Gemensam m\xc3\xa5lbild" in page.content
    assert b"Your note was posted." in page.content


def test_a_note_posted_twice_with_the_same_client_id_is_saved_once(participant_client, workshop):
    """The outbox (labb.js) posts with `HX-Request: true`, as htmx does, and retries."""
    headers = {"HTTP_HX_REQUEST": "true"}
    client, _participant = participant_client
    client_id = uuid.uuid4()
    first = post_note(client, workshop, text="Tillit", client_id=client_id, **headers)
    again = post_note(client, workshop, text="Tillit", client_id=client_id, **headers)
    assert first.status_code == 201
    assert again.status_code == 200
    note = Note.objects.get(workshop=workshop)
    for response in (first, again):
        assert f'id="own-note-{note.pk}"'.encode() in response.content
        assert b"<html" not in response.content
    assert Note.objects.filter(workshop=workshop, client_id=client_id).count() == 1


def _post_twice_at_once(first: Client, second: Client, workshop: Workshop, client_id) -> dict:
    """Post one client id from two clients at the same moment, as a phone that retries
    while its first post is still being saved: both requests pass the "already saved?"
    check before either inserts (the gate holds each one just before its INSERT until the
    other is there too)."""
    from django.db.models.signals import pre_save

    from tests.concurrency import RaceGate
    from tests.support.database import release_pool

    # A server error is an answer to check, not an exception (the test client's exception
    # capture is process-wide and would blame both threads).
    first.raise_request_exception = second.raise_request_exception = False
    gate = RaceGate(["first", "second"])
    responses = {}

    def hold_before_insert(sender, instance, **kwargs):
        if instance.pk is None:
            gate.wait()

    def post(name: str) -> None:
        responses[name] = post_note(
            first if name == "first" else second,
            workshop,
            text=f"Tillit ({name})",
            client_id=client_id,
            HTTP_HX_REQUEST="true",
        )

    pre_save.connect(hold_before_insert, sender=Note)
    try:
        gate.run(post)
    finally:
        pre_save.disconnect(hold_before_insert, sender=Note)
        gate.close()
        release_pool()
    assert gate.errors == {}
    assert gate.arrived == {"first", "second"}, "the race was not forced"
    return responses


@pytest.mark.django_db(transaction=True)
def test_the_same_client_id_posted_twice_at_once_is_saved_once(participant_client, workshop):
    """The unique constraint makes one of the two inserts fail; the IntegrityError fallback
    answers that request with the note the other one saved."""
    client, _participant = participant_client
    retry = Client()  # the same phone: same session cookie, its own connection
    retry.cookies = copy.deepcopy(client.cookies)
    client_id = uuid.uuid4()
    responses = _post_twice_at_once(client, retry, workshop, client_id)
    note = Note.objects.get(workshop=workshop)
    assert note.client_id == client_id
    assert sorted(r.status_code for r in responses.values()) == [200, 201]
    for response in responses.values():
        assert f'id="own-note-{note.pk}"'.encode() in response.content


@pytest.mark.django_db(transaction=True)
def test_another_participants_client_id_racing_in_is_refused(participant_client, workshop):
    """The fallback applies the same ownership rule as the sequential check: a note saved
    by someone else is not handed to the loser of the race."""
    client, _participant = participant_client
    other = Client()
    join_as(other, workshop, name="Robin")
    responses = _post_twice_at_once(client, other, workshop, uuid.uuid4())
    note = Note.objects.get(workshop=workshop)
    winner, loser = sorted(responses.values(), key=lambda r: r.status_code)
    assert (winner.status_code, loser.status_code) == (201, 400)
    assert f'id="own-note-{note.pk}"'.encode() in winner.content
    assert b"This note id is already in use." in loser.content
    assert note.text.encode() not in loser.content


def test_a_plain_form_retry_with_the_same_client_id_is_saved_once(participant_client, workshop):
    client, _participant = participant_client
    client_id = uuid.uuid4()
    assert post_note(client, workshop, text="En", client_id=client_id).status_code == 302
    assert post_note(client, workshop, text="En", client_id=client_id).status_code == 302
    assert Note.objects.filter(workshop=workshop).count() == 1


def test_another_participants_client_id_is_refused(participant_client, workshop):
    client, _participant = participant_client
    client_id = uuid.uuid4()
    assert post_note(client, workshop, text="Min", client_id=client_id).status_code == 302
    second = Client()
    join_as(second, workshop, name="Robin")
    response = post_note(
        second, workshop, text="Inte min", client_id=client_id, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert Note.objects.get(workshop=workshop).text == "Min"


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", b"This field is required"), ("x" * 501, b"at most 500 characters")],
    ids=["empty", "too-long"],
)
def test_an_invalid_note_is_refused_with_the_reason(participant_client, workshop, text, message):
    client, _participant = participant_client
    page = post_note(client, workshop, text=text)
    fragment = post_note(client, workshop, text=text, HTTP_HX_REQUEST="true")
    assert page.status_code == fragment.status_code == 400
    assert message in page.content
    assert message in fragment.content
    assert b'id="note-errors"' in fragment.content
    assert Note.objects.filter(workshop=workshop).count() == 0


def test_a_note_for_a_column_of_another_workshop_is_refused(
    participant_client, workshop, other_workshop
):
    client, _participant = participant_client
    response = post_note(client, workshop, text="Fel", column=other_workshop.columns.first())
    assert response.status_code == 400
    assert Note.objects.count() == 0


def test_a_workshop_closed_for_notes_refuses_them(participant_client, workshop):
    client, _participant = participant_client
    workshop_set_accepting(workshop=workshop, accepting=False)
    response = post_note(client, workshop, text="För sent", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert b"not taking new notes" in response.content
    assert post_note(client, workshop, text="För sent").status_code == 403
    assert Note.objects.count() == 0


def test_a_closed_workshop_refuses_notes(participant_client, workshop):
    client, _participant = participant_client
    workshop.phase = Workshop.Phase.CLOSED
    workshop.save(update_fields=["phase"])
    assert post_note(client, workshop, text="För sent").status_code == 403
    assert Note.objects.count() == 0


@pytest.mark.usefixtures("fresh_note_window")
def test_posting_too_fast_is_429_with_retry_after(participant_client, workshop, settings):
    client, _participant = participant_client
    settings.LABB_NOTES_PER_MINUTE = 2
    for number in range(2):
        assert post_note(client, workshop, text=f"Lapp {number}").status_code == 302
    response = post_note(client, workshop, text="En för mycket", HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert b"posting very fast" in response.content
    assert Note.objects.filter(workshop=workshop).count() == 2


@pytest.mark.usefixtures("fresh_note_window")
def test_a_retry_of_a_saved_note_is_not_rate_limited(participant_client, workshop, settings):
    client, _participant = participant_client
    settings.LABB_NOTES_PER_MINUTE = 1
    client_id = uuid.uuid4()
    first = post_note(client, workshop, text="Sparad", client_id=client_id, HTTP_HX_REQUEST="true")
    again = post_note(client, workshop, text="Sparad", client_id=client_id, HTTP_HX_REQUEST="true")
    assert (first.status_code, again.status_code) == (201, 200)


# --- Own notes ----------------------------------------------------------------------------


@pytest.fixture
def own_note(participant_client, workshop) -> Note:
    client, _participant = participant_client
    post_note(client, workshop, text="Första utkastet")
    return Note.objects.get(workshop=workshop)


def test_a_participant_can_edit_their_own_note(participant_client, workshop, own_note):
    client, _participant = participant_client
    url = f"/p/{workshop.pk}/notes/{own_note.pk}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Första utkastet".encode() in page.content
    response = client.post(url, {"text": "Andra utkastet"})
    assert response.status_code == 302
    own_note.refresh_from_db()
    assert own_note.text == "Andra utkastet"


def test_an_edit_to_an_empty_note_is_refused(participant_client, workshop, own_note):
    client, _participant = participant_client
    response = client.post(f"/p/{workshop.pk}/notes/{own_note.pk}/edit/", {"text": ""})
    assert response.status_code == 400
    own_note.refresh_from_db()
    assert own_note.text == "Första utkastet"


def test_a_participant_can_delete_their_own_note(participant_client, workshop, own_note):
    client, _participant = participant_client
    response = client.post(f"/p/{workshop.pk}/notes/{own_note.pk}/delete/")
    assert response.status_code == 302
    assert not Note.objects.filter(pk=own_note.pk).exists()


def test_deleting_by_fragment_returns_an_empty_fragment(participant_client, workshop, own_note):
    client, _participant = participant_client
    response = client.post(f"/p/{workshop.pk}/notes/{own_note.pk}/delete/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content == b""
    assert not Note.objects.filter(pk=own_note.pk).exists()


def test_a_participant_cannot_touch_another_participants_note(workshop, own_note):
    other = Client()
    join_as(other, workshop, name="Robin")
    edit = f"/p/{workshop.pk}/notes/{own_note.pk}/edit/"
    assert other.get(edit).status_code == 404
    assert other.post(edit, {"text": "Kapad"}).status_code == 404
    assert other.post(f"/p/{workshop.pk}/notes/{own_note.pk}/delete/").status_code == 404
    own_note.refresh_from_db()
    assert own_note.text == "Första utkastet"


def test_own_notes_cannot_be_changed_once_the_workshop_stops_taking_notes(
    participant_client, workshop, own_note
):
    client, _participant = participant_client
    workshop_set_accepting(workshop=workshop, accepting=False)
    edit = f"/p/{workshop.pk}/notes/{own_note.pk}/edit/"
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"text": "Ändrad"}).status_code == 403
    assert client.post(f"/p/{workshop.pk}/notes/{own_note.pk}/delete/").status_code == 403
    own_note.refresh_from_db()
    assert own_note.text == "Första utkastet"


# --- Every phone view: who may use it -------------------------------------------------------

PHONE_VIEWS = [
    # (method, path, data, status for the participant)
    ("get", "/p/{pk}/", None, 200),
    ("post", "/p/{pk}/group/", "group", 302),
    ("post", "/p/{pk}/notes/", "note", 302),
    ("get", "/p/{pk}/notes/{note}/edit/", None, 200),
    ("post", "/p/{pk}/notes/{note}/edit/", {"text": "Ny text"}, 302),
    ("post", "/p/{pk}/notes/{note}/delete/", None, 302),
]
WRONG_METHODS = [
    ("post", "/p/{pk}/"),
    ("get", "/p/{pk}/group/"),
    ("get", "/p/{pk}/notes/"),
    ("put", "/p/{pk}/notes/{note}/edit/"),
    ("get", "/p/{pk}/notes/{note}/delete/"),
    ("get", "/p/{pk}/votes/"),
    ("post", "/p/{pk}/stream/"),
]


def _request(client, method, path, data, workshop, note):
    url = path.format(pk=workshop.pk, note=note.pk)
    if data == "group":
        data = {"group": workshop.groups.last().pk}
    elif data == "note":
        data = {
            "column": workshop.columns.first().pk,
            "text": "Från vyn",
            "client_id": str(uuid.uuid4()),
        }
    return getattr(client, method)(url, data or {})


@pytest.mark.parametrize(("method", "path", "data", "status"), PHONE_VIEWS)
def test_the_participant_may_use_every_phone_view(
    participant_client, workshop, own_note, method, path, data, status
):
    client, _participant = participant_client
    assert _request(client, method, path, data, workshop, own_note).status_code == status


@pytest.mark.parametrize(("method", "path", "data", "_status"), PHONE_VIEWS)
def test_a_participant_of_another_workshop_gets_404_from_every_phone_view(
    other_participant_client, workshop, own_note, method, path, data, _status
):
    response = _request(other_participant_client, method, path, data, workshop, own_note)
    assert response.status_code == 404
    assert Note.objects.get(pk=own_note.pk).text == "Första utkastet"


@pytest.mark.parametrize(("method", "path", "data", "_status"), PHONE_VIEWS)
def test_a_browser_that_never_joined_gets_404_from_every_phone_view(
    client, workshop, own_note, method, path, data, _status
):
    assert _request(client, method, path, data, workshop, own_note).status_code == 404


@pytest.mark.parametrize(("method", "path", "data", "_status"), PHONE_VIEWS)
def test_a_logged_in_facilitator_is_no_participant(
    facilitator_client, workshop, own_note, method, path, data, _status
):
    assert _request(facilitator_client, method, path, data, workshop, own_note).status_code == 404


@pytest.mark.parametrize(("method", "path"), WRONG_METHODS)
def test_phone_views_refuse_the_wrong_method(participant_client, workshop, own_note, method, path):
    client, _participant = participant_client
    assert _request(client, method, path, None, workshop, own_note).status_code == 405


def test_a_participant_session_lasts_a_workshop_day_not_two_weeks(client, workshop, settings):
    from tests.support.steps import join_as

    join_as(client, workshop)
    assert client.session.get_expiry_age() == settings.LABB_PARTICIPANT_SESSION_SECONDS
    assert settings.LABB_PARTICIPANT_SESSION_SECONDS <= 24 * 3600


def test_the_custom_fragment_header_is_gone(participant_client, workshop):
    """One way to ask for a fragment: `HX-Request` (django-htmx's `request.htmx`)."""
    client, _participant = participant_client
    response = client.post(
        f"/p/{workshop.pk}/notes/",
        {"column": workshop.columns.first().pk, "text": "Tillit", "client_id": uuid.uuid4()},
        HTTP_X_LABB_FRAGMENT="1",
    )
    assert response.status_code == 302
