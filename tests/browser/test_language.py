"""Swedish is Labb's language on every browser, English ones included, until the person
picks another language with the switch; the choice is then remembered."""

from __future__ import annotations

import pytest

from tests.support.browser import (
    DESKTOP,
    Watch,
    check_axe,
    new_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.services]


def test_an_english_browser_gets_swedish_until_the_person_switches(
    browser,
    labb_servers,
):
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, locale="en-US", chosen=False, **DESKTOP)
    page = context.new_page()

    page.goto(f"{server.url}/join/")
    assert page.evaluate("navigator.language") == "en-US"
    assert page.get_attribute("html", "lang") == "sv"
    assert page.locator("h1").inner_text() == "Gå med i en workshop"
    check_axe(page, watch, "join page, Swedish on an English browser")

    with page.expect_navigation():
        page.get_by_role("button", name="In English").click()
    assert page.url == f"{server.url}/join/"
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Join a workshop"

    # Remembered: a new page, and the login page, stay in English.
    other = context.new_page()
    other.goto(f"{server.url}/login/")
    assert other.get_attribute("html", "lang") == "en"
    check_axe(other, watch, "login page in English")

    with other.expect_navigation():
        other.get_by_role("button", name="På svenska").click()
    assert other.get_attribute("html", "lang") == "sv"
    watch.assert_clean()
    context.close()
