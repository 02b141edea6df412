"""The large demo end to end in Chromium: one facilitator, one projector at 1920×1080, 12
phones in browsers and 48 more over HTTP (as the phone page posts), through every phase.

- Join and write: every phone joins and writes; one phone on a 2.5 s network (Chromium's
  own emulation, through the DevTools protocol) sends three notes in quick succession,
  and each arrives exactly once.
- Reveal, then cluster on the wall: themes added and renamed in place (no stage refetch),
  suggestions accepted and rejected (a rejected one never returns, and the list follows the
  moves), and 50+ notes moved by real pointer drags, by keyboard and by multi-select.
- Vote from phones and over HTTP, next steps, close.
- The projector in overview mode fits the screen in every phase (nothing outside the
  viewport, no heading clipped) and axe passes on it in every phase. (axe on the other
  screens of each phase: tests/session/test_browser_session.py, the wall's states:
  tests/browser/test_cluster_wall.py.)
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.support.browser import (
    PHONE,
    TIMEOUT,
    Watch,
    check_axe,
    log_in,
    new_context,
    send_note,
    take_part,
)
from tests.support.http import join_over_http, post_note_over_http, vote_over_http
from tests.support.projector import FULL_HD, assert_fits, projector_layout, screenshot
from tests.support.steps import set_phase
from tests.support.waiting import wait_for
from workshops import demo_large, wall
from workshops.models import ActionItem, Note, Participant, SuggestionRejection, Theme, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.services]

Phase = Workshop.Phase
BROWSER_PHONES = 12
HTTP_PHONES = 48
LATENCY_MS = 2500
QUICK_NOTES = ["Snabb lapp ett", "Snabb lapp två", "Snabb lapp tre"]


def _phase(board, phase: str) -> None:
    board.locator(f"#phase-{phase}").click()
    expect(board.locator(f"#phase-{phase}")).to_have_attribute("aria-current", "step")


def _check_projector(projector, watch: Watch, label: str) -> dict:
    """Overview mode: nothing outside the viewport, no heading clipped; axe passes."""
    layout = projector_layout(projector)
    assert_fits(layout)
    check_axe(projector, watch, f"projector, {label}")
    return layout


def _slow_network(context, page) -> None:
    """Chromium's network emulation: every request of this page waits 2.5 s."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        },
    )


def _note_ids_of(item) -> set[int]:
    values = item.locator("input[name=note]").evaluate_all("els => els.map(e => e.value)")
    return {int(v) for v in values}


def _offered(board) -> list[set[int]]:
    return [_note_ids_of(item) for item in board.locator("#wall-suggestions .suggestion").all()]


def _themed(ids: set[int]) -> set[int]:
    return set(Note.objects.filter(pk__in=ids, theme__isnull=False).values_list("pk", flat=True))


