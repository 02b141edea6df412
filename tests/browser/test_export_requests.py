"""Export requests in Chromium: the field report lost 2 of 5 clicks on "Make export" made while
another request was on its way. Every click now makes a job or says why not, and the button
says while requests are on their way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import (
    DESKTOP,
    Watch,
    check_axe,
    log_in,
    new_context,
)
from workshops.models import Export

pytestmark = [pytest.mark.browser, pytest.mark.services]

TIMEOUT = 15_000


def _facilitator_page(browser, labb_servers):  # noqa: F811
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, **DESKTOP)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    log_in(page, watch, server.url, "frida", "pw-frida")
    return server, watch, context, page


def _slow(context, page, latency_ms: int) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def test_five_quick_clicks_make_five_exports_and_the_button_shows_it_is_busy(
    browser,
    labb_servers,
    workshop,
):
    server, watch, context, page = _facilitator_page(browser, labb_servers)
    page.goto(f"{server.url}/workshops/{workshop.pk}/#exports")
    form = page.locator("form.export-form")
    page.select_option("#export-kind", "csv")
    _slow(context, page, 700)

    button = form.get_by_role("button", name="Make export")
    for _click in range(5):
        button.click()
    # Each click was taken while the first request was still on its way.
    expect(form).to_have_attribute("aria-busy", "true")
    expect(form.locator(".busy-text")).to_be_visible()
    check_axe(page, watch, "control panel with export requests on their way")

    expect(page.locator("#export-list .export")).to_have_count(5, timeout=30_000)
    expect(form).not_to_have_attribute("aria-busy", "true", timeout=30_000)
    expect(form.locator(".busy-text")).to_be_hidden()
    assert Export.objects.filter(workshop=workshop, kind="csv").count() == 5
    expect(page.locator("#export-message")).to_contain_text("the export is being made")
    check_axe(page, watch, "control panel after five export requests")
    watch.assert_clean()
    context.close()


def test_a_request_without_an_answer_says_so(
    browser,
    labb_servers,
    workshop,
):
    server, watch, context, page = _facilitator_page(browser, labb_servers)
    page.goto(f"{server.url}/workshops/{workshop.pk}/")
    page.route("**/exports/", lambda route: route.abort("internetdisconnected"))
    page.locator("form.export-form").get_by_role("button", name="Make export").click()
    expect(page.locator("#export-message .error")).to_have_text(
        "The export could not be requested: no answer from the server. Try again."
    )
    assert not Export.objects.exists()
    watch.assert_clean()
    context.close()


def test_the_challenge_page_makes_exports_of_the_challenge(
    browser,
    labb_servers,
    workshop,
):
    challenge = workshop.challenge
    server, watch, context, page = _facilitator_page(browser, labb_servers)
    page.goto(f"{server.url}/challenges/{challenge.pk}/")
    check_axe(page, watch, "challenge page with its exports")
    page.select_option("#export-kind", "pdf")
    page.locator("form.export-form").get_by_role("button", name="Make export").click()
    expect(page.locator("#export-list .export")).to_have_count(1)
    expect(page.locator("#export-message")).to_contain_text("PDF report")
    assert Export.objects.get().challenge == challenge
    watch.assert_clean()
    context.close()
