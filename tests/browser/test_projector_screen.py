"""The projector at 1920×1080 with the large demo workshop (18 groups, ~250 notes): every
group on one screen without scrolling, no heading clipped, spotlight and phase changes
followed live, axe clean in every phase. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.support.browser import (
    TIMEOUT,
    Watch,
    check_axe,
    log_in,
    new_context,
)
from tests.support.projector import FULL_HD, assert_fits, projector_layout
from workshops import demo_large
from workshops.models import Note, Workshop
from workshops.services.joins import participant_join
from workshops.services.phases import phase_set, spotlight_set
from workshops.services.themes import theme_create
from workshops.services.votes import vote_cast, voting_configure

pytestmark = [pytest.mark.browser, pytest.mark.services]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# 250 notes on one 1080p screen leave room for type of about 11 px (8,600 characters at
# ~2.5× their glyph area for wrapping and padding); on a 3 m wide screen that is 17 mm.
MIN_NOTE_PX = 10


def _shot(page, name: str) -> None:
    if os.environ.get("LABB_SCREENSHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name))


def test_the_large_demo_fits_one_projector_screen_and_follows_the_facilitator(
    browser,
    labb_servers,
):
    call_command("seed_demo", verbosity=0)
    workshop = Workshop.objects.get(title=demo_large.LARGE_WORKSHOP_TITLE)
    note_count = Note.objects.filter(workshop=workshop).count()
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, locale="sv-SE", **FULL_HD)
    projector = context.new_page()
    projector.set_default_timeout(TIMEOUT)
    log_in(projector, watch, server.url, "facilitator", "labb-demo")
    projector.goto(f"{server.url}/workshops/{workshop.pk}/projector/")
    projector.wait_for_selector("#live-status[data-state=connected]")

    # Overview: all 18 groups and every note on one screen, legible, nothing clipped.
    layout = projector_layout(projector)
    _shot(projector, "projector-overview.png")
    assert_fits(layout)
    assert layout["groups"] == 18
    assert layout["notes"] == note_count
    assert layout["minFont"] >= MIN_NOTE_PX, layout
    assert layout["background"] == "rgb(0, 0, 0)"
    check_axe(projector, watch, "projector overview (reveal)")
    _shot(projector, "projector-overview.png")

    # Spotlight, stepped from the facilitator's board: the projector follows live.
    board = context.new_page()
    board.set_default_timeout(TIMEOUT)
    board.goto(f"{server.url}/workshops/{workshop.pk}/board/")
    with board.expect_navigation():
        board.click(".spotlight-form button[value=next]")
    projector.wait_for_selector("#stage.stage-spotlight")
    overview_font = layout["minFont"]
    layout = projector_layout(projector)
    assert_fits(layout)
    assert layout["groups"] == 1
    assert layout["minFont"] >= 2 * overview_font, layout  # one group is shown large
    check_axe(projector, watch, "projector spotlight (group)")
    _shot(projector, "projector-spotlight-group.png")

    # Voting: a theme and the vote result.
    notes = list(Note.objects.filter(workshop=workshop).order_by("pk"))
    theme = theme_create(
        workshop=workshop,
        name="Stuprör",
        note_ids=[n.pk for n in notes if "tupr" in n.text.lower()],
    )
    voting_configure(workshop=workshop, budget=5, stackable=True, hidden=False)
    phase_set(workshop=workshop, phase=Workshop.Phase.VOTE)
    projector.wait_for_selector("#phase-name:has-text('Rösta')")
    projector.wait_for_selector("#stage:not(.stage-spotlight)")
    check_axe(projector, watch, "projector overview (vote)")
    participants = [session_join(workshop, index) for index in range(6)]
    for index, participant in enumerate(participants):
        vote_cast(participant=participant, theme_id=theme.pk)
        vote_cast(participant=participant, note_id=notes[index % 3].pk)
    workshop.refresh_from_db()
    spotlight_set(workshop=workshop, target="votes")
    projector.wait_for_selector(".vote-result li")
    layout = projector_layout(projector)
    assert_fits(layout)
    text = projector.inner_text(".vote-result")
    assert text.index("Stuprör") < text.index(notes[0].text)
    check_axe(projector, watch, "projector spotlight (vote result)")
    _shot(projector, "projector-vote-result.png")

    # Closing takes the join code, link and QR off the projector at once.
    assert projector.locator("#projector-join").count() == 1
    phase_set(workshop=workshop, phase=Workshop.Phase.CLOSED)
    projector.wait_for_selector("#projector-join", state="detached")
    check_axe(projector, watch, "projector closed")
    watch.assert_clean()
    context.close()


def session_join(workshop, index):

    return participant_join(
        workshop=workshop, display_name="", group=list(workshop.groups.all())[index]
    )
