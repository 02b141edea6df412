"""Playwright helpers: Debian's Chromium, axe-core on every page, and watchers that fail a
test when a page talks to another host or the Content-Security-Policy blocks something.
Also the phone's steps that several browser tests take (join, post a note)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
TIMEOUT = 15_000  # ms for a page to react; a shared two-core machine
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"viewport": {"width": 1366, "height": 800}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
  }));
}"""


def is_csp_complaint(text: str) -> bool:
    """Chromium's words when the Content-Security-Policy blocks something: "Refused to apply
    inline style because it violates the following Content Security Policy directive …".
    Some come as warnings (an SVG's XML viewer), so the message's type does not matter."""
    return any(
        words in text
        for words in ("Content Security Policy", "Content-Security-Policy", "violates")
    )


class WatchedBrowser:
    """Chromium whose every context, in every browser test, records CSP complaints in the
    console, whether or not the test set up a `Watch`; the fixture fails the test on any."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.csp_complaints: list[str] = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("console", self._on_console)
        return context

    def _on_console(self, message) -> None:
        if is_csp_complaint(message.text):
            self.csp_complaints.append(f"{message.location.get('url', '')}: {message.text}")

    def assert_no_csp_complaints(self) -> None:
        assert self.csp_complaints == [], "the Content-Security-Policy blocked something"

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


@contextmanager
def launch_chromium(monkeypatch) -> Iterator[WatchedBrowser]:
    """Debian's Chromium, headless, watched for CSP complaints. (Playwright's sync API runs an
    event loop in this thread, so Django's ORM needs to be told that the test's own queries
    are fine.)"""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = launch(playwright)
        watched = WatchedBrowser(launched)
        try:
            yield watched
        finally:
            launched.close()
        watched.assert_no_csp_complaints()


@dataclass
class Watch:
    """What the pages of one browser did that a test must fail on."""

    host: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    axe_checked: list[str] = field(default_factory=list)

    def on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != self.host:
            self.foreign_requests.append(request.url)

    def on_console(self, message) -> None:
        if is_csp_complaint(message.text):
            self.console_errors.append(message.text)

    def on_page_error(self, error) -> None:
        self.console_errors.append(f"page error: {error}")

    def assert_clean(self) -> None:
        assert self.foreign_requests == [], "requests to other hosts"
        assert self.console_errors == [], "CSP violations or script errors"


def new_context(browser, watch: Watch, locale: str = "en-GB", *, chosen: bool = True, **options):
    """A browser context whose pages are watched and can run axe-core.

    Labb speaks Swedish whatever the browser's language, unless the person picks another one
    with the language switch. With `chosen` (the default) the context starts as if its person
    had picked the language of `locale` (the switch's cookie), so an en-GB context sees the
    English UI; `chosen=False` is a browser that never touched the switch.

    axe-core goes in as an init script: it is injected by the DevTools protocol, so the page's
    CSP (script-src 'self', no inline scripts) does not block it, and it is not a request.
    """
    context = browser.new_context(locale=locale, **options)
    if chosen:
        context.add_cookies(
            [{"name": "django_language", "value": locale[:2], "url": f"http://{watch.host}"}]
        )
    context.add_init_script(path=str(AXE))
    context.on("request", watch.on_request)
    context.on("page", lambda page: _watch_page(page, watch))
    return context


def _watch_page(page, watch: Watch) -> None:
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)


def check_axe(page, watch: Watch, label: str = "") -> None:
    """Run axe-core's WCAG 2.1 A/AA rules on the page as it is now; fail on any violation."""
    page.wait_for_load_state("domcontentloaded")
    violations = page.evaluate(AXE_RUN, WCAG_TAGS)
    where = f"{label or page.url}"
    watch.axe_checked.append(where)
    if violations:
        print(f"\naxe violations on {where}:\n{json.dumps(violations, indent=2)}")
    assert violations == [], f"WCAG 2.1 AA violations on {where}: {[v['id'] for v in violations]}"


@pytest.fixture
def browser(monkeypatch) -> Iterator[WatchedBrowser]:
    """Debian's Chromium; the test fails on any CSP complaint in any of its pages."""
    with launch_chromium(monkeypatch) as watched:
        yield watched


def launch(playwright):
    """Debian's Chromium, headless (also for bench/)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def log_in(page, watch: Watch, server_url: str, username: str, password: str) -> None:
    """Through the real login form."""
    page.goto(f"{server_url}/login/")
    check_axe(page, watch, "login")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login/" not in page.url, "login failed"


@pytest.fixture
def live_workshop(workshop):
    """The shared `workshop` in the Reveal phase: notes land on the board as they are posted
    (in Write the boards show only counts), and the phones still take new ones."""
    workshop.phase = workshop.Phase.REVEAL
    workshop.save(update_fields=["phase"])
    return workshop


def new_phone(browser, watch: Watch):
    """A phone-sized, watched browser context and its page."""
    context = new_context(browser, watch, **PHONE)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    return context, page


def take_part(page, watch: Watch, *, name: str, group_pk: int | None, label: str) -> None:
    """On the join page of a workshop: name, group (unless the link chose it), take part."""
    check_axe(page, watch, label)
    page.fill("#id_display_name", name)
    if group_pk is not None:
        page.select_option("#id_group", str(group_pk))
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert re.search(r"/p/\d+/$", page.url), page.url
    page.wait_for_selector("form[data-note-form]")
    check_axe(page, watch, f"phone ({label})")


def send_note(page, text: str) -> None:
    """Type a note on the phone and send it (through the outbox)."""
    page.fill("#id_text", text)
    page.click("form[data-note-form] button[type=submit]")


def open_board(browser, watch, server, workshop):
    """The facilitator logs in and opens the board, connected and checked by axe. A marker
    that a reload would wipe is set, so a test can tell live updates from a reload."""
    context = new_context(browser, watch, **DESKTOP)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    log_in(page, watch, server.url, "frida", "pw-frida")
    page.goto(f"{server.url}/workshops/{workshop.pk}/board/")
    page.wait_for_selector("#live-status[data-state=connected]")
    check_axe(page, watch, "board")
    page.evaluate("window.__labbNoReload = true")
    return page
