"""Rendering live events at the edge (workshops/live/render.py): per kind of screen, in the
screen's language, from the state now, and once per (event, screen kind, language) however
many streams ask at the same moment."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from labb import live
from tests.support.live import event_html
from tests.support.steps import join_as
from workshops.live import render
from workshops.live.audience import BOARD_SCREEN, PHONE_SCREEN, Screen
from workshops.live.events import NoteAdded
from workshops.models import LiveEvent, Note, Workshop
from workshops.services.notes import note_create, note_set_status
from workshops.services.phases import (
    phase_set,
    timer_pause,
    timer_start,
    workshop_set_accepting,
)

Phase = Workshop.Phase


def _note(workshop, text="Gemensam målbild") -> Note:
    participant = join_as(Client(), workshop, name="")
    note, _created = note_create(
        workshop=workshop,
        participant=participant,
        group=participant.group,
        column=workshop.columns.first(),
        text=text,
        client_id=uuid.uuid4(),
    )
    return note


@pytest.mark.django_db
def test_a_note_is_rendered_in_the_language_of_the_screen(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    workshop = phase_set(workshop=workshop, phase=Phase.REVEAL)
    with django_capture_on_commit_callbacks(execute=True):
        _note(workshop)
    (board,) = [e for e in captured_events if e.audience == "board"]
    english, swedish = event_html(board, language="en"), event_html(board, language="sv")
    assert ">Anonymous<" in english and ">Edit<" in english
    assert ">Anonym<" in swedish and ">Redigera<" in swedish


@pytest.mark.django_db
def test_a_note_event_shows_nothing_once_its_phase_no_longer_shows_texts(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    """An event replayed after the facilitator moved back to writing carries no text: the
    screen renders what it shows now, not what it showed when the note was posted."""
    workshop = phase_set(workshop=workshop, phase=Phase.REVEAL)
    with django_capture_on_commit_callbacks(execute=True):
        note = _note(workshop, text="Syns bara efter visningen")
    board, phone = sorted(captured_events, key=lambda e: e.audience)
    assert "Syns bara efter visningen" in event_html(board)
    assert "Syns bara efter visningen" in event_html(phone, screen="phone")
    phase_set(workshop=workshop, phase=Phase.WRITE)
    assert event_html(board) == ""
    assert event_html(phone, screen="phone") == ""
    # Phones show their group's board in Reveal and Cluster only; boards stay revealed.
    phase_set(workshop=workshop, phase=Phase.VOTE)
    assert "Syns bara efter visningen" in event_html(board)
    assert event_html(phone, screen="phone") == ""
    # A note hidden since is not shown either.
    phase_set(workshop=workshop, phase=Phase.REVEAL)
    note_set_status(note=note, status=Note.Status.HIDDEN)
    assert event_html(board) == ""


def _count_reads_and_renders(monkeypatch) -> tuple[list, list]:
    render.forget()
    reads, renders = [], []
    read_facts, render_to_string = render._read_facts, render.render_to_string
    monkeypatch.setattr(render, "_read_facts", lambda *a: reads.append(a) or read_facts(*a))
    monkeypatch.setattr(
        render, "render_to_string", lambda *a: renders.append(a) or render_to_string(*a)
    )
    return reads, renders


def _replayed(event_id: int, screen: Screen) -> bytes | None:
    """The frame of a stored event as a resuming stream renders it: from its row alone."""
    stored = LiveEvent.objects.get(pk=event_id)
    data = {"kind": stored.kind, "payload": stored.payload}
    return render.frame(stored.pk, stored.workshop_id, stored.name, data, screen)


def _frames_for_200_streams(message, screens) -> list:
    async def streams():
        # 200 streams ask at the same moment, 50 of each screen.
        return await asyncio.gather(
            *(render.frame_for(message, screen) for screen in screens for _n in range(50))
        )

    return asyncio.run(streams())


def _screens(group_id: int) -> list[Screen]:
    return [
        Screen(kind=BOARD_SCREEN, language="en"),
        Screen(kind=BOARD_SCREEN, language="sv"),
        Screen(kind=PHONE_SCREEN, language="sv", group_id=group_id),
        Screen(kind=PHONE_SCREEN, language="sv", group_id=group_id + 1),
    ]


@pytest.mark.django_db(transaction=True)
def test_each_event_is_rendered_once_per_screen_kind_and_language(
    workshop, captured_events, django_capture_on_commit_callbacks, monkeypatch
):
    workshop = phase_set(workshop=workshop, phase=Phase.REVEAL)
    with django_capture_on_commit_callbacks(execute=True):
        note = _note(workshop)
    (sent,) = [e for e in captured_events if e.audience == "board"]
    assert sent.event == NoteAdded(
        note_id=note.pk, group_id=note.group_id, column_id=note.column_id
    )
    # A replay: the stored row holds ids only, so the note is read, once.
    row = LiveEvent.objects.get(pk=sent.id)
    stored = live.Message(
        id=row.pk, topic=workshop.pk, name=row.name, data={"kind": row.kind, "payload": row.payload}
    )
    reads, renders = _count_reads_and_renders(monkeypatch)
    screens = _screens(note.group_id)
    frames = _frames_for_200_streams(stored, screens)
    assert len(reads) == 1, "the note is read once for every kind and language"
    assert len(renders) == 3, "board in English, board in Swedish, phone in Swedish"
    by_screen = dict(zip([s for s in screens for _n in range(50)], frames, strict=True))
    assert b">Anonymous<" in by_screen[screens[0]]
    assert b">Anonym<" in by_screen[screens[1]]
    assert by_screen[screens[2]] == by_screen[screens[3]]
    assert by_screen[screens[0]].startswith(f"id: {sent.id}\nevent: note\n".encode())
    render.forget()


@pytest.mark.django_db(transaction=True)
def test_a_published_note_renders_from_its_message_with_no_query(
    workshop, captured_events, django_capture_on_commit_callbacks, monkeypatch
):
    """Live delivery reads nothing: the write publishes what screens show of the note
    (`live/shown.py`), so 200 streams in each process cost renders, not queries and
    pooled connections. The row keeps ids only; a replay renders the same markup."""
    workshop = phase_set(workshop=workshop, phase=Phase.REVEAL)
    with django_capture_on_commit_callbacks(execute=True):
        note = _note(workshop, text="Tydligt mandat från ledningen")
    notes = [e for e in captured_events if isinstance(e.event, NoteAdded)]
    board, phone = sorted(notes, key=lambda e: e.audience)
    row = LiveEvent.objects.get(pk=board.id)
    assert "Tydligt mandat" not in str(row.payload), "the row keeps ids, not the text"
    assert board.message()["data"]["facts"]["text"] == "Tydligt mandat från ledningen"

    published = {e.audience: live.Message.from_dict(e.message()) for e in (board, phone)}
    screens = _screens(note.group_id)
    reads, renders = _count_reads_and_renders(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        live_frames = {
            s: render.frame(m.id, m.topic, m.name, m.data, s)
            for s in screens
            for m in [published["board" if s.kind == BOARD_SCREEN else "phones"]]
        }
    assert len(queries) == 0 and reads == [], "rendered from the message alone"
    assert len(renders) == 3
    assert (
        b"Tydligt mandat" in live_frames[screens[0]] and b">Anonymous<" in live_frames[screens[0]]
    )

    # A replay of the same rows reads the note and renders exactly the same frames.
    render.forget()
    for screen, frame in live_frames.items():
        sent = board if screen.kind == BOARD_SCREEN else phone
        assert _replayed(sent.id, screen) == frame
    render.forget()


@pytest.mark.django_db(transaction=True)
def test_a_published_note_renders_in_the_event_loop(
    workshop, captured_events, django_capture_on_commit_callbacks
):
    """A note with its published values is rendered where the stream asks for it, with no
    hop to a worker thread; one that has to be read goes to a thread (the loop never
    queries)."""
    workshop = phase_set(workshop=workshop, phase=Phase.REVEAL)
    with django_capture_on_commit_callbacks(execute=True):
        note = _note(workshop)
    (sent,) = [
        e for e in captured_events if isinstance(e.event, NoteAdded) and e.audience == "board"
    ]
    published = live.Message.from_dict(sent.message())
    replayed = live.Message.from_dict({**sent.message(), "data": {**sent.message()["data"]}})
    del replayed.data["facts"]
    screen = Screen(kind=BOARD_SCREEN, language="sv")

    async def start_both():
        now = render.start(published, screen)
        render.forget()
        later = render.start(replayed, screen)
        return now, await later

    render.forget()
    now, later = asyncio.run(start_both())
    assert isinstance(now, bytes), "rendered at once, in the loop"
    assert now == later and f"note-{note.pk}".encode() in now
    render.forget()


def _without_clock(frame: bytes) -> bytes:
    """A timer frame carries the server's clock at render time; the rest must match."""
    import re

    return re.sub(rb'data-server-now="\d+"', b"", frame)


