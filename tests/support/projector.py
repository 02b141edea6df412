"""The projector's layout, measured in the browser: nothing outside the viewport, no
heading clipped, the size of the notes' type (tests/browser/test_projector_screen.py,
tests/session/test_large_session.py)."""

from __future__ import annotations

import os
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FULL_HD = {"viewport": {"width": 1920, "height": 1080}}

LAYOUT = """() => {
  const doc = document.documentElement;
  const vw = window.innerWidth, vh = window.innerHeight;
  const outside = [];
  document.querySelectorAll('#stage *').forEach((el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return;
    if (el.closest('.visually-hidden')) return;
    if (r.right > vw + 1 || r.bottom > vh + 1 || r.left < -1 || r.top < -1) {
      outside.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right) + 'x' + Math.round(r.bottom));
    }
  });
  const clipped = [];
  document.querySelectorAll('#stage h1, #stage h2, #stage h3, #stage h4, .column-title, .group-title').forEach((el) => {
    if (el.scrollWidth > el.clientWidth + 1) clipped.push(el.textContent.trim() + ' ' + el.scrollWidth + '>' + el.clientWidth);
  });
  const notes = Array.from(document.querySelectorAll('#stage .note'));
  const sizes = notes.map((n) => parseFloat(getComputedStyle(n).fontSize));
  const bg = getComputedStyle(document.documentElement).backgroundColor;
  return {
    scrollH: doc.scrollHeight, scrollW: doc.scrollWidth, vw, vh, outside: outside.slice(0, 10),
    clipped, notes: notes.length, minFont: Math.min(...sizes),
    groups: document.querySelectorAll('#stage .group-board').length, background: bg,
  };
}"""

# `fitProjector` (static/labb/labb.js) fits the stage in an animation frame after a change:
# two frames later its sizes are set.
AFTER_FIT = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def projector_layout(page) -> dict:
    """The projector's layout once the fit has run."""
    page.evaluate(AFTER_FIT)
    return page.evaluate(LAYOUT)


def assert_fits(layout: dict) -> None:
    """No scrolling, no element outside the viewport, no heading wider than its box."""
    assert layout["scrollH"] <= layout["vh"] and layout["scrollW"] <= layout["vw"], layout
    assert layout["outside"] == [], layout
    assert layout["clipped"] == [], layout


def screenshot(page, name: str) -> None:
    """With LABB_SCREENSHOTS=1, the page as it is now, for docs/screenshots/."""
    if os.environ.get("LABB_SCREENSHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        # caret="initial": hiding the caret injects a <style>, which the CSP refuses.
        page.screenshot(path=str(SCREENSHOTS / name), caret="initial")
