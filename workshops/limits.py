"""Per-client limits: notes, joins and open streams, per device and per address.

A *device* is one browser: a random id kept in its session from its first join or stream.
Joining again keeps the session (the key is cycled, the data kept), so joining afresh does
not refill a device's budgets; only dropping the cookie does, and that costs a join, which
the address's join budget caps. An *address* is what `throttle.address_bucket` makes of the
client address (an IPv4 address, an IPv6 /64): a whole room behind one NAT shares it, so its
budgets are sized for a room of 300 and only stop a script.

| Budget | Default | Setting |
| --- | --- | --- |
| notes per participant and per device | 30 a minute | `LABB_NOTES_PER_MINUTE` |
| notes per address | 600 a minute | `LABB_NOTES_PER_ADDRESS_PER_MINUTE` |
| joins per device | 10 per 10 minutes | `LABB_JOINS_PER_DEVICE` |
| joins per address | 600 per 10 minutes | `LABB_JOINS_PER_ADDRESS` |
| open streams per device | 8 | `LABB_STREAMS_PER_DEVICE` |

Counters are fixed windows in the cache (Redis in production, shared by every process).
An open stream holds one of its device's slots, a cache key it refreshes while it runs and
deletes when it ends; a process that dies leaves its slots to expire within
`SLOT_TTL_KEEPALIVES` keep-alive intervals. If the cache is unreachable every limit lets the
request through: a Redis blip must not stop a running workshop, and the database is the
truth (docs/security.md, "Per-client limits").
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from workshops.throttle import address_bucket, client_address

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError, ValueError)
DEVICE_SESSION_KEY = "labb_device"
JOIN_WINDOW = 600
SLOT_TTL_KEEPALIVES = 3


class RateLimited(Exception):
    """A budget is spent; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"Rate limited; retry after {retry_after}s")
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class Budget:
    """At most `limit` uses per `window` seconds for one key."""

    key: str
    limit: int
    window: int


def spend(*budgets: Budget) -> None:
    """Use one unit of every budget, or raise RateLimited if any of them is spent.

    Every budget is charged, even once one is over: a client hammering one limit must not
    be spared the others.
    """
    now = time.time()
    retry_after = 0
    for budget in budgets:
        window = int(now // budget.window)
        key = f"limit:{budget.key}:{window}"
        try:
            added = cache.add(key, 1, timeout=budget.window + 1)
            count = 1 if added else cache.incr(key)
        except CACHE_ERRORS:
            logger.warning("Client limits unavailable (cache down); request let through")
            return
        if count > budget.limit:
            retry_after = max(retry_after, budget.window - int(now) % budget.window)
    if retry_after:
        raise RateLimited(retry_after)


def device_id(request: HttpRequest) -> str:
    """This browser's device id, created in its session the first time it is asked for."""
    device = request.session.get(DEVICE_SESSION_KEY)
    if not isinstance(device, str) or not device:
        device = uuid.uuid4().hex
        request.session[DEVICE_SESSION_KEY] = device
    return device


def _opaque(kind: str, value: str) -> str:
    return salted_hmac(f"labb.workshops.limits.{kind}", value).hexdigest()[:32]


def _device_key(request: HttpRequest) -> str:
    return _opaque("device", device_id(request))


def _address_key(request: HttpRequest) -> str:
    return _opaque("address", address_bucket(client_address(request)))


def note_budgets(request: HttpRequest) -> tuple[Budget, ...]:
    """What a note posted through `request` costs, besides its participant's budget."""
    return (
        Budget(f"notes:d:{_device_key(request)}", settings.LABB_NOTES_PER_MINUTE, 60),
        Budget(f"notes:a:{_address_key(request)}", settings.LABB_NOTES_PER_ADDRESS_PER_MINUTE, 60),
    )


def participant_note_budget(participant_id: int) -> Budget:
    return Budget(f"notes:p:{participant_id}", settings.LABB_NOTES_PER_MINUTE, 60)


def spend_join(request: HttpRequest) -> None:
    """Charge a join (with a right code or link) to the device and the address."""
    spend(
        Budget(f"joins:d:{_device_key(request)}", settings.LABB_JOINS_PER_DEVICE, JOIN_WINDOW),
        Budget(f"joins:a:{_address_key(request)}", settings.LABB_JOINS_PER_ADDRESS, JOIN_WINDOW),
    )


# --- Open streams ---------------------------------------------------------------------------


@dataclass
class StreamSlot:
    """One of a device's stream slots, held while its stream is open."""

    key: str
    token: str
    ttl: int

    def refresh(self) -> None:
        if not self.key:
            return
        with contextlib.suppress(*CACHE_ERRORS):
            cache.touch(self.key, self.ttl)

    def release(self) -> None:
        if not self.key:
            return
        with contextlib.suppress(*CACHE_ERRORS):
            if cache.get(self.key) == self.token:
                cache.delete(self.key)


def slot_ttl() -> int:
    return SLOT_TTL_KEEPALIVES * max(1, settings.LABB_STREAM_KEEPALIVE)


def stream_slot_take(request: HttpRequest) -> StreamSlot | None:
    """A free stream slot for this device, or None if all its slots are held.

    With the cache down the stream is let through with a slot that holds nothing.
    """
    device = _device_key(request)
    token = uuid.uuid4().hex
    ttl = slot_ttl()
    for index in range(settings.LABB_STREAMS_PER_DEVICE):
        key = f"limit:streams:{device}:{index}"
        try:
            if cache.add(key, token, timeout=ttl):
                return StreamSlot(key=key, token=token, ttl=ttl)
        except CACHE_ERRORS:
            logger.warning("Stream limits unavailable (cache down); stream let through")
            return StreamSlot(key="", token=token, ttl=ttl)
    return None
