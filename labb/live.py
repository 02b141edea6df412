"""Live fan-out: one upstream subscription per process, an asyncio.Queue per open stream.

A generic pub/sub hub: it knows topics (integers), event ids and listeners that say what
they want, and nothing of what the app publishes (the app's live package does that).

Writers call `publish()` (normally from `transaction.on_commit`). With `REDIS_URL` the
message goes through Redis pub/sub, so a message published by process A reaches the
streams held by process B; each process keeps exactly one pattern subscription however many streams
it serves. Without Redis an in-process broker hands the message straight to the event loop
of this (single) server process.

Redis pub/sub is at-most-once. The app keeps the truth in its database (every message is
a stored row first, with an ordered id), and a stream that may have missed something
(reconnect, Redis outage, a queue that overflowed) gets `RESYNC` and catches up from there
by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import threading
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "labb:live:"
QUEUE_SIZE = 500


class Listener(Protocol):
    """What a stream wants, decided by the app. Streams with equal listeners share one
    decision per message."""

    def __hash__(self) -> int: ...

    def wants(self, data: dict) -> bool: ...


@dataclass(frozen=True, slots=True)
class Message:
    """ "Event `id` happened on `topic`": the app's `data` (ids and fields), not HTML."""

    id: int
    topic: int
    name: str
    data: dict

    @classmethod
    def from_dict(cls, payload: dict) -> Message:
        return cls(
            id=payload["id"],
            topic=payload["topic"],
            name=payload["name"],
            data=payload.get("data") or {},
        )


class Resync:
    """Put on a stream's queue when it may have missed messages: it reloads from the DB."""


RESYNC = Resync()


# Where an EventSource ends a line. Not str.splitlines(): that also breaks at U+2028,
# U+2029, NEL, VT, FF and FS/GS/RS, which a browser keeps as text, so a text holding one
# would arrive on a live page with a line break it does not have.
_SSE_LINE_END = re.compile(r"\r\n|\r|\n")


def encode_frame(event_id: int | None, name: str, data: str) -> bytes:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.insert(0, f"id: {event_id}")
    data_lines = _SSE_LINE_END.split(data)
    if len(data_lines) > 1 and data_lines[-1] == "":
        data_lines.pop()  # a final line ending ends the last line; it starts no new one
    lines.extend(f"data: {line}" for line in data_lines)
    return ("\n".join(lines) + "\n\n").encode()


class Hub:
    """This process's open streams, by topic and by listener."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.streams: dict[int, dict[Listener | None, set[asyncio.Queue]]] = {}
        self.listeners: dict[asyncio.Queue, Listener | None] = {}
        self._listener: asyncio.Task | None = None

    def subscribe(self, topic: int, listener: Listener | None = None) -> asyncio.Queue:
        """A queue for one stream of `topic`; `listener` (None: everything) picks what it
        gets. Filtering here, not in the stream loop, means a message does not wake the
        streams that do not want it: waking a stream costs ~60-90 µs of CPU, so at 1,000
        streams that was the whole budget. The decision is made once per distinct listener,
        not once per stream."""
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            # A new event loop (tests start several): forget streams of the old one.
            self.loop = loop
            self.streams = {}
            self.listeners = {}
            self._listener = None
        queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.streams.setdefault(topic, {}).setdefault(listener, set()).add(queue)
        self.listeners[queue] = listener
        backend = get_backend()
        if self._listener is None or self._listener.done():
            self._listener = backend.start_listener(self)
        return queue

    def unsubscribe(self, topic: int, queue: asyncio.Queue) -> None:
        listener = self.listeners.pop(queue, None)
        by_listener = self.streams.get(topic)
        if by_listener is None:
            return
        queues = by_listener.get(listener)
        if queues is not None:
            queues.discard(queue)
            if not queues:
                del by_listener[listener]
        if not by_listener:
            del self.streams[topic]

    def stream_count(self) -> int:
        return len(self.listeners)

    def dispatch(self, message: Message) -> None:
        for listener, queues in self.streams.get(message.topic, {}).items():
            if listener is not None and not listener.wants(message.data):
                continue
            for queue in queues:
                _offer(queue, message)

    def resync_all(self) -> None:
        for by_listener in self.streams.values():
            for queues in by_listener.values():
                for queue in queues:
                    _offer(queue, RESYNC)


def _offer(queue: asyncio.Queue, item: Message | Resync) -> None:
    try:
        queue.put_nowait(item)
    except asyncio.QueueFull:
        # A stream that cannot keep up loses its backlog and reloads from the database.
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(RESYNC)


hub = Hub()


class LocalBackend:
    """In-process broker for a single server process (the embedded default)."""

    def publish(self, payload: dict) -> None:
        loop = hub.loop
        if loop is None or loop.is_closed():
            return
        message = Message.from_dict(payload)
        with contextlib.suppress(RuntimeError):  # loop closed between check and call
            loop.call_soon_threadsafe(hub.dispatch, message)

    def start_listener(self, hub: Hub) -> asyncio.Task | None:
        return None


class RedisBackend:
    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self._client = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30
        )
        # Pub/sub channels are global to a Redis server, not per database: name them by the
        # database number so two Labb instances sharing a server (redis/0 and redis/1) never
        # receive each other's events (topic ids collide across instances).
        db = self._client.connection_pool.connection_kwargs.get("db", 0)
        self.channel_prefix = f"{CHANNEL_PREFIX}{db}:"

    def publish(self, payload: dict) -> None:
        import redis

        try:
            self._client.publish(f"{self.channel_prefix}{payload['topic']}", json.dumps(payload))
        except redis.RedisError:
            # The change is saved and stored by the app; streams catch up from the
            # database when their listener reconnects to Redis.
            logger.warning("Live publish failed; streams will catch up after reconnect")

    def start_listener(self, hub: Hub) -> asyncio.Task:
        return asyncio.get_running_loop().create_task(self._listen(hub), name="labb-live")

    async def _listen(self, hub: Hub) -> None:
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError

        delay = 0.2
        first = True
        while True:
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(f"{self.channel_prefix}*")
                    delay = 0.2
                    async for item in pubsub.listen():
                        if item["type"] == "psubscribe":
                            # Subscribed (again): whatever was published before this moment
                            # went past us, so every open stream catches up from the database.
                            if not first:
                                logger.info("Live listener reconnected to Redis")
                            first = False
                            hub.resync_all()
                            continue
                        if item["type"] != "pmessage":
                            continue
                        try:
                            message = Message.from_dict(json.loads(item["data"]))
                        except (ValueError, KeyError):
                            logger.exception("Malformed live message ignored")
                            continue
                        hub.dispatch(message)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                logger.warning("Live listener lost Redis (%s); retrying in %.1fs", exc, delay)
                first = False
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


_backend: LocalBackend | RedisBackend | None = None
_backend_lock = threading.Lock()


def get_backend() -> LocalBackend | RedisBackend:
    global _backend
    with _backend_lock:
        if _backend is None:
            _backend = RedisBackend(settings.REDIS_URL) if settings.REDIS_URL else LocalBackend()
        return _backend


def reset_backend() -> None:
    """Forget the configured backend (tests change REDIS_URL)."""
    global _backend
    with _backend_lock:
        _backend = None


def publish(payload: dict) -> None:
    """Publish `{"id", "topic", "name", "data"}` to every process's streams of `topic`."""
    get_backend().publish(payload)
