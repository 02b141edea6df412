"""Board render: the facilitator overview and the projector for 20 groups × 15 notes (300)
and 20 groups × 50 notes (1,000), in-process with django.test.Client. Server time is the
median of `runs` GETs after a warm-up; the query count comes from CaptureQueriesContext.

Run on its own (against an existing database) or from bench.live:

    uv run python -m bench.render   # uses DATABASE_URL / REDIS_URL from the environment
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid

BOARDS = [("20 groups × 15 notes", 20, 15), ("20 groups × 50 notes", 20, 50)]
VIEWS = [("overview", "/workshops/{pk}/board/"), ("projector", "/workshops/{pk}/projector/")]


def run(env: dict[str, str], runs: int = 15) -> list[dict]:
    from bench import stack

    out = subprocess.run(
        [sys.executable, "-m", "bench.render", "--child", str(runs)],
        cwd=stack.ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _child(runs: int) -> list[dict]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labb.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from challenges.models import Challenge, Membership, Organisation
    from workshops.models import Note, Workshop
    from workshops.services.workshops import workshop_create

    org, _ = Organisation.objects.get_or_create(slug="bench-render", defaults={"name": "Render"})
    user_model = get_user_model()
    user = user_model.objects.filter(username="bench-render").first()
    if user is None:
        user = user_model.objects.create_user(username="bench-render", password=None)
        Membership.objects.create(user=user, organisation=org, role=Membership.Role.FACILITATOR)
    challenge = Challenge.objects.create(
        organisation=org, question="Hur ritar vi tavlan snabbt?", created_by=user
    )
    client = Client()
    client.force_login(user)
    rows = []
    for label, group_count, per_group in BOARDS:
        workshop = workshop_create(
            challenge=challenge,
            user=user,
            title=label,
            template_key="success_obstacles",
            group_count=group_count,
        )
        workshop.phase = Workshop.Phase.REVEAL
        workshop.save(update_fields=["phase"])
        columns = list(workshop.columns.all())
        notes = [
            Note(
                workshop=workshop,
                group=group,
                column=columns[index % len(columns)],
                author_name=f"Deltagare {index}",
                text=f"Lapp {index}: mer samverkan mellan förvaltningar och föreningar",
                client_id=uuid.uuid4(),
                status=Note.Status.VISIBLE,
            )
            for group in workshop.groups.all()
            for index in range(per_group)
        ]
        Note.objects.bulk_create(notes)
        for view, pattern in VIEWS:
            url = pattern.format(pk=workshop.pk)
            assert client.get(url).status_code == 200
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            times.sort()
            rows.append(
                {
                    "board": label,
                    "notes": len(notes),
                    "view": view,
                    "median_ms": statistics.median(times),
                    "p90_ms": times[int(len(times) * 0.9) - 1],
                    "queries": len(queries),
                    "bytes": len(response.content),
                    "loadavg": round(os.getloadavg()[0], 2),
                }
            )
    return rows


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(_child(int(sys.argv[2]))))
    else:
        for row in _child(15):
            print(row)
