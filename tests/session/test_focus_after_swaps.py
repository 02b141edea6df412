"""WCAG 2.4.3: focus stays where the keyboard user was after a part of the page is redrawn.

An htmx swap replaces the focused button with a fresh copy; without help focus falls to
<body> and a keyboard user starts again from the top of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.a11y import active, desk, join_phone, open_board
from tests.support.steps import set_phase
from workshops.models import Workshop
from workshops.services import themes, workshops

pytestmark = [pytest.mark.browser, pytest.mark.services]


@pytest.fixture
def brainstorm(challenge, facilitator) -> Workshop:
    return workshops.workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Samverkan",
        template_key="brainstorm",
        group_count=2,
    )


def _press(page, locator) -> None:
    # htmx ignores a submit while the form's previous request is still settling.
    expect(page.locator(".htmx-request, .htmx-settling")).to_have_count(0)
    locator.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".htmx-request, .htmx-settling")).to_have_count(0)


def test_focus_stays_on_the_control_used_on_the_board(server_url, browser, brainstorm, facilitator):
    workshop = set_phase(brainstorm, "write")
    board = open_board(desk(browser, server_url, facilitator), server_url, workshop)

    _press(board, board.get_by_role("button", name="Start timer"))
    expect(board.locator("#timer .timer-value")).to_be_visible()
    expect(board.get_by_role("button", name="Start timer")).to_be_focused()

    _press(board, board.locator("#phase-cluster"))
    expect(board.locator("#phase-cluster")).to_have_attribute("aria-current", "step")
    board.locator("#new-theme-name").fill("Silos")
    _press(board, board.get_by_role("button", name="Add theme"))
    expect(board.locator(".theme-name", has_text="Silos")).to_be_visible()
    assert active(board) != "BODY"
    expect(board.get_by_role("button", name="Add theme")).to_be_focused()

    # A theme added on another screen redraws the stage: focus stays on the button in the
    # theme's open Edit section (which stays open).
    board.locator("#wall-themes summary", has_text="Silos").click()
    rename = board.get_by_role("button", name="Rename Silos")
    rename.focus()
    themes.theme_create(workshop=workshop, name="Pengar")
    expect(board.locator(".theme-name", has_text="Pengar")).to_be_visible()
    board.wait_for_timeout(300)
    assert active(board) != "BODY"
    expect(rename).to_be_focused()

    _press(board, board.locator("#phase-next_steps"))
    expect(board.locator("#phase-next_steps")).to_have_attribute("aria-current", "step")
    board.locator("#id_title").fill("Gemensam träff")
    _press(board, board.get_by_role("button", name="Add next step"))
    expect(board.locator("#action-items")).to_contain_text("Gemensam träff")
    expect(board.get_by_role("button", name="Add next step")).to_be_focused()

    # A refused next step: focus goes to the list of errors, not to <body>.
    _press(board, board.get_by_role("button", name="Add next step"))
    expect(board.locator("#form-errors")).to_be_visible()
    expect(board.locator("#form-errors")).to_be_focused()


def test_the_phones_send_button_keeps_focus_when_a_phase_change_redraws_the_page(
    server_url, browser, brainstorm, facilitator
):
    workshop = set_phase(brainstorm, "write")
    phone = join_phone(browser, server_url, workshop)
    send = phone.get_by_role("button", name="Send")
    send.focus()
    set_phase(Workshop.objects.get(pk=workshop.pk), "reveal")
    expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", "reveal")
    phone.wait_for_timeout(300)
    assert active(phone) != "BODY"
    expect(phone.get_by_role("button", name="Send")).to_be_focused()
