"""Server-sent event streams for live screens.

The view does its permission check and catch-up query, then gives its database connection
back *before* streaming: a stream that held a pooled connection for its whole life would
starve every other request. The loop itself never queries, except to catch up after it may
have missed messages (a Redis reconnect or an overflowing queue).

Each open stream holds one of its device's slots (`limits.stream_slot_take`); a device that
holds them all gets 429 with `Retry-After` until one of its streams ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from labb import live
from workshops import access, limits
from workshops.live_events import LiveEventName
from workshops.models import LiveEvent

logger = logging.getLogger(__name__)

REPLAY_LIMIT = 500
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


def _missed(workshop_id: int, after: int, audiences: tuple[str, ...], group_id: int | None):
    """Events after `after` for this stream, or None if too many to replay one by one."""
    query = LiveEvent.objects.filter(workshop_id=workshop_id, pk__gt=after, audience__in=audiences)
    if LiveEvent.Audience.PHONES in audiences:
        query = query.filter(Q(group__isnull=True) | Q(group_id=group_id))
    rows = list(query.order_by("pk").values_list("pk", "name", "data")[: REPLAY_LIMIT + 1])
    connection.close()
    if len(rows) > REPLAY_LIMIT:
        return None
    return rows


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
    audiences: tuple[str, ...],
    group_id: int | None,
    after: int | None,
    slot: limits.StreamSlot,
) -> AsyncIterator[bytes]:
    queue = live.hub.subscribe(workshop_id, audiences=audiences, group_id=group_id)
    refreshed = time.monotonic()
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        last = after
        if last is None:
            last = await sync_to_async(_newest_event_id)(workshop_id)
            yield live.encode_frame(last, LiveEventName.HELLO, "")
        else:
            frames, last = await _catch_up(workshop_id, last, audiences, group_id)
            for frame in frames:
                yield frame
        # Everything up to `floor` came from the database (page or catch-up). Events commit
        # in id order per workshop, but two processes may *publish* them out of order: an
        # event below `last` that was not delivered yet is late, not old.
        floor, delivered = last, set()
        keepalive = settings.LABB_STREAM_KEEPALIVE
        while True:
            if time.monotonic() - refreshed >= keepalive:
                # Keep this stream's slot while it is open (it expires a few keep-alives
                # after a process that died without releasing it).
                await sync_to_async(slot.refresh)()
                refreshed = time.monotonic()
            try:
                async with asyncio.timeout(keepalive):
                    item = await queue.get()
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if item is live.RESYNC:
                frames, last = await _catch_up(workshop_id, last, audiences, group_id)
                for frame in frames:
                    yield frame
                floor, delivered = last, set()
                continue
            if item.id <= floor or item.audience not in audiences:
                continue
            if item.audience == "phones" and item.group_id not in (None, group_id):
                continue
            if item.id in delivered:
                continue
            delivered.add(item.id)
            if len(delivered) > 2 * LATE_WINDOW:
                floor = sorted(delivered)[-LATE_WINDOW]
                delivered = {i for i in delivered if i > floor}
            if item.id > last:
                last = item.id
                yield item.frame
            else:
                # Deliver it, but keep the browser's Last-Event-ID at the newest id.
                yield _with_id(item.frame, item.id, last)
    finally:
        live.hub.unsubscribe(workshop_id, queue)
        await sync_to_async(slot.release)()


def _with_id(frame: bytes, old_id: int, new_id: int) -> bytes:
    prefix = f"id: {old_id}\n".encode()
    return f"id: {new_id}\n".encode() + frame[len(prefix) :] if frame.startswith(prefix) else frame


async def _catch_up(workshop_id, last, audiences, group_id) -> tuple[list[bytes], int]:
    """Frames for the events this stream missed after `last`, and the new last id."""
    rows = await sync_to_async(_missed)(workshop_id, last, audiences, group_id)
    if rows is None:
        newest = await sync_to_async(_newest_event_id)(workshop_id)
        return [live.encode_frame(newest, LiveEventName.RELOAD, "")], newest
    if not rows:
        return [], last
    return [live.encode_frame(pk, name, data) for pk, name, data in rows], rows[-1][0]


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
            audiences=(LiveEvent.Audience.BOARD, LiveEvent.Audience.ALL),
            group_id=None,
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
            audiences=(LiveEvent.Audience.PHONES, LiveEvent.Audience.ALL),
            group_id=group_id,
            after=_last_event_id(request),
            slot=slot,
        ),
    )
