"""Server-sent event streams for live screens.

Each stream is a `Screen` (board or phone, its group, the request's language); it gets from
the hub only what reaches it and renders each event for its kind of screen and language
(`workshops.live.render`, once per process for all streams alike).

The view does its permission check and catch-up query, then gives its database connection
back *before* streaming: a stream that held a pooled connection for its whole life would
starve every other request. The loop itself never queries, except to catch up after it may
have missed messages (a Redis reconnect or an overflowing queue).

Each open stream holds one of its device's slots (`limits.stream_slot_take`); a device that
holds them all gets 429 with `Retry-After` until one of its streams ends.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from labb import live
from workshops import access, limits
from workshops.live import render
from workshops.live.audience import BOARD_SCREEN, PHONE_SCREEN, Screen, reaches
from workshops.live.names import LiveEventName
from workshops.models import LiveEvent

logger = logging.getLogger(__name__)

REPLAY_LIMIT = 500  # events replayed to one stream; more and it reloads its page
SCAN_BATCH = 1000
SCAN_LIMIT = 20 * REPLAY_LIMIT  # rows read for one stream's catch-up (others' events too)
LATE_WINDOW = 256
RETRY_MS = 2000


def _last_event_id(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None


def _missed(workshop_id: int, after: int, screen: Screen) -> list[tuple[int, bytes | None]] | None:
    """Frames of the events after `after` that reach `screen`, or None if too many to
    replay one by one. The rows are filtered with the hub's rule (`audience.reaches`) and
    rendered for the screen (cached: streams that resync together render once)."""
    rows = []
    cursor, scanned = after, 0
    try:
        while True:
            batch = list(
                LiveEvent.objects.filter(workshop_id=workshop_id, pk__gt=cursor)
                .order_by("pk")
                .values_list("pk", "name", "audience", "group_id", "kind", "payload")[:SCAN_BATCH]
            )
            rows += [row for row in batch if reaches(screen, row[2], row[3])]
            scanned += len(batch)
            if len(rows) > REPLAY_LIMIT or scanned >= SCAN_LIMIT:
                return None
            if len(batch) < SCAN_BATCH:
                break
            cursor = batch[-1][0]
        return [
            (pk, render.frame(pk, workshop_id, name, {"kind": kind, "payload": payload}, screen))
            for pk, name, _audience, _group, kind, payload in rows
        ]
    finally:
        connection.close()


def _newest_event_id(workshop_id: int) -> int:
    latest = (
        LiveEvent.objects.filter(workshop_id=workshop_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    connection.close()
    return latest or 0


async def _event_stream(
    *,
    workshop_id: int,
    screen: Screen,
    after: int | None,
    slot: limits.StreamSlot,
) -> AsyncIterator[bytes]:
    queue = live.hub.subscribe(workshop_id, screen)
    refreshed = time.monotonic()
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        last = after
        if last is None:
            last = await sync_to_async(_newest_event_id)(workshop_id)
            yield live.encode_frame(last, LiveEventName.HELLO, "")
        else:
            frames, last = await _catch_up(workshop_id, last, screen)
            for frame in frames:
                yield frame
        # Everything up to `floor` came from the database (page or catch-up). Events commit
        # in id order per workshop, but two processes may *publish* them out of order: an
        # event below `last` that was not delivered yet is late, not old.
        floor, delivered = last, set()
        backlog: collections.deque = collections.deque()
        keepalive = settings.LABB_STREAM_KEEPALIVE
        # Frames of one burst leave in one write: each write to a stream costs about as much
        # CPU as the frame itself (60-90 µs per event and stream, docs/benchmarks.md), so at
        # 50+ notes/s a stream that fell behind catches up with one write, not one per note.
        # Nothing waits for a burst to form: a lone event is written at once.
        out: list[bytes] = []
        while True:
            if out and not backlog:
                yield b"".join(out)
                out.clear()
            if time.monotonic() - refreshed >= keepalive:
                # Keep this stream's slot while it is open (it expires a few keep-alives
                # after a process that died without releasing it).
                await sync_to_async(slot.refresh)()
                refreshed = time.monotonic()
            if backlog:
                item = backlog.popleft()
            else:
                try:
                    async with asyncio.timeout(keepalive):
                        item = await queue.get()
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
                # A burst: start rendering everything already waiting, so the renders run
                # side by side while this stream sends them in order.
                while len(backlog) < live.QUEUE_SIZE and not queue.empty():
                    backlog.append(queue.get_nowait())
                for waiting in (item, *backlog):
                    if waiting is not live.RESYNC and waiting.id > floor:
                        render.start(waiting, screen)
            if item is live.RESYNC:
                # From the floor, not from `last`: an event below `last` that was late and
                # whose message the overflow dropped is still owed to this screen.
                frames, last = await _catch_up(
                    workshop_id, floor, screen, delivered=delivered, last=last
                )
                out.extend(frames)
                floor, delivered = last, set()
                continue
            # The hub only hands this queue what reaches its screen (`Screen.wants`).
            if item.id <= floor or item.id in delivered:
                continue
            delivered.add(item.id)
            if len(delivered) > 2 * LATE_WINDOW:
                floor = sorted(delivered)[-LATE_WINDOW]
                delivered = {i for i in delivered if i > floor}
            frame = await render.frame_for(item, screen)
            if frame is None:
                continue  # nothing of it shows on this screen now
            if item.id > last:
                last = item.id
                out.append(frame)
            else:
                # Deliver it, but keep the browser's Last-Event-ID at the newest id.
                out.append(_with_id(frame, item.id, last))
    finally:
        live.hub.unsubscribe(workshop_id, queue)
        await sync_to_async(slot.release)()


def _with_id(frame: bytes, old_id: int, new_id: int) -> bytes:
    prefix = f"id: {old_id}\n".encode()
    return f"id: {new_id}\n".encode() + frame[len(prefix) :] if frame.startswith(prefix) else frame


async def _catch_up(
    workshop_id: int,
    after: int,
    screen: Screen,
    *,
    delivered: set[int] | frozenset[int] = frozenset(),
    last: int | None = None,
) -> tuple[list[bytes], int]:
    """Frames for the events this stream missed after `after` (but those `delivered`), and
    the new last id. A missed event below `last`, the newest id the browser has, keeps
    that id, so its Last-Event-ID never moves backwards."""
    newest = after if last is None else last
    rows = await sync_to_async(_missed)(workshop_id, after, screen)
    if rows is None:
        newest = await sync_to_async(_newest_event_id)(workshop_id)
        return [live.encode_frame(newest, LiveEventName.RELOAD, "")], newest
    frames = []
    for pk, frame in rows:
        if pk in delivered:
            continue
        if pk > newest:
            newest = pk
            if frame is not None:
                frames.append(frame)
        elif frame is not None:
            frames.append(_with_id(frame, pk, newest))
    return frames, newest


def _stream_response(
    request: HttpRequest, slot: limits.StreamSlot | None, stream_factory
) -> HttpResponse:
    if request.method == "HEAD":
        # Nobody reads a HEAD's body: answer with the stream's status and headers at once
        # instead of subscribing and holding the connection open.
        response = HttpResponse(content_type="text/event-stream")
    elif slot is None:
        response = HttpResponse(
            _("Too many live connections from this browser. Close a tab and try again."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(limits.slot_ttl())
        return response
    else:
        response = StreamingHttpResponse(stream_factory(slot), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response


def _slot(request: HttpRequest) -> limits.StreamSlot | None:
    return None if request.method == "HEAD" else limits.stream_slot_take(request)


def _facilitator_check(request: HttpRequest, pk: int) -> tuple[int, limits.StreamSlot | None]:
    workshop = access.get_workshop_for_facilitator(request, pk)
    close_old_connections()
    connection.close()
    return workshop.pk, _slot(request)


def _participant_check(
    request: HttpRequest, pk: int
) -> tuple[int, int | None, limits.StreamSlot | None]:
    participant = access.get_participant(request, pk)
    connection.close()
    return participant.workshop_id, participant.group_id, _slot(request)


@require_safe
async def board_stream(request: HttpRequest, pk: int) -> HttpResponse:
    workshop_id, slot = await sync_to_async(_facilitator_check)(request, pk)
    return _stream_response(
        request,
        slot,
        lambda slot: _event_stream(
            workshop_id=workshop_id,
            screen=Screen(kind=BOARD_SCREEN, language=request.LANGUAGE_CODE),
            after=_last_event_id(request),
            slot=slot,
        ),
    )


@require_safe
async def phone_stream(request: HttpRequest, pk: int) -> HttpResponse:
    workshop_id, group_id, slot = await sync_to_async(_participant_check)(request, pk)
    return _stream_response(
        request,
        slot,
        lambda slot: _event_stream(
            workshop_id=workshop_id,
            screen=Screen(kind=PHONE_SCREEN, language=request.LANGUAGE_CODE, group_id=group_id),
            after=_last_event_id(request),
            slot=slot,
        ),
    )
