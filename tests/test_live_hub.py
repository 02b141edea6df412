"""The live hub (labb/live.py): one Redis pattern subscription per process, fanned out to an
asyncio.Queue per open stream; the in-process backend without Redis.

Real Redis (the tests' REDIS_URL); each test runs its own event loop with asyncio.run.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import pytest
import redis

from labb import live

WORKSHOP = 9_000_001  # far from the ids of rows other tests make


def _payload(event_id: int, workshop_id: int = WORKSHOP, kind="board", group_id=None, name="note"):
    return {
        "id": event_id,
        "topic": workshop_id,
        "name": name,
        "data": {"for": kind, "group_id": group_id},
    }


@dataclass(frozen=True)
class Wants:
    """A listener as the app gives one: the hub asks it, knows nothing of what it means."""

    kind: str
    group_id: int | None = None

    def wants(self, data: dict) -> bool:
        return data["for"] in (self.kind, "all") and data["group_id"] in (None, self.group_id)


async def _get(queue: asyncio.Queue, timeout: float = 5.0):
    async with asyncio.timeout(timeout):
        return await queue.get()


async def _nothing_on(queue: asyncio.Queue, seconds: float = 0.4) -> bool:
    try:
        async with asyncio.timeout(seconds):
            await queue.get()
    except TimeoutError:
        return True
    return False


@pytest.fixture
def redis_backend(settings):
    assert settings.REDIS_URL, "these tests need Redis"
    live.reset_backend()
    yield live.get_backend()
    live.reset_backend()


@pytest.fixture
def local_backend(settings):
    settings.REDIS_URL = ""
    live.reset_backend()
    yield live.get_backend()
    live.reset_backend()


def _pattern_subscribers(url: str) -> list[dict]:
    client = redis.Redis.from_url(url)
    db = client.connection_pool.connection_kwargs.get("db", 0)
    try:
        return [c for c in client.client_list() if int(c["db"]) == db and int(c["psub"]) > 0]
    finally:
        client.close()


# --- Frames ---------------------------------------------------------------------------------


def test_a_frame_has_an_id_an_event_name_and_one_data_line_per_line():
    frame = live.encode_frame(42, "note", "<div>\n  <p>två rader</p>\n</div>")
    assert (
        frame
        == ("id: 42\nevent: note\ndata: <div>\ndata:   <p>två rader</p>\ndata: </div>\n\n").encode()
    )


def test_a_frame_splits_data_only_where_an_eventsource_ends_a_line():
    """An EventSource ends lines at CR, LF and CRLF only. Characters that Python's
    splitlines() also breaks at (line and paragraph separators, vertical tab, form feed,
    NEL, file/group/record separators) are text: split there, a note's text arrives changed
    on the live board (a line break where the note had none) and differs from the page."""
    text = "a\u2028b\u2029c\x0bd\x0ce\x1cf\x1dg\x1eh\x85i"
    frame = live.encode_frame(7, "note", f"<p>{text}</p>\nnext\r\nlast\rend")
    assert (
        frame
        == f"id: 7\nevent: note\ndata: <p>{text}</p>\ndata: next\ndata: last\ndata: end\n\n".encode()
    )


def test_a_frame_without_an_id_or_data_is_still_a_complete_event():
    assert live.encode_frame(None, "hello", "") == b"event: hello\ndata: \n\n"


# --- The hub --------------------------------------------------------------------------------


def test_the_hub_hands_a_message_only_to_the_streams_that_want_it(local_backend):
    asked: list[Wants] = []

    class Counted(Wants):
        def wants(self, data: dict) -> bool:
            asked.append(self)
            return super().wants(data)

    async def scenario():
        hub = live.Hub()
        board = hub.subscribe(WORKSHOP, Counted("board"))
        phone_1 = hub.subscribe(WORKSHOP, Counted("phones", 1))
        phones_2 = [hub.subscribe(WORKSHOP, Counted("phones", 2)) for _n in range(3)]
        elsewhere = hub.subscribe(WORKSHOP + 1, Counted("board"))
        everything = hub.subscribe(WORKSHOP)
        hub.dispatch(live.Message.from_dict(_payload(1, kind="board")))
        hub.dispatch(live.Message.from_dict(_payload(2, kind="phones", group_id=2)))
        hub.dispatch(live.Message.from_dict(_payload(3, kind="all")))
        got = {}
        queues = [("board", board), ("p1", phone_1), ("x", elsewhere), ("any", everything)]
        queues += [(f"p2-{n}", queue) for n, queue in enumerate(phones_2)]
        for name, queue in queues:
            got[name] = [queue.get_nowait().id for _n in range(queue.qsize())]
        return got

    assert asyncio.run(scenario()) == {
        "board": [1, 3],
        "p1": [3],
        "x": [],
        "any": [1, 2, 3],
        "p2-0": [2, 3],
        "p2-1": [2, 3],
        "p2-2": [2, 3],
    }
    # Equal listeners are asked once per message, not once per stream.
    assert len(asked) == 3 * 3


def test_a_stream_that_falls_behind_loses_its_backlog_and_is_told_to_resync(local_backend):
    async def scenario():
        hub = live.Hub()
        queue = hub.subscribe(WORKSHOP)
        for event_id in range(live.QUEUE_SIZE + 5):
            hub.dispatch(live.Message.from_dict(_payload(event_id)))
        return [queue.get_nowait() for _n in range(queue.qsize())]

    items = asyncio.run(scenario())
    # Nothing from before the overflow is left; what came after it follows the resync.
    assert items[0] is live.RESYNC
    assert [m.id for m in items[1:]] == list(range(live.QUEUE_SIZE + 1, live.QUEUE_SIZE + 5))


def test_a_closed_stream_is_forgotten(local_backend):
    async def scenario():
        hub = live.Hub()
        queues = [hub.subscribe(WORKSHOP) for _n in range(3)]
        hub.unsubscribe(WORKSHOP, queues[0])
        counts = [hub.stream_count()]
        for queue in queues[1:]:
            hub.unsubscribe(WORKSHOP, queue)
        counts.append(hub.stream_count())
        return counts, WORKSHOP in hub.streams, hub.listeners

    assert asyncio.run(scenario()) == ([2, 0], False, {})


def test_without_redis_a_publish_from_a_worker_thread_reaches_the_streams(local_backend):
    async def scenario():
        queue = live.hub.subscribe(WORKSHOP, Wants("board"))
        try:
            # Views run in threads (sync_to_async); on_commit publishes from there.
            thread = threading.Thread(target=live.publish, args=(_payload(7),))
            thread.start()
            thread.join()
            message = await _get(queue)
            return message
        finally:
            live.hub.unsubscribe(WORKSHOP, queue)

    message = asyncio.run(scenario())
    assert message == live.Message(
        id=7, topic=WORKSHOP, name="note", data={"for": "board", "group_id": None}
    )


# --- Through Redis --------------------------------------------------------------------------


def test_one_pattern_subscription_serves_every_stream_of_the_process(redis_backend, settings):
    async def scenario():
        hub = live.Hub()
        queues = {w: [hub.subscribe(w) for _n in range(10)] for w in range(WORKSHOP, WORKSHOP + 4)}
        first = queues[WORKSHOP][0]
        assert await _get(first) is live.RESYNC  # subscribed: catch up from the database
        for stream_queues in queues.values():
            for queue in stream_queues:
                while not queue.empty():
                    queue.get_nowait()
        subscribers = await asyncio.to_thread(_pattern_subscribers, settings.REDIS_URL)
        await asyncio.to_thread(live.publish, _payload(11, workshop_id=WORKSHOP + 2))
        received = [(await _get(q)).id for q in queues[WORKSHOP + 2]]
        await asyncio.sleep(0.3)
        others = [q.qsize() for w, qs in queues.items() if w != WORKSHOP + 2 for q in qs]
        return len(subscribers), received, others

    subscribers, received, others = asyncio.run(scenario())
    assert subscribers == 1
    assert received == [11] * 10
    assert others == [0] * 30


def test_instances_on_other_redis_databases_do_not_hear_each_other(redis_backend, settings):
    other_url = (
        settings.REDIS_URL.rsplit("/", 1)[0]
        + "/"
        + ("9" if not settings.REDIS_URL.endswith("/9") else "10")
    )
    other_instance = live.RedisBackend(other_url)

    async def scenario():
        hub = live.Hub()
        queue = hub.subscribe(WORKSHOP)
        assert await _get(queue) is live.RESYNC
        await asyncio.to_thread(other_instance.publish, _payload(21))
        quiet = await _nothing_on(queue, 0.5)
        await asyncio.to_thread(live.publish, _payload(22))
        return quiet, (await _get(queue)).id

    assert asyncio.run(scenario()) == (True, 22)


def test_after_losing_redis_the_listener_resubscribes_and_streams_catch_up(redis_backend, settings):
    async def scenario():
        hub = live.Hub()
        queue = hub.subscribe(WORKSHOP)
        assert await _get(queue) is live.RESYNC
        # Cut this process's subscription, as a Redis restart or network blip would.
        subscribers = await asyncio.to_thread(_pattern_subscribers, settings.REDIS_URL)
        assert len(subscribers) == 1
        admin = redis.Redis.from_url(settings.REDIS_URL)
        await asyncio.to_thread(admin.client_kill_filter, _id=subscribers[0]["id"])
        admin.close()
        # Whatever was published meanwhile is in the database; the stream is told to look.
        resync = await _get(queue, timeout=10)
        await asyncio.to_thread(live.publish, _payload(31))
        return resync, (await _get(queue)).id

    resync, event_id = asyncio.run(scenario())
    assert resync is live.RESYNC
    assert event_id == 31
