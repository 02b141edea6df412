"""Now → Future (three columns) on every screen: the three columns side by side in each group
card on the board and the projector, one group across the projector's whole width, and each
note on the phone in its column's colour (the field report: every phone note was yellow)."""

from __future__ import annotations

import uuid

import pytest

from tests.support.browser import (
    DESKTOP,
    PHONE,
    Watch,
    check_axe,
    log_in,
    new_context,
    take_part,
)
from workshops.models import Participant, Workshop
from workshops.services.notes import note_create
from workshops.services.phases import phase_set
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.services]

FULL_HD = {"viewport": {"width": 1920, "height": 1080}}
TIMEOUT = 15_000

COLUMN_BOXES = """() => Array.from(document.querySelectorAll('#stage .group-board')).map((card) =>
  Array.from(card.querySelectorAll('.columns > .column')).map((column) => {
    const r = column.getBoundingClientRect();
    return {top: Math.round(r.top), left: Math.round(r.left), width: Math.round(r.width)};
  }))"""


def _now_future(challenge, facilitator, groups: int) -> Workshop:
    workshop = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Från nu till framtid",
        template_key="now_future",
        group_count=groups,
    )
    phase_set(workshop=workshop, phase=Workshop.Phase.REVEAL)
    return workshop


def _assert_side_by_side(cards: list[list[dict]]) -> None:
    assert cards
    for columns in cards:
        assert len(columns) == 3
        assert len({c["top"] for c in columns}) == 1, columns  # one row, none wraps below
        assert columns[0]["left"] < columns[1]["left"] < columns[2]["left"], columns


def _write(workshop: Workshop, participant: Participant, texts: list[str]) -> None:
    for column, text in zip(workshop.columns.order_by("position"), texts, strict=True):
        note_create(
            workshop=workshop,
            participant=participant,
            group=participant.group,
            column=column,
            text=text,
            client_id=uuid.uuid4(),
        )


@pytest.mark.parametrize("groups", [3, 1])
def test_the_three_columns_sit_side_by_side_on_the_board_and_the_projector(
    browser,
    labb_servers,
    challenge,
    facilitator,
    groups,
):
    workshop = _now_future(challenge, facilitator, groups)
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, **DESKTOP)
    board = context.new_page()
    board.set_default_timeout(TIMEOUT)
    log_in(board, watch, server.url, "frida", "pw-frida")
    board.goto(f"{server.url}/workshops/{workshop.pk}/board/")
    board.wait_for_selector("#live-status[data-state=connected]")
    _assert_side_by_side(board.evaluate(COLUMN_BOXES))
    check_axe(board, watch, f"board, Now → Future, {groups} groups")

    projector = context.new_page()
    projector.set_viewport_size(FULL_HD["viewport"])
    projector.goto(f"{server.url}/workshops/{workshop.pk}/projector/")
    projector.wait_for_selector("#live-status[data-state=connected]")
    projector.wait_for_timeout(300)  # the fit runs on the next animation frame
    cards = projector.evaluate(COLUMN_BOXES)
    _assert_side_by_side(cards)
    if groups == 1:
        width = projector.evaluate(
            "document.querySelector('#stage .group-board').getBoundingClientRect().width"
        )
        assert width >= 0.9 * FULL_HD["viewport"]["width"], width
    check_axe(projector, watch, f"projector, Now → Future, {groups} groups")
    watch.assert_clean()
    context.close()


def test_each_note_on_the_phone_has_its_columns_colour(
    browser,
    labb_servers,
    challenge,
    facilitator,
):
    workshop = _now_future(challenge, facilitator, 1)
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, **PHONE)
    phone = context.new_page()
    phone.set_default_timeout(TIMEOUT)
    phone.goto(f"{server.url}/j/{workshop.join_code}/")
    group = workshop.groups.get()
    take_part(phone, watch, name="Kim", group_pk=group.pk, label="join Now → Future")
    participant = Participant.objects.get(workshop=workshop)
    _write(workshop, participant, ["Mejl överallt", "Ett gemensamt rum", "Prova i en enhet"])
    phone.reload()
    phone.wait_for_selector("#own-notes .own-note")

    backgrounds = """(selector) => Array.from(document.querySelectorAll(selector)).map(
      (el) => getComputedStyle(el).backgroundColor)"""
    blue, green, yellow = "rgb(214, 232, 255)", "rgb(211, 240, 209)", "rgb(255, 243, 176)"
    # "Your notes" lists the newest first; the group's board by column.
    assert phone.evaluate(backgrounds, "#own-notes .own-note") == [yellow, green, blue]
    assert phone.evaluate(backgrounds, ".phone-board .own-note") == [blue, green, yellow]
    check_axe(phone, watch, "phone with notes in three colours")
    watch.assert_clean()
    context.close()
