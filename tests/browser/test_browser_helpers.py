"""The browser tests' watchers must be able to fail: a page with known faults trips them."""

from __future__ import annotations

import pytest

from tests.support.browser import (
    PHONE,
    Watch,
    check_axe,
    new_context,
)

pytestmark = pytest.mark.browser

FAULTY = """<!doctype html><html><head><title>Faulty</title>
<meta http-equiv="Content-Security-Policy" content="script-src 'self'"></head><body>
<main><img src="http://example.invalid/logo.png"><input type="text"></main>
<script>document.title = "inline ran";</script></body></html>"""


def test_axe_and_the_request_watch_catch_a_faulty_page(browser):
    watch = Watch(host="127.0.0.1:1")
    context = new_context(browser, watch, **PHONE)
    page = context.new_page()
    page.route("http://example.invalid/**", lambda route: route.abort())
    page.set_content(FAULTY)
    with pytest.raises(AssertionError, match="image-alt"):
        check_axe(page, watch, "faulty")
    assert watch.foreign_requests == ["http://example.invalid/logo.png"]
    assert page.title() == "Faulty"
    assert any("Content Security Policy" in error for error in watch.console_errors)
    with pytest.raises(AssertionError):
        watch.assert_clean()
    # The fixture's own watch saw it too, and would fail the test at its end.
    assert any("violates" in complaint for complaint in browser.csp_complaints)
    with pytest.raises(AssertionError, match="Content-Security-Policy"):
        browser.assert_no_csp_complaints()
    browser.csp_complaints.clear()


def test_the_shared_browser_sees_csp_complaints_of_a_context_without_a_watch(browser):  # noqa: F811
    """A test that builds its own context, with no Watch, still fails on a blocked style."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content(
        "<!doctype html><html><head><meta http-equiv='Content-Security-Policy' "
        "content=\"style-src 'self'\"></head><body><p style='color: red'>x</p></body></html>"
    )
    page.wait_for_timeout(200)
    assert len(browser.csp_complaints) == 1
    assert "inline style" in browser.csp_complaints[0]
    browser.csp_complaints.clear()
