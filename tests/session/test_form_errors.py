"""WCAG 3.3.1 in Chromium: a refused form says which field is wrong and why, to a screen
reader too, and focus goes to the errors rather than to the top of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.a11y import PHONE, TIMEOUT, active, join_phone, watch_for
from tests.support.browser import new_context
from tests.support.steps import set_phase

pytestmark = [pytest.mark.browser, pytest.mark.services]


def test_focus_goes_to_the_error_after_a_wrong_join_code(server_url, browser, workshop):
    context = new_context(browser, watch_for(server_url), "en-GB", **PHONE)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    page.goto(f"{server_url}/join/")
    page.get_by_label("Join code").fill("ZZZZZZ")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#form-errors")).to_be_focused()
    assert page.get_attribute("#id_code", "aria-invalid") == "true", active(page)


def test_the_phones_note_field_is_marked_invalid_when_refused(server_url, browser, workshop):
    set_phase(workshop, "write")
    phone = join_phone(browser, server_url, workshop)
    text = phone.locator("#id_text")
    text.focus()
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("#form-errors")).to_be_focused()
    expect(text).to_have_attribute("aria-invalid", "true")
    described = text.get_attribute("aria-describedby").split()
    assert "text-help" in described
    errors = [phone.locator(f"[id='{ident}']").inner_text() for ident in described]
    assert any("This field is required." in error for error in errors), errors

    text.fill("Nu med text")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("#own-notes .note-text", has_text="Nu med text")).to_be_visible()
    assert text.get_attribute("aria-invalid") is None
    assert text.get_attribute("aria-describedby") == "text-help"
