import copy

import pytest
from django.test import Client

from tests.support.live import event_html
from tests.support.steps import add_note, set_phase
from workshops.boards import votes_left
from workshops.live.events import VoteCast
from workshops.models import LiveEvent, Vote, Workshop
from workshops.services.themes import theme_create
from workshops.services.votes import vote_cast, voting_configure
from workshops.services.workshops import workshop_create

Phase = Workshop.Phase


@pytest.fixture
def voting(workshop, phones):
    notes = [
        add_note(workshop, phones[0][1], "Gemensam målbild"),
        add_note(workshop, phones[2][1], "Tydliga mandat"),
    ]
    theme = theme_create(workshop=workshop, name="Styrning", note_ids=[notes[1].pk])
    voting_configure(workshop=workshop, budget=3, stackable=True, hidden=True)
    set_phase(workshop, Phase.VOTE)
    workshop.refresh_from_db()
    return workshop, notes, theme


def _vote(client, workshop, target, action="add", **extra):
    return client.post(f"/p/{workshop.pk}/votes/", {"target": target, "action": action}, **extra)


def test_a_phone_spends_its_budget_and_no_more(voting, phones):
    workshop, notes, theme = voting
    client, participant = phones[0]
    assert _vote(client, workshop, f"note:{notes[0].pk}").status_code == 302
    assert _vote(client, workshop, f"theme:{theme.pk}").status_code == 302
    assert _vote(client, workshop, f"note:{notes[0].pk}").status_code == 302
    response = _vote(client, workshop, f"note:{notes[0].pk}")
    assert response.status_code == 409
    assert b"You have used all your votes." in response.content
    assert Vote.objects.filter(participant=participant).count() == 3


