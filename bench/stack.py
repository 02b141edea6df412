"""A production-like Labb stack for the benchmarks: own PostgreSQL database, Redis db,
`python -m labb.serve` with N worker processes, ASGI or WSGI (started by
tests/support/servers.py). Nothing here is used by the app itself.

The seed step runs inside Django (`python -m bench.stack seed ...`) in a subprocess so the
harness process itself never imports Django and stays a lean load generator.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.database import postgres_url
from tests.support.servers import LabbServer

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = postgres_url({"NAME": "postgres"})


def server_env(*, db: str, redis_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "labb.settings",
            "DATABASE_URL": postgres_url({"NAME": db}),
            "REDIS_URL": redis_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
            "LOG_LEVEL": "WARNING",
            # The harness posts faster per phone than a person can (50 notes/s over 50
            # phones is 60 notes/min each); the per-phone throttle is not what we measure.
            "LABB_NOTES_PER_MINUTE": "100000",
            # All the load comes from one address (127.0.0.1): the per-address budgets
            # (600 notes a minute, 600 joins per 10 minutes) would cut a 50 notes/s run after
            # 12 s and a 1,000-phone join after 600 phones. `--env` still overrides them.
            "LABB_NOTES_PER_ADDRESS_PER_MINUTE": "10000000",
            "LABB_JOINS_PER_ADDRESS": "100000",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("LABB_PRODUCTION", None)
    env.update(extra or {})
    return env


def database_recreate(db: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')


def database_drop(db: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def redis_flush(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def seed(env: dict[str, str], spec: dict) -> dict:
    """Create workshops (spec: {"workshops": [{"key":..., "groups":...}]}) and a logged-in
    facilitator session. Returns ids, join codes, columns and groups as JSON."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.stack", "seed", json.dumps(spec)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _seed_in_django(spec: dict) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from challenges.models import Challenge, Membership, Organisation
    from workshops.models import Workshop
    from workshops.services.workshops import workshop_create

    org, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    user_model = get_user_model()
    user = user_model.objects.filter(username="bench-facilitator").first()
    if user is None:
        user = user_model.objects.create_user(username="bench-facilitator", password=None)
        Membership.objects.create(user=user, organisation=org, role=Membership.Role.FACILITATOR)
    challenge, _ = Challenge.objects.get_or_create(
        organisation=org, question="Hur gör vi bänken snabb?", defaults={"created_by": user}
    )
    client = Client()
    client.force_login(user)
    result = {"sessionid": client.cookies["sessionid"].value, "workshops": {}}
    for item in spec["workshops"]:
        workshop = workshop_create(
            challenge=challenge,
            user=user,
            title=f"Bench {item['key']}",
            template_key="success_obstacles",
            group_count=item["groups"],
            place="Bench",
        )
        workshop.phase = Workshop.Phase.REVEAL
        workshop.save(update_fields=["phase"])
        result["workshops"][item["key"]] = {
            "id": workshop.pk,
            "code": workshop.join_code,
            "groups": list(workshop.groups.values_list("pk", flat=True)),
            "columns": list(workshop.columns.values_list("pk", flat=True)),
        }
    return result


def facilitated_workshop(*, title: str, groups: int, **fields):
    """Inside Django: an organisation, its facilitator, a challenge and a workshop of
    `groups` groups on the Success factors / Obstacles board (the in-process benchmarks'
    setup). Returns the workshop and the facilitator."""
    from django.contrib.auth import get_user_model

    from challenges.models import Challenge, Membership, Organisation
    from workshops.services.workshops import workshop_create

    org = Organisation.objects.create(name="Region Bench", slug="region-bench")
    user = get_user_model().objects.create_user(username="bench")
    Membership.objects.create(user=user, organisation=org, role=Membership.Role.FACILITATOR)
    challenge = Challenge.objects.create(
        organisation=org, question="Hur samverkar vi?", created_by=user
    )
    workshop = workshop_create(
        challenge=challenge,
        user=user,
        title=title,
        template_key="success_obstacles",
        group_count=groups,
        **fields,
    )
    return workshop, user


def start_server(
    *,
    env: dict[str, str],
    port: int,
    workers: int,
    log_path: Path,
    interface: str = "asgi",
    threads: int | None = None,
) -> LabbServer:
    """`python -m labb.serve` with `workers` processes on 127.0.0.1:`port` (`interface`
    "wsgi": its WSGI server, granian): the tests' launcher (tests/support/servers.py), the
    same command as the demo, image and compose."""
    return LabbServer(
        env=env,
        log_path=log_path,
        workers=workers,
        port=port,
        interface=interface,
        threads=threads,
    ).start()


def worker_pids(server: LabbServer) -> list[int]:
    """The processes that serve requests: uvicorn's or granian's workers, or the server
    itself alone (uvicorn with one worker; granian always runs its workers apart)."""
    import psutil

    master = psutil.Process(server.process.pid)
    # Worker processes run `multiprocessing.spawn`; skip the resource tracker.
    for _ in range(50):
        pids = [
            child.pid
            for child in master.children(recursive=True)
            if "resource_tracker" not in " ".join(child.cmdline())
        ]
        if server.workers == 1 or len(pids) >= server.workers:
            break
        time.sleep(0.1)
    return pids if server.workers > 1 or pids else [server.process.pid]


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        sys.path.insert(0, str(ROOT))
        print(json.dumps(_seed_in_django(json.loads(sys.argv[2]))))
