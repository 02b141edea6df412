"""Template helpers for the session screens (timer state, phase steps, lookups)."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.html import json_script

from workshops.hyphenate import soft_hyphenate
from workshops.live.names import NAMES
from workshops.models import Workshop
from workshops.services.phases import PHASE_ORDER, timer_remaining, writing_state

register = template.Library()


@register.simple_tag
def content_lang() -> str:
    """The language of what people type, for a lang= attribute on it (WCAG 3.1.2). Always
    written, not only in another interface language: live fragments are rendered once for
    every screen, whatever language each screen shows."""
    return settings.LABB_CONTENT_LANGUAGE


@register.filter
def hyphenate(text: str) -> str:
    """Soft hyphens in long words (escaped afterwards like any other text)."""
    return soft_hyphenate(str(text))


@register.simple_tag
def timer_state(workshop: Workshop) -> dict:
    """What a timer element needs: server time now, end time (ms) or remaining seconds."""
    now = timezone.now()
    remaining = timer_remaining(workshop, now=now)
    return {
        "server_now": int(now.timestamp() * 1000),
        "ends_at": int(workshop.timer_ends_at.timestamp() * 1000) if workshop.timer_ends_at else "",
        "paused": workshop.timer_paused_remaining is not None,
        "remaining": remaining,
        "set": remaining is not None,
        # Run out (not paused): the screen says "Time is up" and no "Time left" label.
        "ended": remaining == 0 and workshop.timer_paused_remaining is None,
        "text": f"{(remaining or 0) // 60:02d}:{(remaining or 0) % 60:02d}",
        "locks": workshop.timer_locks_writing,
    }


@register.simple_tag
def phase_steps(workshop: Workshop) -> list[dict]:
    current = PHASE_ORDER.index(workshop.phase)
    return [
        {"value": value, "label": label, "current": i == current, "done": i < current}
        for i, (value, label) in enumerate(Workshop.Phase.choices)
    ]


@register.filter
def lookup(mapping: dict, key) -> object:
    return mapping.get(key, 0) if mapping else 0


@register.simple_tag
def live_event_names() -> str:
    """The registry of live event names for labb.js (a JSON data block, not a script)."""
    return json_script(list(NAMES), "labb-live-events")


@register.filter
def writing_status(workshop: Workshop) -> str:
    return writing_state(workshop)
