"""A whole session in Chromium: 1 facilitator, 2 groups, 4 phones (360×740).

write → reveal → cluster on the wall (pointer drag and keyboard) → vote within budget → next steps → close,
with axe-core (WCAG 2.1 A/AA) on every screen, the projector included.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from tests.support.browser import PHONE, Watch, check_axe, new_context
from tests.support.waiting import wait_for
from workshops.models import ActionItem, Note, Theme, Vote, Workshop
from workshops.services.workshops import workshop_create

pytestmark = [pytest.mark.browser, pytest.mark.services]
TEXTS = [
    "Stuprör mellan förvaltningarna",
    "Alla jobbar i sina egna stuprör",
    "Pengar saknas",
    "Finansiering saknas för långsiktigt arbete",
]


def _phase(board, label: str) -> None:
    board.locator(f"#phase-{label}").click()
    expect(board.locator(f"#phase-{label}")).to_have_attribute("aria-current", "step")


def test_a_full_session(labb_servers, browser, challenge, facilitator):
    server = labb_servers.start(env={"DEBUG": "1"})
    base = server.url
    watch = Watch(host=f"127.0.0.1:{server.port}")
    workshop = workshop_create(
        challenge=challenge,
        user=facilitator,
        title="Samverkan",
        template_key="brainstorm",
        group_count=2,
    )
    django_client = Client()
    django_client.force_login(facilitator)
    desk = new_context(browser, watch, viewport={"width": 1366, "height": 900})
    desk.add_cookies(
        [{"name": "sessionid", "value": django_client.cookies["sessionid"].value, "url": base}]
    )
    errors: list[str] = []
    board = desk.new_page()
    board.on("pageerror", lambda e: errors.append(str(e)))
    board.goto(f"{base}/workshops/{workshop.pk}/board/")
    expect(board.locator("#live-status")).to_have_attribute("data-state", "connected")
    check_axe(board, watch, "overview, prepare")
    projector = desk.new_page()
    projector.goto(f"{base}/workshops/{workshop.pk}/projector/")
    expect(projector.locator(".projector-join .code")).to_be_visible()
    check_axe(projector, watch, "projector, prepare")

    # Four phones join: two per group.
    phones = []
    for index in range(4):
        context = new_context(browser, watch, **PHONE)
        phone = context.new_page()
        phone.on("pageerror", lambda e: errors.append(str(e)))
        phone.goto(f"{base}/j/{workshop.join_code}/")
        if index == 0:
            check_axe(phone, watch, "join page")
        phone.get_by_label("Your name (optional)").fill(f"Person {index}")
        phone.get_by_label("Your group").select_option(label=f"Group {index // 2 + 1}")
        phone.get_by_role("button", name="Take part").click()
        expect(phone.locator("#live-status")).to_have_attribute("data-state", "connected")
        phones.append(phone)
    check_axe(phones[0], watch, "phone, prepare")

    # Write: private. The projector counts, it does not read.
    _phase(board, "write")
    for phone, text in zip(phones, TEXTS, strict=True):
        expect(phone.locator("#phase-name")).to_have_text("Write")
        phone.locator("#id_text").fill(text)
        phone.get_by_role("button", name="Send").click()
        expect(phone.locator("#own-notes")).to_contain_text(text)
    groups = list(workshop.groups.all())
    expect(projector.locator(f"#count-g{groups[0].pk}")).to_have_text("2")
    expect(projector.locator(f"#count-g{groups[1].pk}")).to_have_text("2")
    assert TEXTS[0] not in projector.content()
    assert TEXTS[0] not in phones[1].content()
    check_axe(phones[0], watch, "phone, write")
    check_axe(projector, watch, "projector, write")

    # Reveal: every screen at once.
    _phase(board, "reveal")
    expect(projector.locator("#stage")).to_contain_text(TEXTS[3])
    expect(phones[1].locator(".phone-board")).to_contain_text(TEXTS[0])
    assert TEXTS[2] not in phones[1].locator(".phone-board").inner_text()  # other group's
    # A late note reaches its own group's phones live, not the other group's.
    phones[0].locator("#id_text").fill("Sen tanke om samarbete")
    phones[0].get_by_role("button", name="Send").click()
    expect(phones[1].locator(".phone-board")).to_contain_text("Sen tanke om samarbete")
    expect(projector.locator("#stage")).to_contain_text("Sen tanke om samarbete")
    assert "Sen tanke" not in phones[2].locator(".phone-board").inner_text()
    check_axe(board, watch, "overview, reveal")
    check_axe(projector, watch, "projector, reveal")
    check_axe(phones[1], watch, "phone, reveal")

    # Cluster on the wall: two themes; one note by pointer drag, one by keyboard.
    _phase(board, "cluster")
    for name in ["Silos", "Pengar"]:
        board.locator("#new-theme-name").fill(name)
        board.get_by_role("button", name="Add theme").click()
        expect(board.locator("#wall-themes .theme-name", has_text=name)).to_be_visible()
    notes = {note.text: note for note in Note.objects.filter(workshop=workshop)}
    silos = Theme.objects.get(name="Silos")
    money = Theme.objects.get(name="Pengar")
    dragged = notes[TEXTS[0]]
    # Right after adding a theme: the theme's live refresh of the stage waits for the drop.
    board.drag_and_drop(f"#cnote-{dragged.pk} .note-text", f"#theme-{silos.pk}")
    expect(board.locator(f"#cnote-{dragged.pk}")).to_have_attribute("data-theme", str(silos.pk))
    expect(board.locator(f"#wall-count-{silos.pk}")).to_have_text("1")
    keyed = notes[TEXTS[2]]
    board.locator(f"#pick-{keyed.pk}").focus()
    board.keyboard.press("Enter")  # the shared move menu
    expect(board.locator("#wall-move-dialog")).to_be_visible()
    board.keyboard.press("Tab")  # from Silos to Pengar
    board.keyboard.press("Enter")
    expect(board.locator(f"#cnote-{keyed.pk}")).to_have_attribute("data-theme", str(money.pk))
    expect(board.locator(f"#pick-{keyed.pk}")).to_be_focused()
    expect(board.locator("#wall-status")).to_contain_text("Moved 1 note to “Pengar”.")
    # The wall shows a move at the drop; the server has it once it answered (the status).
    wait_for(
        lambda: (
            (
                Note.objects.get(pk=dragged.pk).theme_id,
                Note.objects.get(pk=keyed.pk).theme_id,
            )
            == (silos.pk, money.pk)
        ),
        15,
        "both moves saved",
    )
    expect(projector.locator(f"#theme-{silos.pk}")).to_contain_text(TEXTS[0])
    check_axe(board, watch, "overview, cluster")
    check_axe(projector, watch, "projector, cluster")

    # Vote: two dots each, totals hidden.
    board.locator("#id_vote_budget").fill("2")
    board.get_by_role("button", name="Save voting settings").click()
    _phase(board, "vote")
    voter = phones[0]
    expect(voter.locator("#votes-left")).to_have_text(re.compile("2 votes left"))
    check_axe(voter, watch, "phone, vote")
    voter.locator(f"#vote-add-theme-{silos.pk}").click()
    expect(voter.locator("#votes-left")).to_have_text(re.compile("1 vote left"))
    voter.locator(f"#vote-add-theme-{silos.pk}").click()
    expect(voter.locator("#votes-left")).to_have_text(re.compile("0 votes left"))
    voter.locator(f"#vote-add-theme-{money.pk}").click()
    expect(voter.locator("#phone-stage [role=alert]")).to_have_text("You have used all your votes.")
    assert Vote.objects.filter(participant__display_name="Person 0").count() == 2
    phones[2].locator(f"#vote-add-theme-{money.pk}").click()
    expect(phones[2].locator("#votes-left")).to_have_text(re.compile("1 vote left"))
    expect(projector.locator(".votes-cast")).to_contain_text("Totals are hidden")
    check_axe(voter, watch, "phone, vote spent")
    check_axe(board, watch, "overview, vote")
    check_axe(projector, watch, "projector, vote")

    # Next steps: who takes the lead?
    _phase(board, "next_steps")
    expect(projector.locator(".ranking")).to_contain_text("Silos — 2 votes")
    board.locator("#id_title").fill("Gemensam träff för förvaltningarna")
    board.locator("#id_owner_name").fill("Anna, regionen")
    board.locator("#id_due_date").fill("2027-02-15")
    board.get_by_role("checkbox", name="Silos").check()
    board.get_by_role("button", name="Add next step").click()
    expect(board.locator("#action-items")).to_contain_text("Anna, regionen")
    expect(phones[3].locator("#phone-stage")).to_contain_text("Gemensam träff för förvaltningarna")
    item = ActionItem.objects.get()
    assert list(item.themes.all()) == [silos] and item.challenge_id == challenge.pk
    check_axe(board, watch, "overview, next steps")
    check_axe(projector, watch, "projector, next steps")
    check_axe(phones[3], watch, "phone, next steps")

    # Close: the join code dies, the phones say thank you.
    code = workshop.join_code
    _phase(board, "closed")
    expect(phones[0].locator("#phone-stage")).to_contain_text("The workshop is closed")
    workshop.refresh_from_db()
    assert workshop.phase == Workshop.Phase.CLOSED and workshop.join_code is None
    projector.reload()
    assert code not in projector.content()
    check_axe(board, watch, "overview, closed")
    check_axe(projector, watch, "projector, closed")
    check_axe(phones[0], watch, "phone, closed")
    assert errors == []
