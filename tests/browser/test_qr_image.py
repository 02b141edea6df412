"""The QR codes' own addresses (the "Download QR code (SVG)" links) opened directly in
Chromium: each is drawn as an SVG image, and the Content-Security-Policy blocks nothing
on the way (an SVG without its namespace is shown as an XML tree, whose viewer's inline
style the policy refuses)."""

from __future__ import annotations

import pytest

from tests.support.browser import (
    DESKTOP,
    TIMEOUT,
    Watch,
    log_in,
    new_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.services]


DRAWN = """() => {
  const root = document.documentElement;
  const box = root.getBoundingClientRect();
  return {namespace: root.namespaceURI, tag: root.localName,
          width: Math.round(box.width), height: Math.round(box.height)};
}"""


def test_the_qr_images_open_directly_as_svg_without_csp_errors(
    browser,
    labb_servers,
    workshop,
):
    group = workshop.groups.first()
    server = labb_servers.start()
    watch = Watch(host=f"127.0.0.1:{server.port}")
    context = new_context(browser, watch, **DESKTOP)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    log_in(page, watch, server.url, "frida", "pw-frida")
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    for path in (
        f"/workshops/{workshop.pk}/qr.svg",
        f"/workshops/{workshop.pk}/groups/{group.pk}/qr.svg",
    ):
        response = page.goto(f"{server.url}{path}")
        assert response.status == 200, path
        assert response.headers["content-type"] == "image/svg+xml", path
        page.wait_for_load_state("load")
        # Warnings too: the probe saw the policy's complaints as console warnings.
        assert [m for m in messages if "Content Security Policy" in m] == [], path
        drawn = page.evaluate(DRAWN)
        assert drawn["namespace"] == "http://www.w3.org/2000/svg", (path, drawn)
        assert drawn["tag"] == "svg", (path, drawn)
        assert drawn["width"] > 100 and drawn["height"] > 100, (path, drawn)
    watch.assert_clean()
    context.close()
