"""The names of live events: one registry that Python and the browser share.

Every typed event (`workshops.live.events`) carries one of these names, the stream sends
`HELLO` and `RELOAD` itself, and every page with a live stream hands the list to `labb.js`
through `json_script` (`templates/base.html`), so the two cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum


class LiveEventName(StrEnum):
    HELLO = "hello"  # the stream's first frame: the newest event id
    RELOAD = "reload"  # too much missed, or the page's structure changed
    NOTE = "note"
    NOTE_CHANGED = "note-changed"
    NOTE_REMOVED = "note-removed"
    COUNTS = "counts"
    PEOPLE = "people"
    PENDING = "pending"
    GROUP = "group"
    STATUS = "status"
    PHASE = "phase"
    TIMER = "timer"
    SPOTLIGHT = "spotlight"
    THEME = "theme"
    THEME_MOVE = "theme-move"  # notes moved on the clustering wall: cards and counts
    THEME_SAVED = "theme-saved"  # a theme added or renamed: the wall's theme panel
    VOTE = "vote"
    ACTION = "action"


NAMES: tuple[str, ...] = tuple(name.value for name in LiveEventName)
