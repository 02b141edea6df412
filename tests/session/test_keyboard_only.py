"""Keyboard only (WCAG 2.1.1, 2.4.3, 2.4.7): a participant joins, posts, edits and votes, and
a facilitator runs every phase, with Tab, Shift+Tab, arrows, typing and Enter, never the
mouse. After every key the focused element shows a visible indicator and is on screen, and
no swap drops focus to <body>."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.a11y import PHONE, TIMEOUT, Axe, active, desk, watch_for
from tests.support.browser import new_context
from workshops.models import ActionItem, Note, Theme, Vote
from workshops.services import workshops

pytestmark = [pytest.mark.browser, pytest.mark.services]

# Whether focus can be seen: an outline or a ring, and the element inside the window.
FOCUS_SEEN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return 'focus on <body>'; }
  const s = getComputedStyle(el);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
  const r = el.getBoundingClientRect();
  const onScreen = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
    r.top < window.innerHeight && r.left < window.innerWidth;
  return ring && onScreen ? '' : el.outerHTML.slice(0, 80) + (ring ? ' is off screen' : ' has no visible focus');
}"""


def _seen(page) -> None:
    problem = page.evaluate(FOCUS_SEEN)
    assert problem == "", problem


def _tab_to(page, selector: str, *, back: bool = False, limit: int = 80) -> None:
    """Tab (or Shift+Tab) until the element matching `selector` has focus, checking that
    focus is visible at every stop."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            continue  # the page's first stop; Tab again
        _seen(page)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached by keyboard; focus on {active(page)}")


def _enter(page) -> None:
    page.keyboard.press("Enter")
    expect(page.locator(".htmx-request, .htmx-settling")).to_have_count(0)
    page.wait_for_load_state()


def _phase(board, phase: str) -> None:
    button = f"#phase-{phase}"
    current = board.evaluate("() => document.activeElement.id")
    back = current.startswith("phase-") and board.evaluate(
        "([a, b]) => document.getElementById(a).compareDocumentPosition(document.getElementById(b)) & 2",
        [current, button[1:]],
    )
    _tab_to(board, button, back=bool(back))
    _enter(board)
    expect(board.locator(button)).to_have_attribute("aria-current", "step")
    expect(board.locator(button)).to_be_focused()
    _seen(board)


def test_a_whole_session_by_keyboard(server_url, browser, challenge, facilitator):
    axe = Axe(server_url)
    workshop = workshops.workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Samverkan",
        template_key="brainstorm",
        group_count=2,
    )
    board = desk(browser, server_url, facilitator).new_page()
    board.goto(f"{server_url}/workshops/{workshop.pk}/board/")
    expect(board.locator("#live-status")).to_have_attribute("data-state", "connected")

    # The participant joins.
    context = new_context(browser, watch_for(server_url), "en-GB", **PHONE)
    context.set_default_timeout(TIMEOUT)
    phone = context.new_page()
    phone.goto(f"{server_url}/j/{workshop.join_code}/")
    _tab_to(phone, "#id_display_name")
    phone.keyboard.type("Kim")
    _tab_to(phone, "#id_group")
    phone.keyboard.press("ArrowDown")
    _tab_to(phone, "main form button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    expect(phone.locator("#live-status")).to_have_attribute("data-state", "connected")

    _phase(board, "write")
    expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", "write")
    _tab_to(phone, "#id_text")
    phone.keyboard.type("Alla jobbar i egna stuprör")
    _tab_to(phone, "form[data-note-form] button[type=submit]")
    phone.keyboard.press("Enter")
    expect(phone.locator("#own-notes .own-note:not(.outbox-note)")).to_have_count(1)
    _seen(phone)

    # The participant edits the note.
    _tab_to(phone, "#own-notes a.button")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    _tab_to(phone, "#id_text")
    phone.keyboard.press("End")
    phone.keyboard.type(" och silos")
    _tab_to(phone, "main form button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    expect(phone.locator("#own-notes")).to_contain_text("och silos")
    note = Note.objects.get(workshop=workshop)
    axe.check(phone, "phone, write, after an edit")
    assert note.text == "Alla jobbar i egna stuprör och silos"

    _phase(board, "reveal")
    expect(board.locator("#stage")).to_contain_text("och silos")
    _phase(board, "cluster")
    _tab_to(board, "#new-theme-name")
    board.keyboard.type("Silos")
    _enter(board)
    expect(board.locator(".theme-name", has_text="Silos")).to_be_visible()
    _seen(board)
    theme = Theme.objects.get(workshop=workshop)
    axe.check(board, "board, cluster")
    # On the wall: Space selects the card, the menu above moves the selection.
    _tab_to(board, f"#pick-{note.pk}")
    board.keyboard.press("Space")
    expect(board.locator(f"#pick-{note.pk}")).to_be_checked()
    _tab_to(board, "#wall-move-theme", back=True)
    board.keyboard.press("ArrowDown")
    _tab_to(board, "#wall-move-button")
    _enter(board)
    expect(board.locator(f"#cnote-{note.pk}")).to_have_attribute("data-theme", str(theme.pk))
    expect(board.locator(f"#wall-count-{theme.pk}")).to_have_text("1")
    expect(board.locator("#wall-undo")).to_be_visible()  # the server's answer: it is saved
    _seen(board)
    note.refresh_from_db()
    assert note.theme_id == theme.pk

    _phase(board, "vote")
    expect(phone.locator("#phone-stage")).to_have_attribute("data-phase", "vote")
    _tab_to(phone, f"#vote-add-theme-{theme.pk}")
    _enter(phone)
    expect(phone.locator("#votes-left")).not_to_contain_text("3 votes")
    _seen(phone)
    assert Vote.objects.filter(participant__display_name="Kim").count() == 1
    axe.check(phone, "phone, vote")

    _phase(board, "next_steps")
    _tab_to(board, "#id_title")
    board.keyboard.type("Gemensam träff")
    _tab_to(board, ".action-form button[type=submit]")
    _enter(board)
    expect(board.locator("#action-items")).to_contain_text("Gemensam träff")
    _seen(board)
    assert ActionItem.objects.filter(workshop=workshop).count() == 1
    axe.check(board, "board, next steps")
    _phase(board, "closed")
    expect(phone.locator("#phone-stage")).to_contain_text("The workshop is closed")