@pytest.mark.django_db(transaction=True)
def test_status_phase_and_timer_events_render_from_their_message_with_no_query(
    workshop, captured_events, django_capture_on_commit_callbacks, monkeypatch
):
    """The events every phone gets (the bench's "phone event") render in the event loop
    from the workshop state the write published: no worker thread and no pooled connection
    per process, and the same markup as a replay that reads the workshop."""
    with django_capture_on_commit_callbacks(execute=True):
        workshop = phase_set(workshop=workshop, phase=Phase.REVEAL)
        workshop = timer_start(workshop=workshop, seconds=300, locks_writing=True)
        workshop = timer_pause(workshop=workshop)
        workshop = workshop_set_accepting(workshop=workshop, accepting=False)
    sent = [e for e in captured_events if e.event.shows_workshop]
    assert [e.name for e in sent] == ["phase", "timer", "timer", "status"]
    row = LiveEvent.objects.get(pk=sent[-1].id)
    assert "accepting_notes" not in str(row.payload), "the row keeps no state"

    screens = [Screen(kind=BOARD_SCREEN, language="en"), Screen(kind=PHONE_SCREEN, language="sv")]
    render.forget()
    reads, _renders = _count_reads_and_renders(monkeypatch)
    published = [live.Message.from_dict(e.message()) for e in sent]
    with CaptureQueriesContext(connection) as queries:
        started = [render.start(m, s) for m in published for s in screens]
    assert len(queries) == 0 and reads == [], "rendered from the messages alone"
    assert all(isinstance(f, bytes) for f in started), "in the loop, not on a thread"
    frames = dict(zip([(m.id, s) for m in published for s in screens], started, strict=True))
    status_board = frames[(sent[-1].id, screens[0])]
    assert b"Writing paused: participants cannot post" in status_board
    assert "Skrivandet är pausat".encode() in frames[(sent[-1].id, screens[1])]
    paused_timer = frames[(sent[2].id, screens[1])]
    assert b"data-paused" in paused_timer and b'data-ends-at=""' in paused_timer

    # A replay reads the workshop as it is now: where that state is the one published (all
    # but the first timer event, which the pause changed), the frames are the same.
    render.forget()
    for event_id in (sent[0].id, sent[2].id, sent[-1].id):
        for screen in screens:
            replayed = _replayed(event_id, screen)
            assert _without_clock(replayed) == _without_clock(frames[(event_id, screen)])
    render.forget()