def test_the_large_demo_runs_end_to_end(browser, labb_servers):
    expect.set_options(timeout=TIMEOUT)
    call_command("seed_demo", verbosity=0)
    workshop = Workshop.objects.get(title=demo_large.LARGE_WORKSHOP_TITLE)
    set_phase(workshop, Phase.PREPARE)  # a new session; the demo's notes came on paper
    workshop.refresh_from_db()
    groups = list(workshop.groups.order_by("position"))
    columns = list(workshop.columns.order_by("position"))
    assert len(groups) == 18
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")

    desk = new_context(browser, watch, **FULL_HD)
    board = desk.new_page()
    board.set_default_timeout(TIMEOUT)
    log_in(board, watch, server.url, "facilitator", "labb-demo")
    board.goto(f"{server.url}/workshops/{workshop.pk}/board/")
    board.wait_for_selector("#live-status[data-state=connected]")
    projector = desk.new_page()
    projector.set_default_timeout(TIMEOUT)
    projector.goto(f"{server.url}/workshops/{workshop.pk}/projector/")
    projector.wait_for_selector("#live-status[data-state=connected]")
    _check_projector(projector, watch, "prepare")
    _phase(board, "write")
    expect(projector.locator("#phase-name")).to_have_text("Write")

    # --- Join and write --------------------------------------------------------------------
    phones = []
    for index in range(BROWSER_PHONES):
        context = new_context(browser, watch, **PHONE)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(f"{server.url}/j/{workshop.join_code}/")
        if index == 0:
            take_part(page, watch, name="Person 0", group_pk=groups[0].pk, label="phone 0")
        else:
            page.fill("#id_display_name", f"Person {index}")
            page.select_option("#id_group", str(groups[index].pk))
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            page.wait_for_selector("form[data-note-form]")
        phones.append((context, page))
    for _context, page in phones:
        page.wait_for_selector("#live-status[data-state=connected]")
    others = []
    for index in range(HTTP_PHONES):
        group = groups[index % len(groups)]
        client, pk = join_over_http(server, workshop, name=f"Telefon {index}", group=group)
        assert pk == workshop.pk
        others.append((client, group))
    assert Participant.objects.filter(workshop=workshop).count() == BROWSER_PHONES + HTTP_PHONES

    # One phone on a 2.5 s network sends three notes in quick succession.
    slow_context, slow = phones[0]
    _slow_network(slow_context, slow)
    for text in QUICK_NOTES:
        send_note(slow, text)
    # The rest write one note each, in the browser and over HTTP, meanwhile.
    written = {}
    for index, (_context, page) in enumerate(phones[1:], start=1):
        text = f"Lapp från telefon {index} i webbläsaren"
        send_note(page, text)
        written[text] = groups[index]
    for index, (client, group) in enumerate(others):
        text = f"Lapp från telefon {index} över HTTP"
        response = post_note_over_http(
            client,
            workshop.pk,
            column_pk=columns[index % 2].pk,
            text=text,
            client_id=str(uuid.uuid4()),
        )
        assert response.status_code in (200, 201), response.text
        written[text] = group
    for index, (_context, page) in enumerate(phones[1:], start=1):
        own = page.locator("#own-notes")
        expect(own.locator(".own-note:not(.outbox-note)")).to_have_count(1)
        expect(own).to_contain_text(f"Lapp från telefon {index} i webbläsaren")
    # The slow phone: each of the three once in its list, none still queued, each once saved.
    own = slow.locator("#own-notes")
    expect(own.locator(".outbox-note")).to_have_count(0, timeout=4 * LATENCY_MS + TIMEOUT)
    for text in QUICK_NOTES:
        expect(own.locator(".own-note", has_text=text)).to_have_count(1)
        assert Note.objects.filter(workshop=workshop, text=text).count() == 1, text
        written[text] = groups[0]
    # Write is private: the projector counts each group's notes live, it does not read them.
    for group in groups:
        expected = Note.objects.filter(workshop=workshop, group=group).count()
        expect(projector.locator(f"#count-g{group.pk}")).to_have_text(str(expected))
    assert QUICK_NOTES[0] not in projector.content()
    check_axe(slow, watch, "phone, write, three notes sent slowly")
    _check_projector(projector, watch, "write")

    # --- Reveal ------------------------------------------------------------------------------
    _phase(board, "reveal")
    total = Note.objects.filter(workshop=workshop, status=Note.Status.VISIBLE).count()
    assert total == 246 + len(written)
    expect(projector.locator("#stage .note")).to_have_count(total)
    for text in QUICK_NOTES:  # exactly once on the projector too
        expect(projector.locator("#stage .note", has_text=text)).to_have_count(1)
    expect(phones[1][1].locator(".phone-board")).to_contain_text(
        "Lapp från telefon 1 i webbläsaren"
    )
    layout = _check_projector(projector, watch, "reveal")
    assert layout["groups"] == 18 and layout["notes"] == total
    # Spotlight one group: the projector follows; then back to every group.
    with board.expect_navigation():
        board.click(".spotlight-form button[value=next]")
    projector.wait_for_selector("#stage.stage-spotlight")
    check_axe(projector, watch, "projector, spotlight on a group")
    with board.expect_navigation():
        board.click(".spotlight-form button[value=previous]")
    projector.wait_for_selector("#stage:not(.stage-spotlight)")

    # --- Cluster on the wall -------------------------------------------------------------------
    _phase(board, "cluster")
    expect(board.locator("#wall .wall-card")).to_have_count(total)
    check_axe(board, watch, "wall, large demo")
    _check_projector(projector, watch, "cluster, no themes")
    board.evaluate("document.getElementById('wall-cards').dataset.marker = 'kept'")

    def wall_kept() -> bool:
        """The wall was changed in place: its card list is the one the page loaded."""
        return board.evaluate("document.getElementById('wall-cards').dataset.marker === 'kept'")

    # Themes are added and renamed in place, and reach the projector.
    names = ["Stuprör", "Pengar", "Tid", "Mandat"]
    for name in names:
        board.fill("#new-theme-name", name)
        board.click(".wall-new-theme button[type=submit]")
        expect(board.locator("#wall-themes .theme-name", has_text=name)).to_be_visible()
        expect(board.locator("#new-theme-name")).to_have_value("")
    made = {t.name: t for t in Theme.objects.filter(workshop=workshop)}
    silos, money, time_, mandate = (made[name] for name in names)
    for theme in made.values():
        expect(board.locator(f"#wall-move-theme option[value='{theme.pk}']")).to_have_count(1)
        expect(board.locator(f"#wall-move-dialog [data-wall-move-to='{theme.pk}']")).to_have_count(
            1
        )
    board.locator(f"#theme-tools-{mandate.pk} summary").click()
    board.fill(f"#theme-rename-{mandate.pk}", "Tydliga mandat")
    board.locator(f"#theme-tools-{mandate.pk} button[type=submit]", has_text="Rename").click()
    expect(board.locator(f"#theme-name-{mandate.pk}")).to_have_text("Tydliga mandat")
    expect(board.locator(f"#wall-move-theme option[value='{mandate.pk}']")).to_have_text(
        "Tydliga mandat"
    )
    expect(projector.locator("#stage")).to_contain_text("Tydliga mandat")
    assert wall_kept(), "adding or renaming a theme reloaded the wall"

    # Suggestions: accept one renamed and without its last note; reject the next.
    panel = board.locator("#wall-suggestions")
    first = panel.locator(".suggestion").first
    keep = sorted(_note_ids_of(first))
    left_out = keep.pop()
    first.locator("input[name=name]").fill("Samverkan")
    first.locator(f"input[name=note][value='{left_out}']").uncheck()
    first.get_by_role("button", name="Accept").click()
    expect(board.locator("#wall-themes .theme-name", has_text="Samverkan")).to_be_visible()
    accepted = Theme.objects.get(workshop=workshop, name="Samverkan")
    assert set(accepted.notes.filter(merged_into=None).values_list("pk", flat=True)) == set(keep)
    for pk in keep:
        expect(board.locator(f"#cnote-{pk}")).to_have_attribute("data-theme", str(accepted.pk))
    item = panel.locator(".suggestion").first
    rejected = _note_ids_of(item)
    item_id = item.get_attribute("id")
    item.get_by_role("button", name="Reject").click()
    expect(board.locator(f"#{item_id}")).to_have_count(0)
    assert SuggestionRejection.objects.filter(workshop=workshop).count() == 1
    assert wall_kept(), "accepting a suggestion reloaded the wall"

    notes = list(  # in the wall's order, those still without a theme
        Note.objects.filter(workshop=workshop, merged_into=None, theme=None).order_by(
            "group__position", "column__position", "created_at", "pk"
        )
    )
    moved: set[int] = set()

    # By drag, with real pointer events: one card at a time ...
    dragged = notes[:8]
    for note in dragged:
        board.drag_and_drop(f"#cnote-{note.pk} .note-text", f"#theme-{silos.pk}")
        expect(board.locator(f"#cnote-{note.pk}")).to_have_attribute("data-theme", str(silos.pk))
    moved.update(n.pk for n in dragged)
    # ... and several Ctrl-clicked cards dragged as one.
    several = notes[8:14]
    for note in several:
        board.click(f"#cnote-{note.pk} .note-text", modifiers=["Control"])
    expect(board.locator("#wall-selected")).to_have_text(f"{len(several)} selected")
    board.drag_and_drop(f"#cnote-{several[0].pk} .note-text", f"#theme-{money.pk}")
    for note in several:
        expect(board.locator(f"#cnote-{note.pk}")).to_have_attribute("data-theme", str(money.pk))
    moved.update(n.pk for n in several)

    # By keyboard: Enter opens the shared move menu, Tab to the third theme, Enter.
    keyed = notes[14:22]
    for note in keyed:
        board.focus(f"#pick-{note.pk}")
        board.keyboard.press("Enter")
        expect(board.locator("#wall-move-dialog")).to_be_visible()
        menu = board.locator("#wall-move-dialog [data-wall-move-to]")
        expect(menu.first).to_be_focused()
        target = menu.nth(2).get_attribute("data-wall-move-to")
        board.keyboard.press("Tab")
        board.keyboard.press("Tab")
        board.keyboard.press("Enter")
        expect(board.locator(f"#cnote-{note.pk}")).to_have_attribute("data-theme", target)
        expect(board.locator(f"#pick-{note.pk}")).to_be_focused()
    moved.update(n.pk for n in keyed)

    # By multi-select: filter to a group, tick every card shown, move with the toolbar.
    for group, theme in ((groups[5], time_), (groups[6], mandate)):
        in_group = [n for n in notes if n.group_id == group.pk and n.pk not in moved]
        board.select_option("#wall-filter-group", str(group.pk))
        board.select_option("#wall-filter-theme", "none")
        expect(board.locator("#wall .wall-card:not([hidden])")).to_have_count(len(in_group))
        for note in in_group:
            board.click(f"#cnote-{note.pk} .note-text")
        expect(board.locator("#wall-selected")).to_have_text(f"{len(in_group)} selected")
        board.select_option("#wall-move-theme", str(theme.pk))
        board.click("#wall-move-button")
        for note in in_group:
            expect(board.locator(f"#cnote-{note.pk}")).to_have_attribute(
                "data-theme", str(theme.pk)
            )
        moved.update(n.pk for n in in_group)
    board.select_option("#wall-filter-group", "")
    board.select_option("#wall-filter-theme", "")
    assert len(moved) >= 50, len(moved)
    # The wall shows each move at the drop; the server has them all once it has answered.
    wait_for(
        lambda: not Note.objects.filter(pk__in=moved, theme=None).exists(),
        TIMEOUT / 1000,
        "every move saved",
    )
    assert wall_kept(), "a move reloaded the wall"

    # The suggestions follow the moves: none offers a note that is in a theme now, and the
    # rejected one does not come back.
    def fresh_suggestions():
        offered = _offered(board)
        stale = [ids for ids in offered if _themed(ids)]
        return offered if not stale else None

    offered = wait_for(fresh_suggestions, TIMEOUT / 1000, "the suggestions to follow the moves")
    assert not any(wall.is_rejected(ids, [frozenset(rejected)]) for ids in offered)
    expect(projector.locator(f"#theme-{silos.pk}")).to_contain_text(dragged[-1].text)
    _check_projector(projector, watch, "cluster, themes")
    screenshot(projector, "projector-themes.png")
    board.reload()
    board.wait_for_selector("#live-status[data-state=connected]")
    for ids in _offered(board):
        assert not wall.is_rejected(ids, [frozenset(rejected)]), ids
        assert not _themed(ids), ids

    # --- Vote ----------------------------------------------------------------------------------
    board.fill("#id_vote_budget", "3")
    board.check("#id_votes_on_themes_only")
    # The answer replaces the session panel (htmx): wait for it before the next click.
    board.evaluate("document.getElementById('session').dataset.before = 'save'")
    board.get_by_role("button", name="Save voting settings").click()
    expect(board.locator("#session[data-before]")).to_have_count(0)
    workshop.refresh_from_db()
    assert (workshop.vote_budget, workshop.votes_on_themes_only) == (3, True)
    _phase(board, "vote")
    vote_themes = [silos, money, time_, mandate, accepted]
    for index, (_context, page) in enumerate(phones):
        theme = vote_themes[index % len(vote_themes)]
        expect(page.locator("#votes-left")).to_have_text(re.compile("3 votes left"))
        page.locator(f"#vote-add-theme-{theme.pk}").click()
        expect(page.locator("#votes-left")).to_have_text(re.compile("2 votes left"))
    check_axe(phones[1][1], watch, "phone, vote")
    for index, (client, _group) in enumerate(others):
        for dot in range(2):
            theme = vote_themes[(index + dot) % len(vote_themes)]
            response = vote_over_http(client, workshop.pk, target=f"theme:{theme.pk}")
            assert response.status_code == 200, response.text
    people = BROWSER_PHONES + HTTP_PHONES
    expect(projector.locator("#votes-cast")).to_contain_text(f"{people} of {people} have voted")
    _check_projector(projector, watch, "vote")

    # --- Next steps: the result, and who does what -----------------------------------------------
    _phase(board, "next_steps")
    expect(projector.locator(".ranking")).to_contain_text("Stuprör")
    _check_projector(projector, watch, "next steps")
    board.select_option("#spotlight-target", "votes")
    with board.expect_navigation():
        board.click(".spotlight-form button[type=submit]:not([name])")
    projector.wait_for_selector(".vote-result li")
    assert_fits(projector_layout(projector))
    check_axe(projector, watch, "projector, vote result")
    board.fill("#id_title", "Gemensam träff om stuprören")
    board.fill("#id_owner_name", "Anna, regionen")
    board.fill("#id_due_date", "2027-02-15")
    board.get_by_role("checkbox", name="Stuprör").check()
    board.get_by_role("button", name="Add next step").click()
    expect(board.locator("#action-items")).to_contain_text("Anna, regionen")
    expect(phones[3][1].locator("#phone-stage")).to_contain_text("Gemensam träff om stuprören")
    assert list(ActionItem.objects.get(workshop=workshop).themes.all()) == [silos]

    # --- Close -----------------------------------------------------------------------------------
    _phase(board, "closed")
    expect(projector.locator("#projector-join")).to_have_count(0)
    _check_projector(projector, watch, "closed")
    for _context, page in phones:
        expect(page.locator("#phone-stage")).to_contain_text("The workshop is closed")
    check_axe(phones[0][1], watch, "phone, closed")
    workshop.refresh_from_db()
    assert workshop.phase == Phase.CLOSED and workshop.join_code is None
    # Every note once: the three quick ones and all the others.
    for text in written:
        assert Note.objects.filter(workshop=workshop, text=text).count() == 1, text
    watch.assert_clean()
    for context, _page in phones:
        context.close()
    desk.close()
