"""Live events as a screen would see them."""

from __future__ import annotations

from workshops.live import render


def event_html(sent, *, screen: str = "board", language: str = "en") -> str:
    """The fragment a screen of kind `screen` ("board" or "phone") renders for a captured
    event, as the stream would send it ("" when that screen shows nothing of it)."""
    return (
        render.html(sent.event, workshop_id=sent.workshop_id, screen_kind=screen, language=language)
        or ""
    )
