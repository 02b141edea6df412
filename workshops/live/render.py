"""A live event as the fragment one kind of screen applies, in that screen's language.

Rendering happens at the edge, per kind of screen (board or phone) and language, with the
same partials as the pages (`_note.html`, `_phone_group_note.html`, `_timer.html` …), and
reads the state *now*: a note that was hidden or a phase that moved back before the render
is not shown. Costs, per process (docs/benchmarks.md, /work/shared/PERFORMANCE-NOTES.md):

- each event is rendered at most once per (screen kind, language): 1,000 phones of one
  language share one render (`frame_for` lets concurrent streams wait for the same task);
- the rows an event needs (its note, group or workshop) are read once per event, whatever
  the number of kinds and languages, in a worker thread that gives its connection back at
  once: a stream never holds a database connection while it waits.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

from labb import live
from workshops import wall
from workshops.live.audience import BOARD_SCREEN, Screen
from workshops.live.events import (
    ActionChanged,
    CountsChanged,
    GroupAdded,
    GroupChanged,
    LiveChange,
    NoteAdded,
    NoteChanged,
    NoteRemoved,
    NotesMoved,
    PendingChanged,
    PeopleChanged,
    PhaseChanged,
    SpotlightChanged,
    StatusChanged,
    ThemeChanged,
    ThemeSaved,
    TimerChanged,
    VoteCast,
    from_row,
)
from workshops.live.shown import NoteShown, workshop_from_facts
from workshops.models import Group, Note, Workshop

logger = logging.getLogger(__name__)

FRAME_CACHE_SIZE = 4096  # (event, screen kind, language): minutes of a busy process
FACTS_CACHE_SIZE = 512  # events whose rows are kept for the other kinds and languages

Phase = Workshop.Phase
_MISSING = object()


class _LRU:
    """A small thread-safe LRU map: renders run in worker threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, default=_MISSING):
        with self._lock:
            value = self._items.get(key, _MISSING)
            if value is _MISSING:
                return default
            self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_frames = _LRU(FRAME_CACHE_SIZE)
_facts = _LRU(FACTS_CACHE_SIZE)
_inflight: dict[tuple, asyncio.Task] = {}
_facts_lock = threading.Lock()
_facts_reading: dict[tuple, threading.Lock] = {}


def forget() -> None:
    """Empty the caches (tests that change rows behind an event's back)."""
    _frames.clear()
    _facts.clear()


# --- The rows an event needs, read once per event ------------------------------------------


def _read_facts(event: LiveChange, workshop_id: int) -> dict:
    if isinstance(event, NoteAdded | NoteChanged):
        note = (
            Note.objects.select_related("workshop", "column")
            .filter(pk=event.note_id, workshop_id=workshop_id)
            .first()
        )
        if note is None:
            return {"note": None}
        facts: dict = {"note": NoteShown.from_note(note)}
        if note.workshop.phase == Phase.CLUSTER:
            # Phones of the group may sort the note into a theme.
            facts["themes"] = list(note.workshop.themes.all())
        return facts
    if isinstance(event, GroupChanged):
        return {"group": Group.objects.filter(pk=event.group_id, workshop_id=workshop_id).first()}
    if isinstance(event, StatusChanged | PhaseChanged | TimerChanged):
        return {"workshop": Workshop.objects.filter(pk=workshop_id).first()}
    if isinstance(event, NotesMoved):
        workshop = Workshop.objects.filter(pk=workshop_id).first()
        if workshop is None:
            return {"changed": None}
        return {"changed": wall.changed(workshop, event.note_ids, event.theme_ids)}
    if isinstance(event, ThemeSaved):
        workshop = Workshop.objects.filter(pk=workshop_id).first()
        if workshop is None:
            return {"panel": None}
        return {
            "workshop": workshop,
            "panel": wall.theme_panel(workshop),
            "cards": wall.cards(workshop, event.note_ids) if event.note_ids else [],
        }
    if isinstance(event, PendingChanged):
        # The link to the screening page needs the workshop's id, nothing more.
        return {"workshop_id": workshop_id}
    return {}


# Kinds whose screens need nothing but the event's own fields.
_NO_ROWS = (
    NoteRemoved,
    CountsChanged,
    PeopleChanged,
    PendingChanged,
    GroupAdded,
    SpotlightChanged,
    ThemeChanged,
    ActionChanged,
    VoteCast,
)


def _published_facts(event: LiveChange, data: dict, workshop_id: int) -> dict | None:
    """What the event's render needs, from the message alone: the values the write
    published with it (`live/shown.py`), or nothing for kinds that need no rows. None when
    the rows have to be read (a replay, a move, a theme saved)."""
    if isinstance(event, NoteAdded | NoteChanged) and data.get("facts"):
        shown = NoteShown.from_facts(data["facts"])
        if shown is not None:
            return {"note": shown}
    if event.shows_workshop and data.get("facts"):
        workshop = workshop_from_facts(data["facts"])
        if workshop is not None:
            return {"workshop": workshop}
    if isinstance(event, _NO_ROWS):
        return _read_facts(event, workshop_id)
    return None


