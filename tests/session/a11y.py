"""Helpers for the accessibility tests beyond axe: screens opened in Chromium against the
uvicorn server of `asgi_server`, and what WCAG asks of a page measured in the page itself."""

from __future__ import annotations

import re

from django.test import Client
from playwright.sync_api import expect

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 900}}
TIMEOUT = 15_000  # ms; a shared two-core machine

# What document.activeElement is, in words a failing assertion can show.
ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) { return 'BODY'; }
  return el.tagName + '#' + el.id + ' ' + (el.textContent || el.value || '').trim().slice(0, 60);
}"""


def desk(chromium, base: str, user, *, locale: str = "en-GB", **options):
    """A facilitator's browser context, logged in through the session cookie."""
    client = Client()
    client.force_login(user)
    context = chromium.new_context(locale=locale, **(options or DESK))
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    context.set_default_timeout(TIMEOUT)
    return context


def open_board(context, base: str, workshop):
    page = context.new_page()
    page.goto(f"{base}/workshops/{workshop.pk}/board/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    return page


def join_phone(
    chromium, base: str, workshop, *, name: str = "Kim", group: str = "Group 1", **options
):
    context = chromium.new_context(locale="en-GB", **(options or PHONE))
    context.set_default_timeout(TIMEOUT)
    phone = context.new_page()
    phone.goto(f"{base}/j/{workshop.join_code}/")
    phone.get_by_label("Your name (optional)").fill(name)
    phone.get_by_label("Your group").select_option(label=group)
    phone.get_by_role("button", name="Take part").click()
    expect(phone.locator("#live-status")).to_have_attribute("data-state", "connected")
    assert re.search(r"/p/\d+/$", phone.url), phone.url
    return phone


def active(page) -> str:
    return page.evaluate(ACTIVE)
