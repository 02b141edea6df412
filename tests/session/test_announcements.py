"""WCAG 4.1.3: the board and the phone tell a screen reader about new notes (one polite,
throttled message for a burst) and about a phase change, as the projector does."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.support.a11y import desk, join_phone, open_board
from tests.support.steps import add_note, join_as, set_phase
from workshops.models import Workshop

pytestmark = [pytest.mark.browser, pytest.mark.services]

# Everything the live region said, in order.
LISTEN = """() => {
  const region = document.getElementById('live-announcer');
  window.__said = [];
  new MutationObserver(() => window.__said.push(region.textContent))
    .observe(region, {childList: true, characterData: true, subtree: true});
  return region.getAttribute('aria-live');
}"""


def test_the_board_and_the_phone_announce_notes_and_phases(
    server_url, browser, workshop, facilitator
):
    workshop = set_phase(workshop, "reveal")
    board = open_board(desk(browser, server_url, facilitator), server_url, workshop)
    phone = join_phone(browser, server_url, workshop, group="Group 1")
    for page in (board, phone):
        assert page.evaluate(LISTEN) == "polite"

    others = [join_as(Client(), workshop, group_index=0, name=f"Person {i}") for i in range(3)]
    for index, person in enumerate(others):
        add_note(workshop, person, f"Tanke nummer {index}")
    for page in (board, phone):
        expect(page.locator("#live-announcer")).to_have_text(
            "3 new notes on the board", timeout=10_000
        )
        # A burst is one message, not one per note.
        assert page.evaluate("window.__said") == ["3 new notes on the board"]

    set_phase(Workshop.objects.get(pk=workshop.pk), "cluster")
    for page in (board, phone):
        expect(page.locator("#phase-name")).not_to_have_text("Reveal")
        phase = page.inner_text("#phase-name")
        expect(page.locator("#live-announcer")).to_have_text(f"Now: {phase}")
