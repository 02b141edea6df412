"""Archive latency: search, archive pages, recurring words, challenge and workshop pages.

Not a test: a measurement. Seed a database first, then run against it:

    createdb -h 127.0.0.1 -U postgres labb_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/labb_bench
    uv run python manage.py migrate
    uv run python manage.py seed_archive --workshops 1000 --notes 100000 --reset
    uv run python bench/archive.py [--runs 30] [--only search]

`--only search` measures the search queries and the search pages alone (a minute instead of
several). Every row also prints the median CPU time of the benchmark process (the Python
side: ORM, highlighting, rendering), which a shared machine's load changes less than the
wall-clock time.

Requests go through Django's test client in-process (no HTTP server), as the `bench-staff`
user (staff of one organisation: sees organisation-wide and shared challenges) and as a
facilitator. Prints median and p95 per page and the number of SQL queries, which must be the
same on every page of a listing however many rows it shows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labb.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from archive.search import filter_notes, parse_query, search  # noqa: E402
from challenges.access import challenges_visible_to  # noqa: E402
from challenges.models import Challenge  # noqa: E402
from workshops.access import workshops_visible_to  # noqa: E402
from workshops.models import Note, Workshop  # noqa: E402

SEARCHES = [
    "stuprören",
    "finansieringen",
    "otydligt mandat",
    "eldsjälarna",
    "kompetensförsörjning",
    "tillit mellan förvaltningar",
    "finansering",  # typo
    "the silos",
]


def measure(client: Client, url: str, runs: int) -> tuple[float, float, float, int, int]:
    client.get(url)  # warm caches and the connection
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
    return (
        statistics.median(timings),
        p95,
        statistics.median(cpu),
        len(queries.captured_queries),
        len(response.content),
    )


def measure_call(function, runs: int) -> tuple[float, float, float, int]:
    function()
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        function()
    timings.sort()
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
    return statistics.median(timings), p95, statistics.median(cpu), len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--only", choices=["search"], help="only the search queries and pages")
    args = parser.parse_args()
    user_model = get_user_model()
    staff = user_model.objects.get(username="bench-staff")
    facilitator = user_model.objects.get(username="bench-facilitator-0")
    print(
        f"{connection.vendor}: {Workshop.objects.count()} workshops, {Note.objects.count()} notes, "
        f"{Challenge.objects.count()} challenges; {args.runs} runs per URL"
    )
    staff_client = Client()
    staff_client.force_login(staff)
    facilitator_client = Client()
    facilitator_client.force_login(facilitator)
    challenge = challenges_visible_to(staff).order_by("pk").first()
    workshop = Workshop.objects.filter(challenge=challenge).order_by("pk").first()
    rows = [("search", f"/archive/search/?q={q}", staff_client) for q in SEARCHES]
    rows += (
        []
        if args.only == "search"
        else [
            ("archive", "/archive/", staff_client),
            ("archive", "/archive/?page=7", staff_client),
            ("archive", "/archive/?sort=activity", staff_client),
            ("archive", "/archive/?sort=oldest&year=2022", staff_client),
            ("archive", "/archive/?tag=hållbarhet&page=2", staff_client),
            ("archive", "/archive/?show=challenges", staff_client),
            ("archive", "/archive/?show=challenges&sort=activity&page=3", staff_client),
            ("archive", "/archive/", facilitator_client),
            ("challenge", f"/challenges/{challenge.pk}/", staff_client),
            ("workshop", f"/archive/workshops/{workshop.pk}/", staff_client),
            ("recurring", "/archive/recurring/?year=2023&organisation=bench-0", staff_client),
            ("recurring", "/archive/recurring/?q=stuprören", staff_client),
            ("recurring", "/archive/recurring/", staff_client),
        ]
    )
    print("Search without the page (the queries only, as bench-staff):")
    print(f"{'what':<44} {'median ms':>9} {'p95 ms':>8} {'cpu ms':>7} {'queries':>7}")
    challenges = challenges_visible_to(staff)
    workshops = workshops_visible_to(staff)
    notes = Note.objects.filter(workshop__in=workshops.values("pk"), status=Note.Status.VISIBLE)
    for q in SEARCHES:
        parsed = parse_query(q)

        def top20(parsed=parsed):
            return list(filter_notes(notes, parsed).values_list("pk", flat=True)[:20])

        median, p95, cpu, queries = measure_call(top20, args.runs)
        print(f"{'ranked top-20 notes: ' + q:<44} {median:9.1f} {p95:8.1f} {cpu:7.1f} {queries:7d}")

        def everything(parsed=parsed):
            return search(parsed, challenges=challenges, workshops=workshops)

        median, p95, cpu, queries = measure_call(everything, args.runs)
        print(
            f"{'all five result groups: ' + q:<44} {median:9.1f} {p95:8.1f} {cpu:7.1f} {queries:7d}"
        )
    print()
    print("Whole pages (Django test client, rendering included):")
    print(
        f"{'kind':<10} {'url':<58} {'median ms':>9} {'p95 ms':>8} {'cpu ms':>7} {'queries':>7} "
        f"{'KB':>6}"
    )
    for kind, url, client in rows:
        runs = args.runs if kind != "recurring" else max(5, args.runs // 5)
        median, p95, cpu, queries, size = measure(client, url, runs)
        who = "" if client is staff_client else " (facilitator)"
        print(
            f"{kind:<10} {(url + who)[:58]:<58} {median:9.1f} {p95:8.1f} {cpu:7.1f} {queries:7d} "
            f"{size / 1024:6.0f}"
        )


if __name__ == "__main__":
    main()
