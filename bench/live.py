"""The live loop under load: phones join by code, hold their streams open and post notes;
the facilitator's screens show them. One command:

    uv run python -m bench.live --participants 50,200,500,1000 --rate 10,50 --workers 2

It recreates its own PostgreSQL database (`--db`, default labb_bench), flushes Redis db 6,
migrates, seeds, starts `python -m labb.serve --workers N` (ASGI, everything) on `--port`
and drives it from one asyncio process (aiohttp, raw SSE parsing). `--interface split` starts
the production layout instead (docker-compose.yml): a WSGI server (granian, `--workers`
processes of `--threads` threads) on `--port` for joins, pages and posts, and an ASGI server
(`--live-workers` processes) on `--live-port` for the streams; the load generator is the
proxy, sending every stream request to the ASGI port. Results: a markdown table on stdout,
`bench/results/<timestamp>.json`, `latest.json` and `latest.md`. `--compare old.json`
prints new/old ratios. See docs/benchmarks.md for what each figure means.

What is measured, per (participants N, aggregate note rate):
- join: GET /j/<code>/, POST the join form, GET the phone page (what a phone does).
- post: POST /p/<pk>/notes/ (HX-Request: true) until the response arrives.
- note→screen: from just before the post is sent until the note's event is parsed on a
  facilitator screen (board stream, `--screens` per workshop). Phones do not get note
  events in Labb (notes go to the `board` audience), so:
- phone event: the facilitator re-opens the workshop for notes (`status` event, audience
  `all`) every `--phone-event-interval` s; from the POST leaving to arrival on every phone.
- lost / duplicated: every acknowledged note is looked up in the database (id and client
  id) and must arrive exactly once on every screen of its workshop; every phone event
  exactly once on every phone stream.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench import stack
from tests.support.database import postgres_url

RESULTS = stack.ROOT / "bench" / "results"
NOTE_ID = re.compile(rb'data-note-id="(\d+)"')
PHONE_NOTE_ID = re.compile(rb'<li class="own-note[^"]*" id="pnote-(\d+)"')
OWN_NOTE_ID = re.compile(r'id="own-note-(\d+)"')
WORDS = [
    "vi",
    "behöver",
    "mer",
    "tid",
    "för",
    "samverkan",
    "mellan",
    "förvaltningar",
    "och",
    "bättre",
    "stöd",
    "till",
    "föreningar",
]


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else None,
    }


# --- Streams ---------------------------------------------------------------------------


@dataclass(eq=False)
class Stream:
    kind: str  # "board" or "phone"
    workshop_id: int
    url: str
    cookie: str
    group_id: int | None = None  # a phone's group: it gets its group's notes after the reveal
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    notes: dict[int, list[float]] = field(default_factory=dict)
    # Status events in order of arrival. They cannot be told apart by their `id:` line: a
    # stream delivers an event published late (after a newer id, from another process) with
    # the newest id it sent instead of its own (workshops/views/stream.py, `_with_id`), so
    # the browser's Last-Event-ID never goes back. The facilitator's status POSTs are
    # sent one after the other, so the k-th status event on a stream answers the k-th POST.
    status_arrivals: list[float] = field(default_factory=list)
    statuses: dict[int, list[float]] = field(default_factory=dict)  # by `id:`, diagnostics
    late_statuses: int = 0  # status frames with an id this stream had already been sent
    seen_ids: set[int] = field(default_factory=set)
    reloads: int = 0
    error: str | None = None
    task: asyncio.Task | None = None

    def on_frame(self, frame: bytes, now: float) -> None:
        event_id = None
        name = b"message"
        for line in frame.split(b"\n", 2)[:2]:
            if line.startswith(b"id: "):
                event_id = int(line[4:])
            elif line.startswith(b"event: "):
                name = line[7:]
        late = event_id is not None and event_id in self.seen_ids
        if event_id is not None:
            self.seen_ids.add(event_id)
        if name == b"note":
            pattern = NOTE_ID if self.kind == "board" else PHONE_NOTE_ID
            for match in pattern.finditer(frame):
                self.notes.setdefault(int(match.group(1)), []).append(now)
        elif name == b"status" and event_id is not None:
            self.status_arrivals.append(now)
            self.statuses.setdefault(event_id, []).append(now)
            self.late_statuses += late
        elif name == b"reload":
            self.reloads += 1

    async def run(self, session) -> None:
        import aiohttp

        timeout = aiohttp.ClientTimeout(total=None, sock_read=None, connect=60)
        headers = {"Cookie": self.cookie, "Accept": "text/event-stream"}
        perf = time.perf_counter
        try:
            async with session.get(self.url, headers=headers, timeout=timeout) as response:
                if response.status != 200:
                    self.error = f"HTTP {response.status}"
                    self.connected.set()
                    return
                buffer = b""
                async for chunk in response.content.iter_any():
                    now = perf()
                    buffer += chunk
                    while (end := buffer.find(b"\n\n")) >= 0:
                        frame, buffer = buffer[:end], buffer[end + 2 :]
                        if frame.startswith(b"retry:"):
                            self.connected.set()
                        else:
                            self.on_frame(frame, now)
                self.error = "closed by server"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure is a counted error
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.connected.set()


# --- Participants ----------------------------------------------------------------------


@dataclass
class Phone:
    workshop: dict
    group_id: int
    name: str
    csrf: str = ""
    cookie: str = ""


async def join(session, phone: Phone, errors: dict) -> float | None:
    code, wid = phone.workshop["code"], phone.workshop["id"]
    started = time.perf_counter()
    try:
        async with session.get(f"/j/{code}/") as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"join page HTTP {response.status}")
            phone.csrf = response.cookies["csrftoken"].value
        form = {
            "display_name": phone.name,
            "group": str(phone.group_id),
            "csrfmiddlewaretoken": phone.csrf,
        }
        async with session.post(
            f"/j/{code}/",
            data=form,
            headers={"Cookie": f"csrftoken={phone.csrf}"},
            allow_redirects=False,
        ) as response:
            await response.read()
            if response.status != 302:
                raise RuntimeError(f"join post HTTP {response.status}")
            session_id = response.cookies["sessionid"].value
        phone.cookie = f"csrftoken={phone.csrf}; sessionid={session_id}"
        async with session.get(f"/p/{wid}/", headers={"Cookie": phone.cookie}) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"phone page HTTP {response.status}")
    except Exception as exc:  # noqa: BLE001
        key = f"join: {type(exc).__name__}: {exc}"[:120]
        errors[key] = errors.get(key, 0) + 1
        return None
    return (time.perf_counter() - started) * 1000


@dataclass
class Acked:
    note_id: int
    client_id: str
    workshop_id: int
    group_id: int
    sent: float


MAX_ATTEMPTS = 20


async def post_note(session, phone: Phone, window: Window) -> None:
    """Post one note as the phone's outbox does: a 429 or 503 is not a failure but "later":
    wait `Retry-After` and send it again with the same client id. Post latency is each
    answer's; the note's delivery latency runs from its first attempt."""
    client_id = str(uuid.uuid4())
    text = " ".join(random.choices(WORDS, k=random.randint(3, 9)))
    data = {
        "column": str(random.choice(phone.workshop["columns"])),
        "text": text,
        "client_id": client_id,
    }
    headers = {"Cookie": phone.cookie, "X-CSRFToken": phone.csrf, "HX-Request": "true"}
    first_sent = time.perf_counter()
    for _attempt in range(MAX_ATTEMPTS):
        sent = time.perf_counter()
        try:
            async with session.post(
                f"/p/{phone.workshop['id']}/notes/", data=data, headers=headers
            ) as response:
                body = await response.text()
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except Exception as exc:  # noqa: BLE001
            window.error(f"post: {type(exc).__name__}")
            return
        window.post_ms.append((time.perf_counter() - sent) * 1000)
        if status in (429, 503):
            window.deferred[status] = window.deferred.get(status, 0) + 1
            await asyncio.sleep(float(retry_after or 1) * random.uniform(1.0, 1.5))
            continue
        match = OWN_NOTE_ID.search(body)
        if status not in (200, 201) or match is None:
            window.error(f"post: HTTP {status}")
            return
        window.acked.append(
            Acked(int(match.group(1)), client_id, phone.workshop["id"], phone.group_id, first_sent)
        )
        return
    window.error("post: gave up after retries")


async def reopen(session, workshop: dict, facilitator: dict, window: Window) -> None:
    csrf = facilitator["csrf"]
    headers = {
        "Cookie": f"csrftoken={csrf}; sessionid={facilitator['sessionid']}",
        "X-CSRFToken": csrf,
    }
    sent = time.perf_counter()
    try:
        async with session.post(
            f"/workshops/{workshop['id']}/accepting/",
            data={"accepting": "1"},
            headers=headers,
            allow_redirects=False,
        ) as response:
            await response.read()
            status = response.status
    except Exception as exc:  # noqa: BLE001
        window.error(f"status: {type(exc).__name__}")
        return
    if status != 302:
        window.error(f"status: HTTP {status}")
        return
    window.status_sent.setdefault(workshop["id"], []).append(sent)


# --- One measured window -----------------------------------------------------------------


@dataclass
class Window:
    post_ms: list[float] = field(default_factory=list)
    acked: list[Acked] = field(default_factory=list)
    status_sent: dict[int, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    deferred: dict[int, int] = field(default_factory=dict)  # 429/503 answers, sent again

    def error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1


class Sampler:
    """CPU and RSS of the server workers and of this process over a window."""

    def __init__(self, pids: list[int]) -> None:
        import psutil

        self.procs = [psutil.Process(pid) for pid in pids]
        self.me = psutil.Process()
        self.rss_max = [0] * len(self.procs)
        self._task: asyncio.Task | None = None

    def _cpu(self) -> list[float]:
        times = [p.cpu_times() for p in [*self.procs, self.me]]
        return [t.user + t.system for t in times]

    async def _sample(self) -> None:
        while True:
            for index, proc in enumerate(self.procs):
                self.rss_max[index] = max(self.rss_max[index], proc.memory_info().rss)
            await asyncio.sleep(0.5)

    def start(self) -> None:
        self.wall, self.cpu = time.perf_counter(), self._cpu()
        self.load_before = os.getloadavg()
        self._task = asyncio.get_running_loop().create_task(self._sample())

    def stop(self) -> dict:
        self._task.cancel()
        wall = time.perf_counter() - self.wall
        used = [(b - a) / wall * 100 for a, b in zip(self.cpu, self._cpu(), strict=True)]
        for index, proc in enumerate(self.procs):
            self.rss_max[index] = max(self.rss_max[index], proc.memory_info().rss)
        return {
            "server_cpu_pct": [round(x, 1) for x in used[:-1]],
            "server_rss_mb": [round(x / 2**20, 1) for x in self.rss_max],
            "loadgen_cpu_pct": round(used[-1], 1),
            "loadavg_before": [round(x, 2) for x in self.load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        }


async def run_window(
    session,
    *,
    phones: list[Phone],
    workshops: list[dict],
    facilitator: dict,
    streams: list[Stream],
    rate: float,
    duration: float,
    phone_event_interval: float,
    pids: list[int],
    drain: float,
) -> dict:
    for stream in streams:
        stream.notes.clear()
        stream.statuses.clear()
        stream.status_arrivals.clear()
        stream.late_statuses = 0
    window = Window()
    sampler = Sampler(pids)
    sampler.start()
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks: set[asyncio.Task] = set()

    async def phone_events() -> None:
        count = int(duration / phone_event_interval)
        for index in range(count):
            await asyncio.sleep(
                max(0.0, start + (index + 0.5) * phone_event_interval - loop.time())
            )
            await asyncio.gather(*(reopen(session, w, facilitator, window) for w in workshops))

    status_task = loop.create_task(phone_events())
    total = int(rate * duration)
    order = list(range(len(phones)))
    random.shuffle(order)
    for index in range(total):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = loop.create_task(post_note(session, phones[order[index % len(order)]], window))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.wait(set(tasks))
    await status_task
    posting_wall = loop.time() - start

    # Drain: wait until every acknowledged note and event arrived everywhere (or time out).
    by_workshop: dict[int, list[Stream]] = {}
    by_group: dict[tuple[int, int | None], list[Stream]] = {}
    for stream in streams:
        by_workshop.setdefault((stream.workshop_id, stream.kind), []).append(stream)
        if stream.kind == "phone":
            by_group.setdefault((stream.workshop_id, stream.group_id), []).append(stream)
    # Every (note, stream) that should get it: each screen of its workshop, each phone of
    # its group. Checked as a shrinking list: 1,000 phones x 500 notes is 500,000 pairs.
    pending = [
        (note.note_id, stream)
        for note in window.acked
        for stream in (
            *by_workshop.get((note.workshop_id, "board"), []),
            *by_group.get((note.workshop_id, note.group_id), []),
        )
    ]
    deadline = loop.time() + drain
    drain_started = loop.time()
    while loop.time() < deadline:
        pending = [(note_id, s) for note_id, s in pending if note_id not in s.notes]
        statuses_done = all(
            len(stream.status_arrivals) >= len(window.status_sent.get(stream.workshop_id, []))
            for stream in streams
            if stream.kind == "phone"
        )
        if not pending and statuses_done:
            break
        await asyncio.sleep(0.1)
    drained_s = loop.time() - drain_started
    resources = sampler.stop()

    # Notes: latency per delivery and per note (on every screen), lost and duplicated.
    deliveries, to_all, lost, duplicated = [], [], 0, 0
    for note in window.acked:
        latest = None
        for stream in by_workshop.get((note.workshop_id, "board"), []):
            arrivals = stream.notes.get(note.note_id)
            if not arrivals:
                lost += 1
                continue
            duplicated += len(arrivals) - 1
            ms = (arrivals[0] - note.sent) * 1000
            deliveries.append(ms)
            latest = ms if latest is None else max(latest, ms)
        if latest is not None:
            to_all.append(latest)

    # Notes on the phones of the note's group (`pnote-<id>`), per delivery and per note.
    to_phone, to_all_phones, phone_note_lost, phone_note_dup = [], [], 0, 0
    for note in window.acked:
        latest = None
        for stream in by_group.get((note.workshop_id, note.group_id), []):
            arrivals = stream.notes.get(note.note_id)
            if not arrivals:
                phone_note_lost += 1
                continue
            phone_note_dup += len(arrivals) - 1
            ms = (arrivals[0] - note.sent) * 1000
            to_phone.append(ms)
            latest = ms if latest is None else max(latest, ms)
        if latest is not None:
            to_all_phones.append(latest)

    # Phone events: the k-th status event on a phone stream answers its workshop's k-th
    # POST (see `Stream.status_arrivals`).
    phone_deliveries, phone_all, phone_lost, phone_dup = [], [], 0, 0
    for workshop in workshops:
        sent = window.status_sent.get(workshop["id"], [])
        phone_streams = by_workshop.get((workshop["id"], "phone"), [])
        latest_per_event: list[float | None] = [None] * len(sent)
        for stream in phone_streams:
            arrivals = stream.status_arrivals
            phone_lost += max(0, len(sent) - len(arrivals))
            phone_dup += max(0, len(arrivals) - len(sent))
            for index, (arrived, sent_at) in enumerate(zip(arrivals, sent, strict=False)):
                ms = (arrived - sent_at) * 1000
                phone_deliveries.append(ms)
                latest = latest_per_event[index]
                latest_per_event[index] = ms if latest is None else max(latest, ms)
        phone_all.extend(ms for ms in latest_per_event if ms is not None)

    # The harness's earlier rule, kept to show what it got wrong: match status events by
    # their `id:` line. An event delivered late carries another event's id, so its own id
    # is "seen by no stream" and counted lost on every phone.
    by_id_lost = 0
    for workshop in workshops:
        sent = window.status_sent.get(workshop["id"], [])
        phone_streams = by_workshop.get((workshop["id"], "phone"), [])
        ids = sorted(
            {i for s in by_workshop.get((workshop["id"], "board"), []) for i in s.statuses}
        )
        ids = sorted(set(ids) | {i for s in phone_streams for i in s.statuses})
        for event_id, _sent_at in zip(ids, sent, strict=False):
            by_id_lost += sum(1 for stream in phone_streams if event_id not in stream.statuses)
        by_id_lost += max(0, len(sent) - len(ids)) * len(phone_streams)

    return {
        "posting_wall_s": round(posting_wall, 2),
        "notes_acked": len(window.acked),
        "notes_per_s": round(len(window.acked) / posting_wall, 1),
        "post_ms": summary(window.post_ms),
        "note_to_screen_ms": summary(deliveries),
        "note_to_all_screens_ms": summary(to_all),
        "phone_event_ms": summary(phone_deliveries),
        "phone_event_all_ms": summary(phone_all),
        "note_to_phone_ms": summary(to_phone),
        "note_to_all_phones_ms": summary(to_all_phones),
        "phone_events_sent": sum(len(v) for v in window.status_sent.values()),
        "lost": lost,
        "duplicated": duplicated,
        "phone_lost": phone_lost + phone_note_lost,
        "phone_duplicated": phone_dup + phone_note_dup,
        "phone_note_lost": phone_note_lost,
        "phone_status_lost": phone_lost,
        "phone_status_lost_by_frame_id": by_id_lost,
        "late_status_frames": sum(s.late_statuses for s in streams if s.kind == "phone"),
        "drained_s": round(drained_s, 2),
        "errors": window.errors,
        "deferred": window.deferred,
        "acked": [(a.note_id, a.client_id) for a in window.acked],
        **resources,
    }


# --- One size N ----------------------------------------------------------------------------


async def run_size(args, *, n: int, seeded: dict, keys: list[str], pids: list[int]) -> dict:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0, limit_per_host=0, force_close=False)
    base = f"http://127.0.0.1:{args.port}"
    # Streams go to the ASGI server; in the split layout it is not the one on `base`.
    streams_at = f"http://127.0.0.1:{args.live_port}" if args.interface == "split" else ""
    async with aiohttp.ClientSession(
        base_url=base, connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        workshops = [seeded["workshops"][key] for key in keys]
        facilitator = {"sessionid": seeded["sessionid"], "csrf": uuid.uuid4().hex}
        streams: list[Stream] = []
        for workshop in workshops:
            for _ in range(args.screens):
                streams.append(
                    Stream(
                        "board",
                        workshop["id"],
                        f"{streams_at}/workshops/{workshop['id']}/stream/",
                        f"sessionid={facilitator['sessionid']}",
                    )
                )
        phones = [
            Phone(
                workshop=workshops[i % len(workshops)],
                group_id=workshops[i % len(workshops)]["groups"][
                    (i // len(workshops)) % len(workshops[i % len(workshops)]["groups"])
                ],
                name=f"Deltagare {i}",
            )
            for i in range(n)
        ]
        for stream in streams:
            stream.task = asyncio.create_task(stream.run(session))

        # Join: phones arrive `--join-concurrency` at a time, each opens its stream.
        join_errors: dict[str, int] = {}
        join_ms: list[float] = []
        semaphore = asyncio.Semaphore(args.join_concurrency)
        sampler = Sampler(pids)
        sampler.start()
        join_started = time.perf_counter()

        started_joins = 0
        warm_join_ms: list[float] = []

        async def one(phone: Phone) -> None:
            nonlocal started_joins
            async with semaphore:
                first = started_joins < 2 * args.join_concurrency
                started_joins += 1
                ms = await join(session, phone, join_errors)
            if ms is None:
                return
            join_ms.append(ms)
            if not first:
                warm_join_ms.append(ms)
            stream = Stream(
                "phone",
                phone.workshop["id"],
                f"{streams_at}/p/{phone.workshop['id']}/stream/",
                phone.cookie,
                group_id=phone.group_id,
            )
            stream.task = asyncio.create_task(stream.run(session))
            streams.append(stream)

        await asyncio.gather(*(one(phone) for phone in phones))
        await asyncio.wait_for(asyncio.gather(*(s.connected.wait() for s in streams)), timeout=120)
        join_wall = time.perf_counter() - join_started
        join_resources = sampler.stop()
        await asyncio.sleep(1.0)
        idle = Sampler(pids)
        idle.start()
        await asyncio.sleep(2.0)
        idle_resources = idle.stop()
        idle_resources["open_connections"] = open_connections(pids, {args.port, args.live_port})

        joined = [p for p in phones if p.cookie]
        runs = []

        async def windows_at(rate: float) -> list[dict]:
            at_rate = []
            for repeat in range(args.repeat):
                result = await run_window(
                    session,
                    phones=joined,
                    workshops=workshops,
                    facilitator=facilitator,
                    streams=streams,
                    rate=rate,
                    duration=args.duration,
                    phone_event_interval=args.phone_event_interval,
                    pids=pids,
                    drain=args.drain,
                )
                result.update({"participants": n, "rate": rate, "repeat": repeat})
                result["stream_errors"] = sum(1 for s in streams if s.error)
                result["reloads"] = sum(s.reloads for s in streams)
                at_rate.append(result)
                print(f"  N={n} rate={rate:g} #{repeat + 1}: {short(result)}", flush=True)
            runs.extend(at_rate)
            return at_rate

        ceiling = None
        if args.find_ceiling:
            ceiling = {"goal_ms": args.goal_ms, "sustainable": None, "broken_at": None}
            rate = args.rates[0]
            while rate <= args.max_rate:
                broken = goal_broken(await windows_at(rate), rate, args.goal_ms)
                if broken:
                    ceiling["broken_at"], ceiling["why"] = rate, broken
                    break
                ceiling["sustainable"] = rate
                rate = float(round(rate * args.ceiling_step))
            print(f"  N={n} ceiling: {ceiling}", flush=True)
        else:
            for rate in args.rates:
                await windows_at(rate)
        stream_errors = {}
        for stream in streams:
            if stream.error:
                stream_errors[stream.error[:120]] = stream_errors.get(stream.error[:120], 0) + 1
            stream.task.cancel()
        await asyncio.gather(*(s.task for s in streams), return_exceptions=True)
    return {
        "participants": n,
        "joined": len(joined),
        "streams": len(streams),
        "join_ms": summary(join_ms),
        # A restarted server's first joins pay for its cold start: at 200 phones the first
        # batch's join page took 5-7 s (each process's first requests: URLconf, templates,
        # pool connections), 5 % of the joins, enough to set the p95. Joins that started
        # after the first two batches (by start, not by finish) are counted apart.
        "join_ms_warm": summary(warm_join_ms),
        "join_wall_s": round(join_wall, 2),
        "join_errors": join_errors,
        "join_resources": join_resources,
        "idle_resources": idle_resources,
        "stream_errors": stream_errors,
        "ceiling": ceiling,
        "runs": runs,
    }


def open_connections(pids: list[int], ports: set[int]) -> list[int]:
    """Established client connections (to `ports`) held by each server process: with every
    stream open and nothing else in flight, how the streams spread over the workers."""
    import psutil

    counts = []
    for pid in pids:
        try:
            conns = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.Error:
            counts.append(-1)
            continue
        counts.append(
            sum(1 for c in conns if c.status == psutil.CONN_ESTABLISHED and c.laddr.port in ports)
        )
    return counts


def goal_broken(runs: list[dict], rate: float, goal_ms: float) -> str | None:
    """Why the windows at `rate` miss the goal (medians over the repeats), or None: post
    p95 and note → every screen p95 within `goal_ms`, the rate achieved, nothing lost,
    duplicated or failed (a 429 resent is not a failure, its latency counts)."""
    post = statistics.median(r["post_ms"]["p95"] or 0 for r in runs)
    to_all = statistics.median(r["note_to_all_screens_ms"]["p95"] or 0 for r in runs)
    achieved = statistics.median(r["notes_per_s"] for r in runs)
    failures = sum(
        r["lost"] + r["phone_lost"] + r["duplicated"] + r["phone_duplicated"] for r in runs
    ) + sum(sum(r["errors"].values()) for r in runs)
    if failures:
        return f"{failures} lost, duplicated or failed"
    if achieved < 0.95 * rate:
        return f"achieved {achieved} notes/s"
    if post > goal_ms:
        return f"post p95 {post:.0f} ms"
    if to_all > goal_ms:
        return f"note to every screen p95 {to_all:.0f} ms"
    return None


def short(result: dict) -> str:
    def f(x):
        return "-" if x is None else f"{x:.0f}"

    return (
        f"post p95 {f(result['post_ms']['p95'])} ms, note→all screens p95 "
        f"{f(result['note_to_all_screens_ms']['p95'])} ms, phone event p95 "
        f"{f(result['phone_event_ms']['p95'])} ms, note→all phones p95 "
        f"{f(result['note_to_all_phones_ms']['p95'])} ms, {result['notes_per_s']} notes/s, "
        f"lost {result['lost'] + result['phone_lost']}, dup "
        f"{result['duplicated'] + result['phone_duplicated']} (status by frame id: lost "
        f"{result['phone_status_lost_by_frame_id']}, late frames "
        f"{result['late_status_frames']}), drained {result['drained_s']} s, errors "
        f"{sum(result['errors'].values())}, cpu {result['server_cpu_pct']} rss "
        f"{result['server_rss_mb']} loadgen {result['loadgen_cpu_pct']}% load "
        f"{result['loadavg_after'][0]} stream errors {result.get('stream_errors')}"
    )


def db_check(db: str, acked: list[tuple[int, str]]) -> dict:
    """Every acknowledged note must be in the database with the client id it was sent with."""
    import psycopg

    with psycopg.connect(postgres_url({"NAME": db})) as conn:
        rows = dict(
            conn.execute(
                "SELECT id, client_id::text FROM workshops_note WHERE id = ANY(%s)",
                ([note_id for note_id, _ in acked],),
            ).fetchall()
        )
    missing = sum(1 for note_id, client_id in acked if rows.get(note_id) != client_id)
    ids = [note_id for note_id, _ in acked]
    return {"acked": len(acked), "missing_in_db": missing, "acked_twice": len(ids) - len(set(ids))}


# --- Aggregation and output ------------------------------------------------------------------


def median_of(runs: list[dict], *path: str) -> float | None:
    values = []
    for run in runs:
        value = run
        for key in path:
            value = value[key]
        if value is not None:
            values.append(value)
    return statistics.median(values) if values else None


def aggregate(size: dict, rate: float) -> dict:
    runs = [r for r in size["runs"] if r["rate"] == rate]
    out = {"participants": size["participants"], "rate": rate, "repeats": len(runs)}
    for metric in (
        "post_ms",
        "note_to_screen_ms",
        "note_to_all_screens_ms",
        "phone_event_ms",
        "phone_event_all_ms",
        "note_to_phone_ms",
        "note_to_all_phones_ms",
    ):
        out[metric] = {q: median_of(runs, metric, q) for q in ("p50", "p95", "p99")}
    out["notes_per_s"] = median_of(runs, "notes_per_s")
    out["lost"] = sum(r["lost"] + r["phone_lost"] for r in runs)
    out["duplicated"] = sum(r["duplicated"] + r["phone_duplicated"] for r in runs)
    out["errors"] = sum(sum(r["errors"].values()) for r in runs) + sum(
        r["stream_errors"] for r in runs
    )
    out["deferred"] = sum(sum(r.get("deferred", {}).values()) for r in runs)
    out["reloads"] = sum(r["reloads"] for r in runs)
    workers = len(runs[0]["server_cpu_pct"]) if runs else 0
    out["server_cpu_pct"] = [
        statistics.median(r["server_cpu_pct"][i] for r in runs) for i in range(workers)
    ]
    out["server_rss_mb"] = [max(r["server_rss_mb"][i] for r in runs) for i in range(workers)]
    out["loadgen_cpu_pct"] = median_of(runs, "loadgen_cpu_pct")
    out["loadavg"] = statistics.median(r["loadavg_after"][0] for r in runs) if runs else None
    return out


def _fmt(value, digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(result: dict) -> str:
    lines = [
        "| N | notes/s (target → achieved) | join p95 ms | post p50 / p95 / p99 ms "
        "| note→screen p50 / p95 / p99 ms | note→all screens p95 ms "
        "| note→all phones of the group p95 ms "
        "| phone event p50 / p95 / p99 ms | lost | dup | errors | sent again (429/503) "
        "| server CPU % per proc | server RSS MB per proc | load-gen CPU % | load avg |",
        "|" + "---|" * 16,
    ]
    for row in result["summary"]:
        size = next(s for s in result["sizes"] if s["participants"] == row["participants"])
        triple = "{} / {} / {}"
        lines.append(
            "| "
            + " | ".join(
                [
                    str(row["participants"]),
                    f"{row['rate']:g} → {_fmt(row['notes_per_s'], 1)}",
                    _fmt(size["join_ms"]["p95"]),
                    triple.format(*(_fmt(row["post_ms"][q], 1) for q in ("p50", "p95", "p99"))),
                    triple.format(
                        *(_fmt(row["note_to_screen_ms"][q], 1) for q in ("p50", "p95", "p99"))
                    ),
                    _fmt(row["note_to_all_screens_ms"]["p95"], 1),
                    _fmt(row["note_to_all_phones_ms"]["p95"], 1),
                    triple.format(
                        *(_fmt(row["phone_event_ms"][q], 1) for q in ("p50", "p95", "p99"))
                    ),
                    str(row["lost"]),
                    str(row["duplicated"]),
                    str(row["errors"]),
                    str(row.get("deferred", 0)),
                    " + ".join(f"{x:.0f}" for x in row["server_cpu_pct"]),
                    " / ".join(f"{x:.0f}" for x in row["server_rss_mb"]),
                    _fmt(row["loadgen_cpu_pct"]),
                    _fmt(row["loadavg"], 2),
                ]
            )
            + " |"
        )
    db = result.get("db_check")
    if db:
        lines.append("")
        lines.append(
            f"Database check: {db['acked']} acknowledged notes, {db['missing_in_db']} missing, "
            f"{db['acked_twice']} acknowledged twice."
        )
    if result.get("render"):
        lines.append("")
        lines.append("| board | notes | view | median ms | p90 ms | queries |")
        lines.append("|---|---|---|---|---|---|")
        for row in result["render"]:
            lines.append(
                f"| {row['board']} | {row['notes']} | {row['view']} | {row['median_ms']:.1f} "
                f"| {row['p90_ms']:.1f} | {row['queries']} |"
            )
    return "\n".join(lines)


COMPARED = [
    ("post p95", ("post_ms", "p95")),
    ("note→screen p95", ("note_to_screen_ms", "p95")),
    ("note→all p95", ("note_to_all_screens_ms", "p95")),
    ("phone event p95", ("phone_event_ms", "p95")),
]


def compare(new: dict, old: dict) -> str:
    """new/old ratios per (N, rate): above 1 is slower or bigger."""
    old_rows = {(r["participants"], r["rate"]): r for r in old.get("summary", [])}
    lines = [
        "| N | rate | " + " | ".join(name for name, _ in COMPARED) + " | CPU sum | RSS max |",
        "|" + "---|" * (len(COMPARED) + 4),
    ]
    for row in new["summary"]:
        before = old_rows.get((row["participants"], row["rate"]))
        if before is None:
            continue
        cells = []
        for _, (metric, q) in COMPARED:
            a, b = row[metric][q], before[metric][q]
            cells.append(f"{a / b:.2f}×" if a and b else "–")
        cpu = sum(row["server_cpu_pct"]) / max(sum(before["server_cpu_pct"]), 0.1)
        rss = max(row["server_rss_mb"]) / max(max(before["server_rss_mb"]), 0.1)
        lines.append(
            f"| {row['participants']} | {row['rate']:g} | "
            + " | ".join(cells)
            + f" | {cpu:.2f}× | {rss:.2f}× |"
        )
    render_old = {(r["board"], r["view"]): r for r in old.get("render", [])}
    for row in new.get("render", []):
        before = render_old.get((row["board"], row["view"]))
        if before:
            lines.append(
                f"\nrender {row['board']} {row['view']}: {row['median_ms'] / before['median_ms']:.2f}× "
                f"time, queries {before['queries']} → {row['queries']}"
            )
    return "\n".join(lines)


def machine() -> dict:
    import psutil

    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=stack.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def raise_file_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", default="50,200,500,1000")
    parser.add_argument("--rate", default="10,50", help="aggregate notes/s, comma separated")
    parser.add_argument("--workers", type=int, default=2, help="web server processes")
    parser.add_argument(
        "--interface",
        choices=["asgi", "split"],
        default="asgi",
        help="asgi: one ASGI server for everything; split: WSGI for pages and posts on --port,"
        " ASGI for the streams on --live-port",
    )
    parser.add_argument("--threads", type=int, help="split: WSGI threads per process")
    parser.add_argument("--live-port", type=int, help="split: the ASGI server's port (--port+1)")
    parser.add_argument("--live-workers", type=int, default=1, help="split: ASGI processes")
    parser.add_argument("--workshops", type=int, default=1, help="workshops sharing the load")
    parser.add_argument("--groups", type=int, default=20, help="groups per workshop")
    parser.add_argument("--screens", type=int, default=5, help="facilitator screens per workshop")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of posting per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per (N, rate); medians")
    parser.add_argument("--drain", type=float, default=10.0, help="max seconds to await delivery")
    parser.add_argument("--phone-event-interval", type=float, default=1.0)
    parser.add_argument("--join-concurrency", type=int, default=20)
    parser.add_argument("--port", type=int, default=18601)
    parser.add_argument("--db", default="labb_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--no-render", action="store_true", help="skip the board render bench")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database after")
    parser.add_argument("--compare", help="an earlier results JSON: print new/old ratios")
    parser.add_argument("--env", action="append", default=[], help="extra server env KEY=VALUE")
    parser.add_argument(
        "--find-ceiling",
        action="store_true",
        help="step the rate up from the first --rate until the goal breaks; print the last rate"
        " that met it",
    )
    parser.add_argument("--goal-ms", type=float, default=50.0, help="p95 goal for --find-ceiling")
    parser.add_argument("--ceiling-step", type=float, default=1.5, help="rate factor per step")
    parser.add_argument("--max-rate", type=float, default=1000.0)
    args = parser.parse_args(argv)
    if args.live_port is None:
        args.live_port = args.port + 1
    args.sizes = [int(x) for x in args.participants.split(",") if x]
    args.rates = [float(x) for x in args.rate.split(",") if x]
    return args


def start_servers(args, env: dict[str, str]) -> list:
    """The servers under test: one ASGI server, or (split) WSGI on --port and ASGI streams
    on --live-port, both on the same database and Redis."""
    logs = Path(tempfile.gettempdir())
    if args.interface != "split":
        return [
            stack.start_server(
                env=env,
                port=args.port,
                workers=args.workers,
                log_path=logs / "labb-bench-server.log",
            )
        ]
    web = stack.start_server(
        env=env,
        port=args.port,
        workers=args.workers,
        interface="wsgi",
        threads=args.threads,
        log_path=logs / "labb-bench-web.log",
    )
    try:
        live = stack.start_server(
            env=env,
            port=args.live_port,
            workers=args.live_workers,
            log_path=logs / "labb-bench-live.log",
        )
    except BaseException:
        web.stop()
        raise
    return [web, live]


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    raw_argv = sys.argv[1:] if argv is None else argv
    command = "uv run python -m bench.live " + " ".join(raw_argv)
    limit = raise_file_limit()
    extra = dict(item.split("=", 1) for item in args.env)
    env = stack.server_env(db=args.db, redis_url=args.redis_url, extra=extra)
    started = datetime.datetime.now(datetime.UTC)
    print(f"# {command}\n# file limit {limit}, load {os.getloadavg()}", flush=True)
    stack.database_recreate(args.db)
    stack.redis_flush(args.redis_url)
    stack.manage(env, "migrate", "--noinput")
    spec = {
        "workshops": [
            {"key": f"{n}-{w}", "groups": args.groups}
            for n in args.sizes
            for w in range(args.workshops)
        ]
    }
    seeded = stack.seed(env, spec)
    result = {
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "git": git_commit(),
        "machine": machine(),
        "config": {
            k: v
            for k, v in vars(args).items()
            if k not in {"compare", "out"} and not k.startswith("_")
        },
        "sizes": [],
    }
    try:
        for n in args.sizes:
            servers = start_servers(args, env)
            try:
                pids = [pid for server in servers for pid in stack.worker_pids(server)]
                print(f"N={n}: server pids {pids}", flush=True)
                keys = [f"{n}-{w}" for w in range(args.workshops)]
                size = asyncio.run(run_size(args, n=n, seeded=seeded, keys=keys, pids=pids))
            finally:
                for server in servers:
                    server.stop()
            print(
                f"  joined {size['joined']}/{n} in {size['join_wall_s']} s, join p95 "
                f"{_fmt(size['join_ms']['p95'])} ms (after the first {2 * args.join_concurrency}"
                f" started: p50 / p95 {_fmt(size['join_ms_warm']['p50'])} / "
                f"{_fmt(size['join_ms_warm']['p95'])} ms),"
                f" idle RSS {size['idle_resources']['server_rss_mb']}, connections per process "
                f"{size['idle_resources']['open_connections']}, stream errors {size['stream_errors'] or 0}",
                flush=True,
            )
            result["sizes"].append(size)
        acked = [
            pair for size in result["sizes"] for run in size["runs"] for pair in run.pop("acked")
        ]
        result["db_check"] = db_check(args.db, acked)
        if not args.no_render:
            from bench import render

            result["render"] = render.run(env)
    finally:
        if not args.keep_db:
            stack.database_drop(args.db)
    result["summary"] = [
        aggregate(size, rate)
        for size in result["sizes"]
        for rate in sorted({run["rate"] for run in size["runs"]})
    ]
    result["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    result["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    table = markdown(result)
    for size in result["sizes"]:
        if size.get("ceiling"):
            c = size["ceiling"]
            table += (
                f"\n\nN={size['participants']}: sustainable {c['sustainable']} notes/s with p95 ≤ "
                f"{c['goal_ms']:g} ms; broken at {c['broken_at']} ({c.get('why', '–')})."
            )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(result, indent=1, default=str)
    (out / f"live-{stamp}.json").write_text(text)
    (out / "latest.json").write_text(text)
    (out / "latest.md").write_text(f"`{command}`\n\n{table}\n")
    print()
    print(table)
    if args.compare:
        print()
        print(f"Compared with {args.compare} (new/old):")
        print(compare(result, json.loads(Path(args.compare).read_text())))
    return result


if __name__ == "__main__":
    main()
