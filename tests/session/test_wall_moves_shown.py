"""A move on the clustering wall shows at the drop, before the server answers; the answer
confirms it, and a refusal puts back what was there (static/labb/wall.js, `showMove`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import Watch, open_board
from tests.support.steps import set_phase
from workshops.models import Note, Workshop
from workshops.services.notes import notes_bulk_add
from workshops.services.themes import theme_create

pytestmark = [pytest.mark.browser, pytest.mark.services]


@pytest.fixture
def wall_workshop(workshop):
    group = workshop.groups.first()
    column = workshop.columns.first()
    notes = notes_bulk_add(
        workshop=workshop,
        group=group,
        column=column,
        lines="Stuprör mellan förvaltningarna\nPengar saknas\nTid att samverka",
    )
    set_phase(workshop, Workshop.Phase.CLUSTER)
    silos = theme_create(workshop=workshop, name="Silos")
    return workshop, notes, silos


def _held(board, url_part: str) -> list:
    """Requests to `url_part` wait here until the test lets them go."""
    waiting = []
    board.route(f"**/{url_part}", lambda route: waiting.append(route))
    return waiting


def test_a_move_shows_at_the_drop_and_a_refusal_puts_it_back(browser, labb_server, wall_workshop):
    workshop, notes, silos = wall_workshop
    watch = Watch(host=f"127.0.0.1:{labb_server.port}")
    board = open_board(browser, watch, labb_server, workshop)
    waiting = _held(board, "notes/move/")
    card = board.locator(f"#cnote-{notes[0].pk}")

    # Dropped: the card and both counts show the move while the server has not answered.
    board.drag_and_drop(f"#cnote-{notes[0].pk} .note-text", f"#theme-{silos.pk}")
    expect(card).to_have_attribute("data-theme", str(silos.pk))
    expect(card.locator(".wall-badge")).to_have_text("Silos")
    expect(board.locator(f"#wall-count-{silos.pk}")).to_have_text("1")
    expect(board.locator("#wall-count-none")).to_have_text("2")
    assert len(waiting) == 1
    assert Note.objects.get(pk=notes[0].pk).theme_id is None
    waiting.pop().continue_()
    expect(board.locator("#wall-status")).to_contain_text("Moved 1 note to “Silos”.")
    assert Note.objects.get(pk=notes[0].pk).theme_id == silos.pk

    # Refused (the note was hidden meanwhile): the card and the counts are as before.
    second = board.locator(f"#cnote-{notes[1].pk}")
    board.drag_and_drop(f"#cnote-{notes[1].pk} .note-text", f"#theme-{silos.pk}")
    expect(second).to_have_attribute("data-theme", str(silos.pk))
    expect(board.locator(f"#wall-count-{silos.pk}")).to_have_text("2")
    Note.objects.filter(pk=notes[1].pk).update(status=Note.Status.HIDDEN)
    waiting.pop().continue_()
    expect(board.locator("#wall-status")).to_contain_text("Some of those notes are not")
    expect(second).to_have_attribute("data-theme", "")
    expect(second.locator(".wall-badge")).to_have_count(0)
    expect(board.locator(f"#wall-count-{silos.pk}")).to_have_text("1")
    expect(board.locator("#wall-count-none")).to_have_text("2")

    # No answer at all (the network failed): put back too.
    board.drag_and_drop(f"#cnote-{notes[2].pk} .note-text", f"#theme-{silos.pk}")
    expect(board.locator(f"#wall-count-{silos.pk}")).to_have_text("2")
    waiting.pop().abort()
    expect(board.locator(f"#cnote-{notes[2].pk}")).to_have_attribute("data-theme", "")
    expect(board.locator(f"#wall-count-{silos.pk}")).to_have_text("1")
    assert Note.objects.get(pk=notes[2].pk).theme_id is None
    assert board.evaluate("window.__labbNoReload") is True
    watch.assert_clean()
