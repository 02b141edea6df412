"""WCAG 1.4.3 on the projector, from computed styles: the focused skip link and the join
text stay readable (4.5:1), also when the projector is as narrow as a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.a11y import contrast, desk
from tests.support.steps import set_phase

pytestmark = [pytest.mark.browser, pytest.mark.services]


def test_the_projectors_focused_skip_link_is_readable(server_url, browser, workshop, facilitator):
    projector = desk(browser, server_url, facilitator).new_page()
    projector.goto(f"{server_url}/workshops/{workshop.pk}/projector/")
    skip = projector.locator(".skip-link")
    skip.focus()
    measured = contrast(skip)
    assert measured["ratio"] >= 4.5, measured
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    # The footer's link (the accessibility statement) too, the last stop of the tab order.
    footer = projector.locator(".site-footer a")
    footer.focus()
    assert contrast(footer)["ratio"] >= 4.5, contrast(footer)


@pytest.mark.parametrize("width", [320, 1280])
def test_the_projectors_join_text_is_readable_and_on_screen(
    server_url, browser, workshop, facilitator, width
):
    set_phase(workshop, "prepare")
    context = desk(browser, server_url, facilitator, viewport={"width": width, "height": 640})
    projector = context.new_page()
    projector.goto(f"{server_url}/workshops/{workshop.pk}/projector/")
    projector.wait_for_timeout(200)
    for selector in [".projector-join p", ".join-url", ".code-large"]:
        text = projector.locator(selector)
        expect(text).to_be_visible()
        measured = contrast(text)
        assert measured["ratio"] >= 4.5, (selector, measured)
        box = text.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
