"""The facilitator's board keeps its counts current without a reload: the People column
counts phones that join after the board was loaded, and in Reveal with screening on the
board says that notes wait for approval."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    Watch,
    check_axe,
    new_phone,
    open_board,
    send_note,
    take_part,
)
from workshops.models import Workshop
from workshops.services.phases import phase_set

pytestmark = [pytest.mark.browser, pytest.mark.services]


def test_people_who_join_later_and_notes_waiting_for_approval_show_on_the_board(
    browser,
    labb_servers,
    workshop,
    facilitator,
):
    workshop.screening = True
    workshop.save(update_fields=["screening"])
    phase_set(workshop=workshop, phase=Workshop.Phase.WRITE)
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    group = workshop.groups.order_by("position").first()
    board = open_board(browser, watch, server, workshop)
    people = board.locator(f"#people-g{group.pk}")
    expect(people).to_have_text("0")

    _context, phone = new_phone(browser, watch)
    phone.goto(f"{server.url}/j/{workshop.join_code}/")
    take_part(phone, watch, name="Kim", group_pk=group.pk, label="join later")
    expect(people).to_have_text("1")

    phase_set(workshop=workshop, phase=Workshop.Phase.REVEAL)
    board.wait_for_selector("#stage .board-grid")
    phone.wait_for_timeout(3000)  # the phone refetches its screen after the phase event
    phone.wait_for_selector("form[data-note-form]")
    send_note(phone, "Behöver godkännas")
    waiting = board.locator("#pending-notes a")
    expect(waiting).to_have_text("1 note waits for approval")
    check_axe(board, watch, "board with a note waiting for approval")
    assert board.evaluate("window.__labbNoReload") is True
    watch.assert_clean()