@pytest.mark.django_db(transaction=True)
def test_a_render_that_fails_in_the_event_loop_is_logged_once_and_skipped(
    workshop, captured_events, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """A published note whose render raises must not end the streams that asked for it:
    like a render on a worker thread, the failure is logged once and the event skipped."""
    workshop = phase_set(workshop=workshop, phase=Phase.REVEAL)
    with django_capture_on_commit_callbacks(execute=True):
        _note(workshop)
    (sent,) = [
        e for e in captured_events if isinstance(e.event, NoteAdded) and e.audience == "board"
    ]
    published = live.Message.from_dict(sent.message())
    screen = Screen(kind=BOARD_SCREEN, language="sv")

    def broken(*args, **kwargs):
        raise ValueError("template broke")

    monkeypatch.setattr(render, "html", broken)
    render.forget()

    async def twice():
        return render.start(published, screen), render.start(published, screen)

    with caplog.at_level("ERROR", logger=render.logger.name):
        first, second = asyncio.run(twice())
    assert first is None and second is None
    logged = [r for r in caplog.records if "could not be rendered" in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info[0] is ValueError
    render.forget()


def _board_stream(workshop_id: int, screen: Screen):
    """A stream as the stream view runs it, opened now (no Last-Event-ID), without a slot."""
    from workshops.limits import StreamSlot
    from workshops.views import stream as stream_views

    return stream_views._event_stream(
        workshop_id=workshop_id, screen=screen, after=None, slot=StreamSlot("", "", 0)
    )


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_events_leaves_a_stream_in_one_write_and_a_lone_event_at_once(
    workshop, captured_events, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """Each write to a stream costs about as much as rendering the frame, so the events a
    stream finds waiting are sent together, in order; an event that arrives alone is not
    held back for company."""
    from workshops.views import stream as stream_views

    workshop = phase_set(workshop=workshop, phase=Phase.REVEAL)
    # The in-process hub, fed by hand below: a Redis listener would add its own resync.
    settings.REDIS_URL = ""
    live.reset_backend()
    # The stream's page was rendered before these notes were written.
    before = LiveEvent.objects.filter(workshop=workshop).order_by("-pk")[0].pk
    monkeypatch.setattr(stream_views, "_newest_event_id", lambda workshop_id: before)
    with django_capture_on_commit_callbacks(execute=True):
        notes = [_note(workshop, text=f"Lapp nummer {i}") for i in range(4)]
    published = [
        live.Message.from_dict(e.message())
        for e in captured_events
        if isinstance(e.event, NoteAdded) and e.audience == "board"
    ]
    assert len(published) == 4
    screen = Screen(kind=BOARD_SCREEN, language="sv")
    render.forget()

    async def chunks() -> list[bytes]:
        stream = _board_stream(workshop.pk, screen)
        got = [await anext(stream), await anext(stream)]  # retry, hello
        for message in published[:3]:  # three wait in the queue: one write
            live.hub.dispatch(message)
        got.append(await anext(stream))
        live.hub.dispatch(published[3])  # alone: written by itself, at once
        got.append(await asyncio.wait_for(anext(stream), 2))
        await stream.aclose()
        return got

    _retry, hello, burst, lone = asyncio.run(chunks())
    assert b"event: hello" in hello
    assert burst.count(b"event: note") == 3
    positions = [burst.index(f'id="note-{note.pk}"'.encode()) for note in notes[:3]]
    assert positions == sorted(positions), "in the order they were sent"
    assert lone.count(b"event: note") == 1 and f'id="note-{notes[3].pk}"'.encode() in lone
    render.forget()
    live.reset_backend()


@pytest.mark.django_db(transaction=True)
def test_a_resync_still_delivers_a_late_event_whose_message_was_dropped(
    workshop, captured_events, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """Two processes may publish out of order: the stream has sent event 3 while event 2
    is still on its way. If the stream's queue then overflows (a RESYNC, the message of 2
    dropped), its catch-up must start below 2, not after 3, or note 2 never shows."""
    from workshops.views import stream as stream_views

    workshop = phase_set(workshop=workshop, phase=Phase.REVEAL)
    settings.REDIS_URL = ""  # the in-process hub, fed by hand
    live.reset_backend()
    before = LiveEvent.objects.filter(workshop=workshop).order_by("-pk")[0].pk
    monkeypatch.setattr(stream_views, "_newest_event_id", lambda workshop_id: before)
    with django_capture_on_commit_callbacks(execute=True):
        notes = [_note(workshop, text=f"Lapp {i}") for i in range(3)]
    first, late, third = [
        live.Message.from_dict(e.message())
        for e in captured_events
        if isinstance(e.event, NoteAdded) and e.audience == "board"
    ]
    screen = Screen(kind=BOARD_SCREEN, language="sv")
    render.forget()

    async def chunks() -> list[bytes]:
        stream = _board_stream(workshop.pk, screen)
        got = [await anext(stream), await anext(stream)]  # retry, hello
        live.hub.dispatch(first)
        got.append(await asyncio.wait_for(anext(stream), 2))
        live.hub.dispatch(third)  # the late one's message has not come yet ...
        got.append(await asyncio.wait_for(anext(stream), 2))
        live.hub.resync_all()  # ... and is dropped with an overflow
        got.append(await asyncio.wait_for(anext(stream), 2))
        await stream.aclose()
        return got

    _retry, _hello, one, three, caught_up = asyncio.run(chunks())
    assert f'id="note-{notes[0].pk}"'.encode() in one
    assert f'id="note-{notes[2].pk}"'.encode() in three
    assert f'id="note-{notes[1].pk}"'.encode() in caught_up
    assert caught_up.count(b"event: note") == 1, "notes 1 and 3 are not sent again"
    assert caught_up.startswith(f"id: {third.id}\n".encode()), "Last-Event-ID never goes back"
    render.forget()
    live.reset_backend()