def _facts_for(event_id: int, event: LiveChange, workshop_id: int) -> dict:
    """The rows of one event, read by the first render that needs them; renders for other
    kinds and languages running at the same moment wait for that read."""
    key = (workshop_id, event_id)
    facts = _facts.get(key)
    if facts is not _MISSING:
        return facts
    with _facts_lock:
        lock = _facts_reading.setdefault(key, threading.Lock())
    with lock:
        facts = _facts.get(key)
        if facts is _MISSING:
            facts = _read_facts(event, workshop_id)
            _facts.put(key, facts)
    with _facts_lock:
        _facts_reading.pop(key, None)
    return facts


# --- One renderer per kind of event ---------------------------------------------------------


def _note_shown(note: NoteShown | None, screen_kind: str) -> bool:
    """Whether the screen shows this note's text. Boards show visible notes once they are
    revealed; phones show their group's board in Reveal and Cluster only."""
    if note is None or note.status != Note.Status.VISIBLE:
        return False
    if screen_kind == BOARD_SCREEN:
        return note.revealed
    return note.phase in (Phase.REVEAL, Phase.CLUSTER)


def _note(event: NoteAdded | NoteChanged | NoteRemoved, screen_kind: str, facts: dict):
    board = screen_kind == BOARD_SCREEN
    template = "workshops/live/note_event.html" if board else "workshops/live/phone_note_event.html"
    context: dict = {"event": event.name, "note_id": event.note_id}
    if not isinstance(event, NoteRemoved):
        note = facts["note"]
        if not _note_shown(note, screen_kind):
            return None
        context["note"] = note
        if not board:
            # The same markup as the phone page (`_phone_group_note.html`): every phone of
            # the group may sort its notes when the facilitator allows it.
            context["workshop"] = {"pk": note.workshop_id}
            context["may_cluster"] = note.may_cluster
            context["workshop_themes"] = facts.get("themes", [])
    return render_to_string(template, context)


def _counts(event: CountsChanged, screen_kind: str, facts: dict):
    return render_to_string("workshops/live/counts.html", event.payload())


def _people(event: PeopleChanged, screen_kind: str, facts: dict):
    return render_to_string("workshops/live/people.html", event.payload())


def _pending(event: PendingChanged, screen_kind: str, facts: dict):
    """The facilitator's line about notes waiting for approval: a number and a link to the
    screening page, never the notes' texts."""
    if screen_kind != BOARD_SCREEN:
        return None
    return render_to_string(
        "workshops/live/pending.html",
        {"workshop": {"pk": facts["workshop_id"]}, "pending_count": event.count},
    )


def _group_added(event: GroupAdded, screen_kind: str, facts: dict):
    return render_to_string("workshops/live/reload.html")


def _group_changed(event: GroupChanged, screen_kind: str, facts: dict):
    group = facts["group"]
    if group is None:
        return None
    return render_to_string("workshops/live/group_renamed.html", {"group": group})


def _with_workshop(template: str) -> Callable:
    def render(event: LiveChange, screen_kind: str, facts: dict):
        workshop = facts["workshop"]
        if workshop is None:
            return None
        role = "facilitator" if screen_kind == BOARD_SCREEN else "participant"
        return render_to_string(template, {"workshop": workshop, "role": role})

    return render


def _refresh(event: LiveChange, screen_kind: str, facts: dict):
    return render_to_string("workshops/live/refresh.html")


def _notes_moved(event: NotesMoved, screen_kind: str, facts: dict):
    """The moved cards and the counts as they are now, with the wall's own partials: the
    wall swaps them in place (`static/labb/wall.js`), other board screens fetch their stage."""
    if facts["changed"] is None:
        return None
    return render_to_string("workshops/live/theme_move.html", facts["changed"])


def _theme_saved(event: ThemeSaved, screen_kind: str, facts: dict):
    """The wall's theme panel and lists of themes as they are now, and the cards of the
    theme's notes (their badge names the theme): the wall swaps them in place, other board
    screens fetch their stage."""
    if facts["panel"] is None:
        return None
    context = {"workshop": facts["workshop"], "cards": facts["cards"], **facts["panel"]}
    return render_to_string("workshops/live/theme_saved.html", context)


def _vote(event: VoteCast, screen_kind: str, facts: dict):
    if event.totals_visible:
        return _refresh(event, screen_kind, facts)
    return render_to_string("workshops/live/votes_cast.html", event.payload())


