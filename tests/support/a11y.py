"""Helpers for the accessibility tests beyond axe: screens opened in Chromium against a
test server (`labb_server`), and what WCAG asks of a page measured in the page itself."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.test import Client
from playwright.sync_api import expect

from tests.support.browser import Watch, check_axe, new_context

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1280, "height": 900}}
TIMEOUT = 15_000  # ms; a shared two-core machine

# What document.activeElement is, in words a failing assertion can show.
ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) { return 'BODY'; }
  return el.tagName + '#' + el.id + ' ' + (el.textContent || el.value || '').trim().slice(0, 60);
}"""


def watch_for(base: str) -> Watch:
    return Watch(host=urlsplit(base).netloc)


class Axe:
    """axe-core (WCAG 2.1 A/AA) on pages of the server at `base`."""

    def __init__(self, base: str) -> None:
        self.watch = watch_for(base)

    def check(self, page, label: str = "") -> None:
        check_axe(page, self.watch, label)


def desk(browser, base: str, user, *, locale: str = "en-GB", **options):
    """A facilitator's browser context, logged in through the session cookie, in the UI
    language of `locale` (chosen with the language switch's cookie)."""
    client = Client()
    client.force_login(user)
    context = new_context(browser, watch_for(base), locale, **(options or DESK))
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
    browser, base: str, workshop, *, name: str = "Kim", group: str = "Group 1", **options
):
    context = new_context(browser, watch_for(base), "en-GB", **(options or PHONE))
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


# The WCAG 1.4.12 text-spacing bookmarklet's style sheet.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

# How wide the page is against the window, and which elements stick out (for the message).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible' || s.position === 'fixed') { return true; }
    }
    return false;
  };
  const out = [...document.querySelectorAll('body *')].filter((el) => {
    if (!el.getClientRects().length || el.closest('.visually-hidden, .skip-link')) { return false; }
    const r = el.getBoundingClientRect();
    return (r.right > width + 1 || r.left < -1) && !clipped(el);
  }).slice(0, 4).map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && el.className.baseVal === undefined ? '.' + el.className.split(' ').join('.') : '') +
    ' ' + Math.round(el.getBoundingClientRect().left) + '..' + Math.round(el.getBoundingClientRect().right));
  return {scroll: document.documentElement.scrollWidth, window: width, out: out};
}"""


def overflow(page) -> dict:
    return page.evaluate(OVERFLOW)


def apply_text_spacing(page) -> None:
    """The bookmarklet's CSS, put in as an inspector style sheet (the page's CSP forbids a
    <style> element; DevTools' own sheet is not subject to it)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    frame = cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]
    sheet = cdp.send("CSS.createStyleSheet", {"frameId": frame})["styleSheetId"]
    cdp.send("CSS.setStyleSheetText", {"styleSheetId": sheet, "text": TEXT_SPACING})


# The contrast ratio (WCAG 2.1) of an element's text against the first opaque background
# behind it: the element's own, an ancestor's, or the page's canvas.
CONTRAST = """(el) => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  let back = null;
  for (let node = el; node; node = node.parentElement) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] >= 0.99)) { back = c.slice(0, 3); break; }
  }
  back = back || [255, 255, 255];
  const fore = rgb(getComputedStyle(el).color).slice(0, 3);
  const [hi, lo] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
  return {ratio: (hi + 0.05) / (lo + 0.05), color: getComputedStyle(el).color, background: 'rgb(' + back.join(', ') + ')'};
}"""


def contrast(locator) -> dict:
    return locator.evaluate(CONTRAST)


# Controls smaller than 24 × 24 CSS px (WCAG 2.5.8; links inside a sentence are exempt). A
# radio button or checkbox inside its label is operated by the whole label.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'button, input:not([type=hidden]), select, textarea, summary, a.button, a:only-child')]
  .filter((el) => el.getClientRects().length && !el.closest('.visually-hidden'))
  .map((el) => [el, (el.closest('label') || el).getBoundingClientRect()])
  .filter(([el, r]) => r.width < 24 || r.height < 24)
  .map(([el, r]) => el.outerHTML.slice(0, 80) + ' ' + Math.round(r.width) + '×' + Math.round(r.height))"""


def small_targets(page) -> list[str]:
    return page.evaluate(SMALL_TARGETS)
