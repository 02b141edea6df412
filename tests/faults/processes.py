"""Processes the fault tests own: a PostgreSQL cluster and a redis-server on free ports, so
the shared PostgreSQL and Redis are never touched (Labb servers and Celery workers come from
`tests.support`)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.database import postgres_url
from tests.support.servers import ROOT, free_port, server_env
from tests.support.waiting import wait_for

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class OwnRedis:
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what="redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class OwnPostgres:
    directory: Path
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return postgres_url({"NAME": "labb", "PORT": self.port})

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        data = self.directory / "data"
        subprocess.run(
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            capture_output=True,
        )
        self.start()
        import psycopg

        with psycopg.connect(
            postgres_url({"NAME": "postgres", "PORT": self.port}), autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE labb")

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), *args]),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._ctl("-o", options, "-l", str(self.directory / "postgres.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")


def fault_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """A Labb process on the fault tests' own PostgreSQL and Redis, quick to give up on them."""
    return server_env(
        database_url=database_url,
        redis_url=redis_url,
        DEBUG="0",
        DATABASE_POOL_TIMEOUT="2",
        LABB_STREAM_KEEPALIVE="2",
        **extra,
    )


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


SETUP_CODE = """
import json, django
django.setup()
from django.contrib.auth import get_user_model
from challenges.models import Challenge, Membership, Organisation
from workshops.services.workshops import workshop_create
from workshops.models import Workshop
org = Organisation.objects.create(name="Region Fel %(tag)s", slug="region-fel-%(tag)s")
user = get_user_model().objects.create_user("fac-%(tag)s", password="pw-fault-test")
Membership.objects.create(user=user, organisation=org, role="facilitator")
challenge = Challenge.objects.create(organisation=org, question="Hur klarar vi avbrott?")
workshop = workshop_create(challenge=challenge, user=user, title="Avbrott",
                                    template_key="success_obstacles", group_count=1)
workshop.phase = Workshop.Phase.REVEAL
workshop.save()
print(json.dumps({"workshop": workshop.pk, "code": workshop.join_code,
                  "group": workshop.groups.first().pk, "column": workshop.columns.first().pk,
                  "username": user.username}))
"""


def create_workshop(env: dict[str, str]) -> dict:
    tag = uuid.uuid4().hex[:8]
    result = subprocess.run(
        [sys.executable, "-c", SETUP_CODE % {"tag": tag}],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def facilitator_login(base_url: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=10)
    page = client.get("/login/")
    response = client.post(
        "/login/",
        data={
            "username": username,
            "password": "pw-fault-test",
            "csrfmiddlewaretoken": csrf_from(page.text),
        },
    )
    assert response.status_code == 302, response.text[:500]
    return client


def participant_join(base_url: str, info: dict) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=10)
    page = client.get(f"/j/{info['code']}/")
    response = client.post(
        f"/j/{info['code']}/",
        data={
            "group": info["group"],
            "display_name": "",
            "csrfmiddlewaretoken": csrf_from(page.text),
        },
    )
    assert response.status_code == 302, response.text[:500]
    return client


def post_note(client: httpx.Client, info: dict, *, text: str, client_id: str) -> httpx.Response:
    return client.post(
        f"/p/{info['workshop']}/notes/",
        data={"column": info["column"], "text": text, "client_id": client_id},
        headers={"X-CSRFToken": client.cookies.get("csrftoken", ""), "HX-Request": "true"},
    )


NOTE_ID = re.compile(r'data-note-id="(\d+)"')


class StreamReader(threading.Thread):
    """Holds an SSE stream open and records every event (id, name, data)."""

    def __init__(self, client: httpx.Client, path: str) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.path = path
        self.events: list[tuple[str | None, str, str]] = []
        self.status: int | None = None
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        try:
            timeout = httpx.Timeout(10, read=30)
            with self.client.stream("GET", self.path, timeout=timeout) as response:
                self.status = response.status_code
                event_id, name, data = None, "message", []
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line == "":
                        if data or name != "message":
                            with self.lock:
                                self.events.append((event_id, name, "\n".join(data)))
                        event_id, name, data = None, "message", []
                    elif line.startswith("id:"):
                        event_id = line[3:].strip()
                    elif line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].removeprefix(" "))
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            if not self._stop.is_set():
                self.error = exc

    def note_ids(self) -> set[int]:
        with self.lock:
            return {
                int(i)
                for _id, name, data in self.events
                if name == "note"
                for i in NOTE_ID.findall(data)
            }

    def names(self) -> list[str]:
        with self.lock:
            return [name for _id, name, _data in self.events]

    def stop(self) -> None:
        self._stop.set()
