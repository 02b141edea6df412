"""axe-core (WCAG 2.1 A and AA) on the foundation's other pages, in the states people meet
them in: forms with errors, a closed workshop, a phone editing its own note, and the same
pages in Swedish (the default language), where longer words can break layouts and labels."""

from __future__ import annotations

import uuid

import pytest

from tests.support.browser import (
    DESKTOP,
    PHONE,
    TIMEOUT,
    Watch,
    check_axe,
    log_in,
    new_context,
    take_part,
)
from workshops.services.joins import participant_join
from workshops.services.notes import note_create
from workshops.services.phases import workshop_set_accepting

pytestmark = [pytest.mark.browser, pytest.mark.services]


@pytest.mark.parametrize("locale", ["en-GB", "sv-SE"])
def test_the_facilitators_pages_have_no_wcag_violations(
    browser,
    labb_servers,
    live_workshop,
    facilitator,
    locale,
):
    workshop = live_workshop
    participant = participant_join(
        workshop=workshop, display_name="Kim", group=workshop.groups.first()
    )
    note, _created = note_create(
        workshop=workshop,
        participant=participant,
        group=participant.group,
        column=workshop.columns.first(),
        text="Tydligare ansvar",
        client_id=uuid.uuid4(),
    )
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, locale=locale, **DESKTOP)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    log_in(page, watch, server.url, "frida", "pw-frida")

    pages = [
        ("challenges", "/challenges/"),
        ("challenge", f"/challenges/{workshop.challenge_id}/"),
        ("create workshop", f"/challenges/{workshop.challenge_id}/workshops/new/"),
        ("control panel", f"/workshops/{workshop.pk}/"),
        ("board", f"/workshops/{workshop.pk}/board/"),
        ("projector", f"/workshops/{workshop.pk}/projector/"),
        ("edit note", f"/workshops/{workshop.pk}/notes/{note.pk}/edit/"),
    ]
    for label, path in pages:
        response = page.goto(f"{server.url}{path}")
        assert response.status == 200, (label, response.status)
        assert page.get_attribute("html", "lang") == locale[:2]
        check_axe(page, watch, f"{label} ({locale})")

    # A form sent back with errors: the create form without a title or custom columns.
    page.goto(f"{server.url}/challenges/{workshop.challenge_id}/workshops/new/")
    page.check("input[name=template][value=custom]")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#form-errors").count() == 1
    check_axe(page, watch, f"create workshop with errors ({locale})")
    watch.assert_clean()


@pytest.mark.parametrize("locale", ["en-GB", "sv-SE"])
def test_the_phone_pages_have_no_wcag_violations(
    browser,
    labb_servers,
    live_workshop,
    locale,
):
    workshop = live_workshop
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, locale=locale, **PHONE)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)

    # A wrong code, then a wrong link.
    page.goto(f"{server.url}/join/")
    page.fill("#id_code", "ZZZ-ZZZZ")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#id_code_error, #form-errors").count() >= 1
    assert page.get_attribute("html", "lang") == locale[:2]
    check_axe(page, watch, f"join with a wrong code ({locale})")
    page.goto(f"{server.url}/j/ZZZZZZZ/")
    check_axe(page, watch, f"join link that leads nowhere ({locale})")

    page.goto(f"{server.url}/j/{workshop.join_code}/")
    take_part(
        page, watch, name="Kim", group_pk=workshop.groups.first().pk, label=f"join ({locale})"
    )
    # An empty note is refused with a message.
    page.click("form[data-note-form] button[type=submit]")
    page.locator("#form-errors").wait_for()
    check_axe(page, watch, f"phone with a refused note ({locale})")

    page.fill("#id_text", "Gemensam målbild")
    page.click("form[data-note-form] button[type=submit]")
    page.locator("#own-notes .note-text", has_text="Gemensam målbild").wait_for()
    with page.expect_navigation():
        page.click("#own-notes .own-note-actions a")
    assert "/edit/" in page.url
    check_axe(page, watch, f"phone editing its note ({locale})")

    workshop_set_accepting(workshop=workshop, accepting=False)
    page.goto(f"{server.url}/p/{workshop.pk}/")
    check_axe(page, watch, f"phone, workshop closed for notes ({locale})")
    watch.assert_clean()