_RENDERERS: dict[type[LiveChange], Callable[[LiveChange, str, dict], str | None]] = {
    NoteAdded: _note,
    NoteChanged: _note,
    NoteRemoved: _note,
    CountsChanged: _counts,
    PeopleChanged: _people,
    PendingChanged: _pending,
    GroupAdded: _group_added,
    GroupChanged: _group_changed,
    StatusChanged: _with_workshop("workshops/live/status.html"),
    PhaseChanged: _with_workshop("workshops/live/phase.html"),
    TimerChanged: _with_workshop("workshops/live/timer.html"),
    SpotlightChanged: _refresh,
    ThemeChanged: _refresh,
    NotesMoved: _notes_moved,
    ThemeSaved: _theme_saved,
    VoteCast: _vote,
    ActionChanged: _refresh,
}


def html(
    event: LiveChange,
    *,
    workshop_id: int,
    screen_kind: str,
    language: str,
    event_id: int = 0,
    facts: dict | None = None,
) -> str | None:
    """The fragment for one kind of screen in one language; None when it shows nothing of
    the event (a note hidden or deleted, a phase that does not show it). `facts` are the
    values published with the event; without them the rows are read as they are now."""
    if facts is None:
        facts = (
            _facts_for(event_id, event, workshop_id)
            if event_id
            else _read_facts(event, workshop_id)
        )
    with translation.override(language):
        return _RENDERERS[type(event)](event, screen_kind, facts)


def _event_of(event_id: int, data: dict) -> LiveChange | None:
    event = from_row(data.get("kind", ""), data.get("payload") or {})
    if event is None:
        logger.warning("Live event %s of an unknown kind %r skipped", event_id, data.get("kind"))
    return event


def frame(event_id: int, workshop_id: int, name: str, data: dict, screen: Screen) -> bytes | None:
    """The SSE frame of a stored or published event for `screen` (cached); None when the
    screen gets nothing of it."""
    key = (workshop_id, event_id, screen.kind, screen.language)
    found = _frames.get(key)
    if found is not _MISSING:
        return found
    result = None
    event = _event_of(event_id, data)
    if event is not None:
        text = html(
            event,
            workshop_id=workshop_id,
            screen_kind=screen.kind,
            language=screen.language,
            event_id=event_id,
            facts=_published_facts(event, data, workshop_id),
        )
        if text is not None:
            result = live.encode_frame(event_id, name, text)
    _frames.put(key, result)
    return result


def _renders_without_rows(message: live.Message) -> bool:
    """Whether `message` renders from what it carries: no query, so no worker thread."""
    event = _event_of(message.id, message.data)
    return event is None or _published_facts(event, message.data, message.topic) is not None


def _frame_and_close(message: live.Message, screen: Screen) -> bytes | None:
    try:
        return frame(message.id, message.topic, message.name, message.data, screen)
    finally:
        # A worker thread of the stream: its connection goes back to the pool now.
        connection.close()


_frame_in_thread = sync_to_async(_frame_and_close, thread_sensitive=False)


def start(message: live.Message, screen: Screen) -> asyncio.Future | bytes | None:
    """Start rendering `message` for `screen` (if nobody has) and return the frame, or the
    task that will have it. A stream starts the renders of every message waiting in its
    queue at once, so a burst renders in parallel instead of one render after another."""
    key = (message.topic, message.id, screen.kind, screen.language)
    found = _frames.get(key)
    if found is not _MISSING:
        return found
    if _renders_without_rows(message):
        # A note with its published values, a count, a refresh: rendering is a template and
        # no query, cheaper here than a hop to a worker thread (about 0.1-0.3 ms).
        try:
            return frame(message.id, message.topic, message.name, message.data, screen)
        except Exception:
            # As on the thread path: logged once, and the streams skip the event (a replay
            # after a reconnect renders it again from its row) instead of ending.
            logger.error("Live event %s could not be rendered", message.id, exc_info=True)
            _frames.put(key, None)
            return None
    loop = asyncio.get_running_loop()
    task = _inflight.get(key)
    if task is None or task.get_loop() is not loop:
        task = loop.create_task(_frame_in_thread(message, screen))
        _inflight[key] = task
        task.add_done_callback(lambda done: _forget_task(key, done))
    return task


def _forget_task(key: tuple, done: asyncio.Task) -> None:
    _inflight.pop(key, None)
    if not done.cancelled() and done.exception() is not None:
        # Logged here once, whether or not a stream still waits for it.
        logger.error("Live event %s could not be rendered", key[1], exc_info=done.exception())


async def frame_for(message: live.Message, screen: Screen) -> bytes | None:
    """The frame of a live message for `screen`. Streams of the same kind of screen that
    ask at once wait for one render."""
    started = start(message, screen)
    if not isinstance(started, asyncio.Future):
        return started
    try:
        # Shielded: a stream that closes while waiting does not cancel the others' render.
        return await asyncio.shield(started)
    except Exception:
        return None  # logged by _forget_task
