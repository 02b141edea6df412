"""Render time and SQL queries of the facilitator's overview, 20 groups × 15 notes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/overview_render.py [--runs 9]

Builds a seed-004-sized workshop (20 groups, 2 columns, 300 notes, 12 themes, 60 votes) in a
throwaway database (`bench_overview`, dropped afterwards), then requests the overview
(`/workshops/<pk>/board/`) as its facilitator through Django's test client in every phase,
and the projector and a phone page in the heavier ones. Reports the median wall and CPU time of `runs`
requests (after one warm-up; CPU time is less disturbed by other work on a shared machine)
and the SQL query count of one request.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labb.settings")

WORDS = [
    "Stuprör mellan förvaltningarna",
    "Pengar saknas för långsiktigt arbete",
    "Tydliga mandat och beslutsvägar",
    "Tillit mellan kommunerna",
    "Gemensam målbild för regionen",
    "Eldsjälar som driver på",
    "Tid att samverka på riktigt",
    "Data som går att dela",
    "Dialog med medborgarna tidigt",
    "Politiskt stöd över mandatperioder",
    "Testa i liten skala först",
    "Ledarskap som vågar prioritera",
]


def build(groups: int, per_group: int):
    from bench.stack import facilitated_workshop
    from workshops.models import Participant
    from workshops.services.notes import note_create

    workshop, user = facilitated_workshop(title="Seed 004", groups=groups)
    columns = list(workshop.columns.all())
    participants = []
    for group in workshop.groups.all():
        people = [Participant.objects.create(workshop=workshop, group=group) for _ in range(3)]
        participants += people
        for n in range(per_group):
            note_create(
                workshop=workshop,
                group=group,
                column=columns[n % len(columns)],
                text=f"{WORDS[(n + group.position) % len(WORDS)]} ({group.name}, {n})",
                participant=None,
                client_id=uuid.uuid4(),
            )
    return workshop, user, participants


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client, url: str, runs: int) -> tuple[float, float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200, url  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return (
        statistics.median(times),
        percentile(times, 0.95),
        statistics.median(cpu),
        len(ctx.captured_queries),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--notes", type=int, default=15, help="notes per group")
    parser.add_argument("--db", default="bench_overview", help="the throwaway database")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from workshops.services.phases import phase_set
    from workshops.services.themes import theme_create
    from workshops.services.votes import vote_cast

    # No setup_test_environment(): its instrumented template rendering copies the context
    # for every include, which is test-only overhead, not what a server does.
    settings.ALLOWED_HOSTS = ["*"]
    settings.DATABASES["default"]["TEST"]["NAME"] = args.db
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        workshop, user, participants = build(args.groups, args.notes)
        client = Client()
        client.force_login(user)
        phone = Client()
        from workshops.access import SESSION_KEY

        s = phone.session
        s[SESSION_KEY] = {str(workshop.pk): participants[0].pk}
        s.save()
        notes = list(workshop.notes.order_by("pk"))
        rows = []
        note_count = len(notes)
        for phase in ["write", "reveal", "cluster", "vote"]:
            if phase == "vote":
                themes = [
                    theme_create(
                        workshop=workshop, name=f"Tema {i}", note_ids=[n.pk for n in notes[i::24]]
                    )
                    for i in range(12)
                ]
                phase_set(workshop=workshop, phase="vote")
                for i, p in enumerate(participants):
                    vote_cast(participant=p, theme_id=themes[i % 12].pk)
            else:
                phase_set(workshop=workshop, phase=phase)
            workshop.refresh_from_db()
            screens = [("overview", f"/workshops/{workshop.pk}/board/", client)]
            if phase in {"reveal", "vote"}:
                screens += [
                    ("projector", f"/workshops/{workshop.pk}/projector/", client),
                    ("phone", f"/p/{workshop.pk}/", phone),
                ]
            for name, url, who in screens:
                median, p95, cpu, queries = measure(who, url, args.runs)
                rows.append((phase, name, median, p95, cpu, queries))
        print(
            f"{args.groups} groups × {args.notes} notes = {note_count} notes, median of {args.runs}"
        )
        print(f"load average: {os.getloadavg()[0]:.1f} (CPU ms is this process only)")
        print("| phase | screen | median / p95 wall ms | median CPU ms | SQL queries |")
        print("| --- | --- | --- | --- | --- |")
        for phase, name, median, p95, cpu, queries in rows:
            print(f"| {phase} | {name} | {median:.1f} / {p95:.1f} | {cpu:.1f} | {queries} |")
    finally:
        connection.creation.destroy_test_db(args.db, verbosity=0)


if __name__ == "__main__":
    main()
