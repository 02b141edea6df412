"""Which screens get which events: the kinds of screen and the one audience rule.

The hub (`labb.live`) asks a stream's `Screen` whether it wants a message, and the stream
filters its catch-up from the database with the same `reaches`, so live delivery and
replay cannot disagree.
"""

from __future__ import annotations

import dataclasses

from workshops.live.events import ALL, BOARD, PHONES

BOARD_SCREEN = "board"  # the facilitator's board, a group's view, the projector
PHONE_SCREEN = "phone"


def reaches(screen: Screen, audience: str, group_id: int | None) -> bool:
    """Whether an event for `audience` (limited to `group_id`'s phones) goes to `screen`.

    Board screens get board events whatever their group. Phones get phone events for every
    phone or for their own group only: a phone without a group gets none of one group's.
    """
    if audience == ALL:
        return True
    if screen.kind == BOARD_SCREEN:
        return audience == BOARD
    return audience == PHONES and group_id in (None, screen.group_id)


@dataclasses.dataclass(frozen=True, slots=True)
class Screen:
    """One kind of open stream: streams with equal screens get the same frames, so the hub
    filters once and the renderer renders once for all of them."""

    kind: str
    language: str
    group_id: int | None = None

    def wants(self, data: dict) -> bool:
        """The hub's filter: `data` is a published message's data (`emit.Sent.message`)."""
        return reaches(self, data["audience"], data["group_id"])
