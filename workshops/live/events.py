"""Typed live events: what changed, as ids and small numbers, never as HTML.

A write emits one of these (`workshops.live.emit.emit`) in its transaction. The row keeps
the event's kind and its fields as JSON; each screen renders the event at the edge, in its
own language and for what it shows (`workshops.live.render`). Each event class has the
name the browser listens for and the audience it goes to unless the write says otherwise.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from workshops.live.names import LiveEventName

# Who an event is for; the values of `LiveEvent.Audience`.
BOARD = "board"  # the facilitator's screens and the projector
PHONES = "phones"  # participants' phones (optionally one group's)
ALL = "all"  # every screen


@dataclasses.dataclass(frozen=True, slots=True)
class LiveChange:
    name: ClassVar[LiveEventName]
    audience: ClassVar[str] = ALL
    # Screens show the workshop's state with it (status line, phase, timer): the write
    # publishes that state with the event (`live/shown.py`).
    shows_workshop: ClassVar[bool] = False

    @property
    def kind(self) -> str:
        return type(self).__name__

    def payload(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, slots=True)
class NoteAdded(LiveChange):
    """A note appeared on a revealed board (posted, or approved by screening)."""

    name: ClassVar[LiveEventName] = LiveEventName.NOTE
    audience: ClassVar[str] = BOARD
    note_id: int
    group_id: int
    column_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class NoteChanged(LiveChange):
    name: ClassVar[LiveEventName] = LiveEventName.NOTE_CHANGED
    audience: ClassVar[str] = BOARD
    note_id: int
    group_id: int
    column_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class NoteRemoved(LiveChange):
    name: ClassVar[LiveEventName] = LiveEventName.NOTE_REMOVED
    audience: ClassVar[str] = BOARD
    note_id: int
    group_id: int
    column_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class CountsChanged(LiveChange):
    """While writing is private: how many notes one group has in one column, not what
    they say (counted in the write's transaction)."""

    name: ClassVar[LiveEventName] = LiveEventName.COUNTS
    audience: ClassVar[str] = BOARD
    group_id: int
    column_id: int
    count: int
    total: int


@dataclasses.dataclass(frozen=True, slots=True)
class PeopleChanged(LiveChange):
    """How many participants one group has now (someone joined or moved), for the counts
    table that boards show before the reveal."""

    name: ClassVar[LiveEventName] = LiveEventName.PEOPLE
    audience: ClassVar[str] = BOARD
    group_id: int
    count: int


@dataclasses.dataclass(frozen=True, slots=True)
class PendingChanged(LiveChange):
    """How many notes wait for approval (screening): a number, never what they say. Only
    the facilitator's board shows it."""

    name: ClassVar[LiveEventName] = LiveEventName.PENDING
    audience: ClassVar[str] = BOARD
    count: int


@dataclasses.dataclass(frozen=True, slots=True)
class GroupAdded(LiveChange):
    """A new group changes the structure of every screen: they reload."""

    name: ClassVar[LiveEventName] = LiveEventName.RELOAD
    group_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class GroupChanged(LiveChange):
    """A group's name changed."""

    name: ClassVar[LiveEventName] = LiveEventName.GROUP
    group_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class StatusChanged(LiveChange):
    """Writing was paused or opened again."""

    name: ClassVar[LiveEventName] = LiveEventName.STATUS
    shows_workshop: ClassVar[bool] = True


@dataclasses.dataclass(frozen=True, slots=True)
class PhaseChanged(LiveChange):
    """Screens fetch their stage again: a new phase, new voting rules, or (to one group's
    phones) a participant who moved to another group."""

    name: ClassVar[LiveEventName] = LiveEventName.PHASE
    shows_workshop: ClassVar[bool] = True
    phase: str


@dataclasses.dataclass(frozen=True, slots=True)
class TimerChanged(LiveChange):
    name: ClassVar[LiveEventName] = LiveEventName.TIMER
    shows_workshop: ClassVar[bool] = True


@dataclasses.dataclass(frozen=True, slots=True)
class SpotlightChanged(LiveChange):
    name: ClassVar[LiveEventName] = LiveEventName.SPOTLIGHT
    audience: ClassVar[str] = BOARD
    target: str


@dataclasses.dataclass(frozen=True, slots=True)
class ThemeChanged(LiveChange):
    """Themes or the notes in them changed: boards fetch their stage."""

    name: ClassVar[LiveEventName] = LiveEventName.THEME
    audience: ClassVar[str] = BOARD


@dataclasses.dataclass(frozen=True, slots=True)
class NotesMoved(LiveChange):
    """Notes were moved on the clustering wall (or a move was undone): boards swap those
    cards and the counts of the themes they left and joined (None: without a theme)."""

    name: ClassVar[LiveEventName] = LiveEventName.THEME_MOVE
    audience: ClassVar[str] = BOARD
    move_id: int
    note_ids: list[int]
    theme_ids: list[int | None]


@dataclasses.dataclass(frozen=True, slots=True)
class ThemeSaved(LiveChange):
    """A theme was added (maybe with notes, an accepted suggestion) or renamed: the wall
    swaps its theme panel, its lists of themes and the cards of `note_ids` in place; other
    board screens fetch their stage."""

    name: ClassVar[LiveEventName] = LiveEventName.THEME_SAVED
    audience: ClassVar[str] = BOARD
    theme_id: int
    note_ids: list[int]


@dataclasses.dataclass(frozen=True, slots=True)
class VoteCast(LiveChange):
    """A dot was put down or taken back. With totals hidden the event carries the room's
    progress (dots cast, who has voted) and boards show it without a fetch."""

    name: ClassVar[LiveEventName] = LiveEventName.VOTE
    audience: ClassVar[str] = BOARD
    totals_visible: bool
    votes_cast: int = 0
    voters: int = 0
    participant_count: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class ActionChanged(LiveChange):
    """A next step was added or removed."""

    name: ClassVar[LiveEventName] = LiveEventName.ACTION


KINDS: dict[str, type[LiveChange]] = {
    kind.__name__: kind
    for kind in (
        NoteAdded,
        NoteChanged,
        NoteRemoved,
        CountsChanged,
        PeopleChanged,
        PendingChanged,
        GroupAdded,
        GroupChanged,
        StatusChanged,
        PhaseChanged,
        TimerChanged,
        SpotlightChanged,
        ThemeChanged,
        NotesMoved,
        ThemeSaved,
        VoteCast,
        ActionChanged,
    )
}


def from_row(kind: str, payload: dict) -> LiveChange | None:
    """The typed event of a stored row or a published message; None for an unknown kind
    (a row written by another version of Labb)."""
    event_class = KINDS.get(kind)
    if event_class is None:
        return None
    try:
        return event_class(**payload)
    except TypeError:
        return None
