"""The projector: it follows the phase live, spotlights one group, theme or the vote result,
and breaks long words with a hyphen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.support.steps import add_note, set_phase
from workshops.hyphenate import SOFT_HYPHEN, soft_hyphenate
from workshops.models import LiveEvent, Workshop
from workshops.services.phases import spotlight_set, spotlight_targets
from workshops.services.themes import theme_create
from workshops.services.votes import vote_cast, voting_configure

Phase = Workshop.Phase


def _projector(client, workshop) -> str:
    response = client.get(reverse("workshop_projector", args=[workshop.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _stage(client, workshop) -> str:
    """What the projector fetches after a live event."""
    url = reverse("workshop_projector", args=[workshop.pk]) + "?stage=1"
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def revealed(workshop, phones):
    notes = [
        add_note(workshop, phones[0][1], "Gemensam målbild för länet"),
        add_note(workshop, phones[2][1], "Stuprören mellan förvaltningarna"),
    ]
    set_phase(workshop, Phase.REVEAL)
    workshop.refresh_from_db()
    return workshop, notes


def test_the_join_code_leaves_the_projector_when_the_workshop_closes(facilitator_client, revealed):
    workshop, _notes = revealed
    code = workshop.join_code
    stage = _stage(facilitator_client, workshop)
    assert 'id="projector-join"' in stage and code[:3] in stage.replace("-", "").replace(" ", "")
    set_phase(workshop, Phase.CLOSED)
    stage = _stage(facilitator_client, workshop)
    assert 'id="projector-join"' not in stage
    assert "<svg" not in stage
    assert 'id="phase-name">Closed<' in stage


def test_spotlight_steps_through_groups_themes_and_the_vote_result(
    facilitator_client, revealed, captured_events, django_capture_on_commit_callbacks
):
    workshop, notes = revealed
    groups = list(workshop.groups.all())
    url = reverse("spotlight_set", args=[workshop.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert facilitator_client.post(url, {"step": "next"}).status_code == 302
    workshop.refresh_from_db()
    assert workshop.spotlight == f"group:{groups[0].pk}"
    assert [(e.name, e.audience) for e in captured_events] == [
        ("spotlight", LiveEvent.Audience.BOARD)
    ]
    stage = _stage(facilitator_client, workshop)
    assert "stage-spotlight" in stage
    assert "Gemensam målbild för länet" in stage
    assert "Stuprören" not in stage  # another group's note
    # The facilitator's own overview is not spotlighted.
    board = facilitator_client.get(reverse("workshop_board", args=[workshop.pk])).content.decode()
    assert "stage-spotlight" not in board and "Stuprören" in board

    theme = theme_create(workshop=workshop, name="Styrning", note_ids=[notes[1].pk])
    set_phase(workshop, Phase.VOTE)
    workshop.refresh_from_db()
    assert workshop.spotlight == ""  # a new phase starts on the overview
    targets = [value for value, _label in spotlight_targets(workshop)]
    assert targets == [""] + [f"group:{g.pk}" for g in groups] + [f"theme:{theme.pk}", "votes"]
    facilitator_client.post(url, {"step": "previous"})
    workshop.refresh_from_db()
    assert workshop.spotlight == "votes"
    stage = _stage(facilitator_client, workshop)
    assert "Vote result" in stage
    assert "The result is shown when voting closes." in stage  # totals hidden while voting
    facilitator_client.post(url, {"step": "previous"})
    workshop.refresh_from_db()
    stage = _stage(facilitator_client, workshop)
    assert "Styrning" in stage and "Stuprören mellan förvaltningarna" in stage
    assert "Gemensam målbild" not in stage


def test_the_vote_result_ranks_by_dots_once_totals_are_visible(
    facilitator_client, revealed, phones
):
    workshop, notes = revealed
    voting_configure(workshop=workshop, budget=3, stackable=True, hidden=False)
    set_phase(workshop, Phase.VOTE)
    vote_cast(participant=phones[0][1], note_id=notes[1].pk)
    vote_cast(participant=phones[1][1], note_id=notes[1].pk)
    vote_cast(participant=phones[1][1], note_id=notes[0].pk)
    workshop.refresh_from_db()
    spotlight_set(workshop=workshop, target="votes")
    stage = _stage(facilitator_client, workshop)
    first = stage.index("Stuprören mellan förvaltningarna")
    second = stage.index("Gemensam målbild för länet")
    assert first < second
    assert '<meter min="0" max="2" value="2"' in stage
    assert "3 votes cast · 2 of 4 have voted" in stage


def test_spotlight_refuses_what_the_phase_cannot_show(facilitator_client, workshop):
    url = reverse("spotlight_set", args=[workshop.pk])
    response = facilitator_client.post(url, {"target": "votes"})
    assert response.status_code == 400
    assert "The projector cannot show that now." in response.content.decode()
    response = facilitator_client.post(url, {"target": "group:999999"})
    assert response.status_code == 400
    workshop.refresh_from_db()
    assert workshop.spotlight == ""


def test_a_spotlight_on_a_deleted_group_falls_back_to_every_group(facilitator_client, revealed):
    workshop, _notes = revealed
    group = workshop.groups.last()
    spotlight_set(workshop=workshop, target=f"group:{group.pk}")
    group.notes.all().delete()
    group.delete()
    stage = _stage(facilitator_client, workshop)
    assert "stage-spotlight" not in stage
    assert "Gemensam målbild för länet" in stage


def test_long_words_get_soft_hyphens_on_the_board(facilitator_client, revealed, phones):
    workshop, _notes = revealed
    assert soft_hyphenate("utvecklingsarbete") == SOFT_HYPHEN.join(
        ["utveck", "lings", "ar", "bete"]
    )
    assert soft_hyphenate("Kort ord") == "Kort ord"
    add_note(workshop, phones[0][1], "Långsiktigt utvecklingsarbete <b>nu</b>")
    html = _projector(facilitator_client, workshop)
    assert f"Lång{SOFT_HYPHEN}sik{SOFT_HYPHEN}tigt" in html
    assert "&lt;b&gt;nu&lt;/b&gt;" in html and "<b>nu</b>" not in html
    column = workshop.columns.first()
    assert soft_hyphenate(column.title) in html
