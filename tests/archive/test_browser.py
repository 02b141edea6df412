"""A staff member finds a paper workshop's note by an inflected word and opens the workshop.

Real browser (Debian's Chromium), real server (`labb_servers`, against this test's
database), axe-core WCAG 2.1 AA on every page visited.

On SQLite the test database must be a file for the server to share it: run with
TEST_DATABASE_NAME set (see docs/archive.md).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from tests.support.browser import (
    DESKTOP,
    Watch,
    check_axe,
    log_in,
    new_context,
)
from workshops.models import Workshop
from workshops.services.notes import notes_bulk_add
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 15_000


@pytest.fixture
def server(labb_servers) -> str:
    return labb_servers.start(env={"DEBUG": "1", "LABB_PRODUCTION": "0"}).url


@pytest.fixture
def paper_session(challenge, facilitator):
    workshop = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Lärlabb på papper",
        template_key="success_obstacles",
        group_count=3,
        date=datetime.date(2019, 11, 12),
        place="Växjö",
        kind=Workshop.Kind.PAPER,
    )
    groups = list(workshop.groups.all())
    success, obstacles = list(workshop.columns.all())[:2]
    notes_bulk_add(workshop=workshop, group=groups[0], column=success, lines="Gemensam målbild")
    notes_bulk_add(
        workshop=workshop, group=groups[1], column=obstacles, lines="Stuprören mellan kommunerna"
    )
    notes_bulk_add(
        workshop=workshop,
        group=groups[2],
        column=obstacles,
        lines="Stuprör mellan förvaltningarna\nKortsiktig finansiering",
    )
    return workshop


def test_staff_finds_a_paper_note_by_an_inflected_word(browser, server, paper_session, staff):
    watch = Watch(host=server.removeprefix("http://"))
    context = new_context(browser, watch, **DESKTOP)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    log_in(page, watch, server, "sam", "pw-sam")

    page.goto(f"{server}/archive/")
    check_axe(page, watch, "archive")
    assert page.get_by_role("link", name="Lärlabb på papper").is_visible()

    page.get_by_role("link", name="Search", exact=True).first.click()
    page.wait_for_url("**/archive/search/**")
    check_axe(page, watch, "search form")
    page.get_by_label("Search").fill("stuprören")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**q=stupr*")
    check_axe(page, watch, "search results")
    result = page.locator("#results-notes ~ ul a", has_text="förvaltningarna")
    assert result.inner_text() == "Stuprör mellan förvaltningarna"
    assert result.locator("mark").inner_text() == "Stuprör"

    result.click()
    page.wait_for_url(f"**/archive/workshops/{paper_session.pk}/#note-*")
    check_axe(page, watch, "workshop summary")
    assert page.get_by_role("heading", level=1).inner_text() == "Lärlabb på papper"
    assert page.locator("li:target").inner_text() == "Stuprör mellan förvaltningarna"

    page.go_back()
    page.get_by_role("link", name="What keeps coming back in these results").click()
    page.wait_for_url("**/archive/recurring/**")
    check_axe(page, watch, "recurring")
    assert page.locator("svg.chart title").text_content().startswith("Recurring words")

    page.goto(f"{server}/challenges/{paper_session.challenge_id}/")
    check_axe(page, watch, "challenge")
    watch.assert_clean()
    context.close()


def test_facilitator_types_in_a_paper_workshop(browser, server, paper_session, facilitator):
    watch = Watch(host=server.removeprefix("http://"))
    context = new_context(browser, watch, **DESKTOP)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    log_in(page, watch, server, "frida", "pw-frida")
    page.goto(f"{server}/workshops/{paper_session.pk}/paper/")
    check_axe(page, watch, "paper entry")
    page.locator("textarea").nth(1).fill("Otydligt mandat\nSilos")
    page.get_by_role("button", name="Save all notes").click()
    page.wait_for_load_state("domcontentloaded")
    check_axe(page, watch, "paper entry after save")
    assert paper_session.notes.count() == 6
    watch.assert_clean()
    context.close()
