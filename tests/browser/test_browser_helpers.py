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
