"""Template helpers for the session screens (timer state, phase steps, lookups)."""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.utils import timezone
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import get_language

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


# --- Note cards, rendered once per distinct state ---------------------------------------
#
# The overview and the projector show every note of a workshop, and the projector refetches
# its stage after each change. Rendering `_note.html` once per note costs about 0.25 ms, so
# 75 ms for 300 notes, most of a 30 ms budget twice over; a card that was rendered before
# with the same values is looked up instead. The key holds every value the partial reads, so
# a changed note, label or language is a new entry, and the partial stays the one markup of a
# note for pages and live events alike. 8,192 cards are about 8 MB.
CARD_CACHE_SIZE = 8192


@register.simple_tag(takes_context=True)
def note_card(context, note, oob: str = "") -> SafeString:
    """A note on a board (`workshops/_note.html`) for a live event."""
    return _card_of(note, context, oob or "", get_language())


@register.simple_tag(takes_context=True)
def note_cards(context, notes) -> SafeString:
    """The notes of a board's column, one card each: one tag per column, not a loop and a
    tag per note (the loop alone cost a third of a 300-note page)."""
    language = get_language()
    return SafeString("".join([_card_of(note, context, "", language) for note in notes]))


def _card_of(note, context, oob: str, language: str) -> SafeString:
    return _note_card(
        note.pk,
        note.workshop_id,
        note.text,
        note.author_name,
        note.status,
        getattr(note, "edit_url", "") or "",
        context.get("anonymous_label") or "",
        context.get("edit_label") or "",
        oob,
        language,
        settings.LABB_CONTENT_LANGUAGE,
    )


@functools.lru_cache(maxsize=CARD_CACHE_SIZE)
def _note_card(
    pk, workshop_id, text, author_name, status, edit_url, anonymous_label, edit_label, oob, *_
) -> SafeString:
    note = {
        "pk": pk,
        "workshop_id": workshop_id,
        "text": text,
        "author_name": author_name,
        "status": status,
        "edit_url": edit_url,
    }
    context = {
        "note": note,
        "oob": oob,
        "anonymous_label": anonymous_label,
        "edit_label": edit_label,
    }
    return get_template("workshops/_note.html").render(context)


@register.simple_tag(takes_context=True)
def cluster_note_cards(context, notes) -> SafeString:
    """Notes in a theme or among the loose notes (`workshops/_cluster_note.html`), one tag
    for the list."""
    show_votes = bool(context.get("totals_visible")) and context.get("phase") != "cluster"
    language = get_language()
    return SafeString(
        "".join(
            [
                _cluster_note_card(
                    note.pk,
                    note.text,
                    note.group.name,
                    note.column.title,
                    show_votes,
                    getattr(note, "votes_total", 0),
                    tuple((dup.text, dup.group.name) for dup in getattr(note, "dups", ())),
                    language,
                    settings.LABB_CONTENT_LANGUAGE,
                )
                for note in notes
            ]
        )
    )


@functools.lru_cache(maxsize=CARD_CACHE_SIZE)
def _cluster_note_card(pk, text, group, column, show_votes, votes, dups, *_) -> SafeString:
    note = {
        "pk": pk,
        "text": text,
        "group": {"name": group},
        "column": {"title": column},
        "votes_total": votes,
        "dups": [{"text": t, "group": {"name": g}} for t, g in dups],
    }
    context = {"note": note, "totals_visible": show_votes, "phase": "" if show_votes else "cluster"}
    return get_template("workshops/_cluster_note.html").render(context)