def test_the_phone_shows_the_votes_left(voting, phones):
    workshop, notes, _theme = voting
    client, _participant = phones[0]
    response = _vote(client, workshop, f"note:{notes[0].pk}", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"You have 2 votes left." in response.content


def test_taking_a_vote_back_returns_it_to_the_budget(voting, phones):
    workshop, notes, _theme = voting
    client, participant = phones[0]
    _vote(client, workshop, f"note:{notes[0].pk}")
    assert _vote(client, workshop, f"note:{notes[0].pk}", "remove").status_code == 302
    assert votes_left(participant) == 3
    assert _vote(client, workshop, f"note:{notes[0].pk}", "remove").status_code == 400


def test_one_vote_per_note_when_votes_do_not_stack(voting, phones):
    workshop, notes, _theme = voting
    voting_configure(workshop=workshop, budget=3, stackable=False, hidden=True)
    client, _participant = phones[0]
    assert _vote(client, workshop, f"note:{notes[0].pk}").status_code == 302
    response = _vote(client, workshop, f"note:{notes[0].pk}")
    assert response.status_code == 409
    assert b"only one vote on each" in response.content


def test_voting_is_refused_outside_the_vote_phase(voting, phones):
    workshop, notes, _theme = voting
    set_phase(workshop, Phase.CLUSTER)
    client, _participant = phones[0]
    assert _vote(client, workshop, f"note:{notes[0].pk}").status_code == 403
    assert not Vote.objects.exists()


def test_bad_targets_are_refused(voting, phones, other_facilitator, challenge):
    workshop, notes, _theme = voting
    client, _participant = phones[0]
    assert _vote(client, workshop, "note:abc").status_code == 400
    assert _vote(client, workshop, "cake:1").status_code == 400
    assert _vote(client, workshop, "note:999999").status_code == 400


def test_hidden_totals_are_not_on_boards_or_phones_until_voting_closes(
    voting, phones, facilitator_client, captured_events, django_capture_on_commit_callbacks
):
    workshop, notes, _theme = voting
    with django_capture_on_commit_callbacks(execute=True):
        for client, _p in phones:
            _vote(client, workshop, f"note:{notes[0].pk}")
    # Boards hear how far the room has got, never where the dots went.
    events = [e for e in captured_events if e.name == "vote"]
    assert len(events) == len(phones)
    assert all(e.audience == LiveEvent.Audience.BOARD for e in events)
    assert events[-1].event == VoteCast(
        totals_visible=False,
        votes_cast=len(phones),
        voters=len(phones),
        participant_count=len(phones),
    )
    assert f"{len(phones)} votes cast · {len(phones)} of {len(phones)} have voted" in event_html(
        events[-1]
    )
    htmls = [event_html(e) for e in events]
    assert not [html for html in htmls if notes[0].text in html or "refresh" in html]
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    assert "4 votes cast" in projector
    assert "Totals are hidden until voting closes." in projector
    assert "4 votes</span>" not in projector
    phone = phones[1][0].get(f"/p/{workshop.pk}/").content.decode()
    assert "votes in all" not in phone
    set_phase(workshop, Phase.NEXT_STEPS)
    projector = facilitator_client.get(f"/workshops/{workshop.pk}/projector/").content.decode()
    assert "Gemensam målbild — 4 votes" in projector


def test_open_totals_are_pushed_to_boards_only(
    voting, phones, captured_events, django_capture_on_commit_callbacks
):
    workshop, notes, _theme = voting
    voting_configure(workshop=workshop, budget=3, stackable=True, hidden=False)
    with django_capture_on_commit_callbacks(execute=True):
        _vote(phones[0][0], workshop, f"note:{notes[0].pk}")
    assert [(e.event, e.audience) for e in captured_events] == [
        (VoteCast(totals_visible=True), LiveEvent.Audience.BOARD)
    ]
    phone = phones[1][0].get(f"/p/{workshop.pk}/").content.decode()
    assert "1 vote in all" in phone


def test_budget_setting_is_limited_to_1_to_20(facilitator_client, workshop):
    url = f"/workshops/{workshop.pk}/voting/"
    response = facilitator_client.post(url, {"vote_budget": 21, "votes_hidden": "on"})
    assert response.status_code == 400
    response = facilitator_client.post(url, {"vote_budget": 7, "votes_stackable": "on"})
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert (workshop.vote_budget, workshop.votes_stackable, workshop.votes_hidden) == (
        7,
        True,
        False,
    )


def test_voting_settings_permissions(client, workshop, other_facilitator, phones):
    url = f"/workshops/{workshop.pk}/voting/"
    assert client.post(url, {"vote_budget": 2}).status_code == 302  # to login
    assert phones[0][0].post(url, {"vote_budget": 2}).status_code == 302
    client.force_login(other_facilitator)
    assert client.post(url, {"vote_budget": 2}).status_code == 404
    workshop.refresh_from_db()
    assert workshop.vote_budget == 5


def test_vote_view_permissions(voting, client, facilitator_client, phones):
    workshop, notes, _theme = voting
    # Anonymous and facilitators have not joined as participants: 404.
    assert _vote(Client(), workshop, f"note:{notes[0].pk}").status_code == 404
    assert _vote(facilitator_client, workshop, f"note:{notes[0].pk}").status_code == 404
    assert phones[0][0].get(f"/p/{workshop.pk}/votes/").status_code == 405
    assert not Vote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_taps_cannot_overspend_the_budget(challenge, facilitator):
    """Eight taps at once on real PostgreSQL, one vote left: exactly one is counted.

    Every tap is held just before it saves its vote until each other tap has got there
    too, has finished, or is waiting for a lock. Without the participant's row lock all
    eight have counted the votes already used and go on to save: the race happens every
    run, not when the scheduler happens to interleave the threads.
    """
    from django.db.models.signals import pre_save

    from tests.concurrency import RaceGate
    from tests.support.database import release_pool
    from tests.support.steps import join_as

    workshop = workshop_create(
        challenge=challenge, user=facilitator, title="W", template_key="brainstorm", group_count=2
    )
    client = Client()
    participant = join_as(client, workshop)
    note = add_note(workshop, participant, "Pengar")
    voting_configure(workshop=workshop, budget=2, stackable=True, hidden=True)
    set_phase(workshop, Phase.VOTE)
    vote_cast(participant=participant, note_id=note.pk)
    gate = RaceGate([f"tap-{n}" for n in range(8)])
    statuses = {}

    def hold_before_insert(sender, instance, **kwargs):
        if instance.pk is None:
            gate.wait()

    def tap(name: str) -> None:
        phone = Client()  # the same phone (session), its own connection
        phone.cookies = copy.deepcopy(client.cookies)
        phone.raise_request_exception = False
        statuses[name] = _vote(phone, workshop, f"note:{note.pk}").status_code

    pre_save.connect(hold_before_insert, sender=Vote)
    try:
        gate.run(tap)
    finally:
        pre_save.disconnect(hold_before_insert, sender=Vote)
        gate.close()
        release_pool()
    assert gate.errors == {}
    assert sorted(statuses.values()) == [302] + [409] * 7
    assert Vote.objects.filter(participant=participant).count() == 2


def test_boards_count_the_people_who_have_voted_live(
    voting, phones, captured_events, django_capture_on_commit_callbacks
):
    workshop, notes, _theme = voting
    with django_capture_on_commit_callbacks(execute=True):
        _vote(phones[0][0], workshop, f"note:{notes[0].pk}")
        _vote(phones[0][0], workshop, f"note:{notes[1].pk}")
        _vote(phones[1][0], workshop, f"note:{notes[0].pk}")
    last = event_html([e for e in captured_events if e.name == "vote"][-1])
    assert 'id="votes-cast"' in last and 'hx-swap-oob="outerHTML"' in last
    assert f"3 votes cast · 2 of {len(phones)} have voted" in last


def test_with_votes_on_themes_only_a_vote_on_a_note_is_refused_and_explained(voting, phones):
    workshop, notes, theme = voting
    voting_configure(workshop=workshop, budget=3, stackable=True, hidden=True, themes_only=True)
    client, participant = phones[0]
    response = _vote(client, workshop, f"note:{notes[0].pk}", HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "you vote on the themes, not on single notes" in response.content.decode()
    assert not Vote.objects.filter(participant=participant).exists()
    assert _vote(client, workshop, f"theme:{theme.pk}").status_code == 302
    assert Vote.objects.filter(participant=participant, theme=theme).count() == 1


def test_a_vote_on_a_note_cast_before_themes_only_can_still_be_taken_back(voting, phones):
    workshop, notes, _theme = voting
    client, participant = phones[0]
    _vote(client, workshop, f"note:{notes[0].pk}")
    voting_configure(workshop=workshop, budget=3, stackable=True, hidden=True, themes_only=True)
    page = client.get(f"/p/{workshop.pk}/").content.decode()
    assert f'id="vote-remove-note-{notes[0].pk}"' in page
    assert f'id="vote-add-note-{notes[0].pk}"' not in page
    assert _vote(client, workshop, f"note:{notes[0].pk}", "remove").status_code == 302
    assert votes_left(participant) == 3
    page = client.get(f"/p/{workshop.pk}/").content.decode()
    assert f"vote-note-{notes[0].pk}" not in page


def test_the_facilitator_chooses_votes_on_themes_only(voting, facilitator_client):
    workshop, _notes, _theme = voting
    response = facilitator_client.post(
        f"/workshops/{workshop.pk}/voting/",
        {"vote_budget": 3, "votes_stackable": "on", "votes_on_themes_only": "on"},
    )
    assert response.status_code == 302
    workshop.refresh_from_db()
    assert workshop.votes_on_themes_only is True
    assert workshop.votes_hidden is False
    board = facilitator_client.get(f"/workshops/{workshop.pk}/board/").content.decode()
    assert 'name="votes_on_themes_only"' in board


def test_the_phone_lists_themes_first_and_loose_notes_by_group_and_column(voting, phones):
    workshop, notes, theme = voting
    client, _participant = phones[0]
    page = client.get(f"/p/{workshop.pk}/").content.decode()
    assert page.index(f'id="vote-theme-{theme.pk}"') < page.index(f'id="vote-note-{notes[0].pk}"')
    group, column = notes[0].group, notes[0].column
    section = f'<details class="vote-section" id="vote-section-g{group.pk}-c{column.pk}"'
    assert section in page
    assert page.index(section) < page.index(f'id="vote-note-{notes[0].pk}"')
    assert f'id="vote-note-{notes[1].pk}"' not in page  # in the theme, not loose
    assert 'id="vote-filter"' in page
