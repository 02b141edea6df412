"""CPU time and SQL queries of one participant's join, request by request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/12 \
        flock /work/bench.lock uv run python bench/join_profile.py [--joins 60] [--sql]

Builds a live workshop (20 groups, 3 people already in each group, phase write, where boards
get a people count per join; `--phase reveal` is bench/live.py's workshop) in a throwaway database (`bench_join`, dropped afterwards), then joins it
`--joins` times as bench/live.py's phones do, each a fresh browser through Django's test
client with CSRF checks on: GET /j/<code>/, POST the join form (name and group), GET the
phone page. Reports per step the median and p95 CPU ms of this process (less disturbed by
other work on a shared machine than wall time) and the SQL queries of three more joins (counted apart: the debug cursor's
bookkeeping would add to the CPU); `--sql` prints those of the last. All joins come from one address, a room behind one NAT; the address
budget is raised so that repeated runs within its 10 minutes are not refused.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labb.settings")
# As bench/stack.py runs the server: DEBUG on would log every query and refresh static files.
os.environ.setdefault("DEBUG", "0")

STEPS = ("join page GET", "join POST", "phone page GET")


def build(groups: int, people: int, phase: str):
    from bench.stack import facilitated_workshop
    from workshops.models import Participant

    workshop, _user = facilitated_workshop(title="Bench joins", groups=groups, place="Bench")
    workshop.phase = phase
    workshop.save(update_fields=["phase"])
    for group in workshop.groups.all():
        for _ in range(people):
            Participant.objects.create(workshop=workshop, group=group)
    return workshop


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def one_join(workshop, group_id: int, n: int, *, capture: bool) -> list[tuple[float, list[str]]]:
    """One phone's join: (CPU ms, SQL queries if `capture`) of each step."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    phone = Client(enforce_csrf_checks=True)
    steps = []

    def request(method, url, expected, **kwargs):
        # Captured only when asked: the debug cursor's bookkeeping is not a server's work.
        ctx = CaptureQueriesContext(connection) if capture else contextlib.nullcontext()
        with ctx:
            start = time.process_time()
            response = getattr(phone, method)(url, **kwargs)
            cpu = (time.process_time() - start) * 1000
        assert response.status_code == expected, (url, response.status_code)
        steps.append((cpu, [q["sql"] for q in ctx.captured_queries] if capture else []))
        return response

    request("get", f"/j/{workshop.join_code}/", 200)
    csrf = phone.cookies[settings.CSRF_COOKIE_NAME].value
    form = {"display_name": f"Phone {n}", "group": str(group_id), "csrfmiddlewaretoken": csrf}
    request("post", f"/j/{workshop.join_code}/", 302, data=form)
    request("get", f"/p/{workshop.pk}/", 200)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--joins", type=int, default=60)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--people", type=int, default=3, help="already in each group")
    parser.add_argument(
        "--phase", default="write", choices=["write", "reveal"], help="reveal: as bench/live.py"
    )
    parser.add_argument("--sql", action="store_true", help="print the queries of one join")
    parser.add_argument("--db", default="bench_join", help="the throwaway database")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # No setup_test_environment(): its instrumented template rendering copies the context
    # for every include, which is test-only overhead, not what a server does.
    settings.ALLOWED_HOSTS = ["*"]
    settings.LABB_JOINS_PER_ADDRESS = 10**6
    settings.DATABASES["default"]["TEST"]["NAME"] = args.db
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        workshop = build(args.groups, args.people, args.phase)
        group_ids = list(workshop.groups.order_by("position").values_list("pk", flat=True))
        one_join(workshop, group_ids[0], 0, capture=False)  # warm-up: imports, templates
        joins = [
            one_join(workshop, group_ids[n % len(group_ids)], n, capture=False)
            for n in range(1, args.joins + 1)
        ]
        counted = [one_join(workshop, group_ids[n % 3], -n, capture=True) for n in range(1, 4)]
        print(
            f"{args.joins} joins, phase {args.phase}, {args.groups} groups, load average {os.getloadavg()[0]:.1f}"
        )
        print("| step | median CPU ms | p95 CPU ms | SQL queries |")
        print("| --- | --- | --- | --- |")
        totals = [sum(cpu for cpu, _sql in join) for join in joins]
        for index, step in enumerate(STEPS):
            cpu = [join[index][0] for join in joins]
            counts = sorted({len(join[index][1]) for join in counted})
            shown = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
            print(
                f"| {step} | {statistics.median(cpu):.1f} | {percentile(cpu, 0.95):.1f} | {shown} |"
            )
        queries = sum(len(sql) for _cpu, sql in counted[-1])
        print(
            f"| whole join | {statistics.median(totals):.1f} | {percentile(totals, 0.95):.1f} "
            f"| {queries} |"
        )
        if args.sql:
            for step, (_cpu, sql) in zip(STEPS, counted[-1], strict=True):
                print(f"\n{step}:")
                for query in sql:
                    print(f"  {query[:300]}")
    finally:
        connection.creation.destroy_test_db(args.db, verbosity=0)


if __name__ == "__main__":
    main()
