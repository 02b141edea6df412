"""Real Labb servers for tests: uvicorn subprocesses against pytest-django's test database.

The test creates rows with `transactional_db` (committed, so another process sees them) and
starts one or more servers with `LabbServers.start(...)`. Every server gets the test
database's name in `DATABASE_URL` and the tests' `REDIS_URL`, so a note posted through one
process reaches the streams of another through Redis, as in production.

Import the fixture where it is used:

    from tests.live.server import labb_servers  # noqa: F401
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
PORTS = range(18800, 18900)
START_TIMEOUT = 60.0  # a loaded machine starts two workers slowly
SERVER_TOKEN_HEADER = "X-Labb-Test-Server"


def free_port(exclude: set[int] = frozenset()) -> int:
    """A free port in this test suite's range (18800-18899)."""
    for port in PORTS:
        if port in exclude:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free port in 18800-18899")


def servers_database_url() -> str:
    """The URL of the database pytest-django created (test_…), for other processes."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("Server tests need PostgreSQL (set DATABASE_URL)")
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@dataclass
class LabbServer:
    port: int
    process: subprocess.Popen
    log_path: Path
    workers: int = 1

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@dataclass
class LabbServers:
    tmp_path: Path
    servers: list[LabbServer] = field(default_factory=list)

    def start(self, *, workers: int = 1, env: dict[str, str] | None = None) -> LabbServer:
        # Other test runs on this machine pick ports from the same range: a port free when
        # chosen may be taken before uvicorn binds it. That server then exits, and the
        # port is chosen again.
        for _attempt in range(5):
            try:
                return self._start_once(workers=workers, env=env)
            except PortTaken:
                continue
        raise RuntimeError("No port in 18800-18899 stayed free long enough to start on")

    def _start_once(self, *, workers: int, env: dict[str, str] | None) -> LabbServer:
        port = free_port({s.port for s in self.servers})
        log_path = self.tmp_path / f"uvicorn-{port}.log"
        process_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "labb.settings",
            "DATABASE_URL": servers_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DATABASE_POOL_MIN": "1",
            "DATABASE_POOL_MAX": "6",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            # Readers notice a closed stream at the next keep-alive: make that soon.
            "LABB_STREAM_KEEPALIVE": "1",
            **(env or {}),
        }
        process_env.pop("TEST_DATABASE_NAME", None)
        # Every answer of this server carries its token, so the health check cannot mistake
        # another run's server on the same port for this one.
        token = uuid.uuid4().hex
        # The same command as the demo, the image and compose (labb/serve.py).
        command = [
            str(PYTHON),
            "-m",
            "labb.serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--timeout-graceful-shutdown",
            "2",
            "--header",
            f"{SERVER_TOKEN_HEADER}:{token}",
        ]
        if workers > 1:
            command += ["--workers", str(workers)]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=process_env, stdout=log, stderr=subprocess.STDOUT
            )
        server = LabbServer(port=port, process=process, log_path=log_path, workers=workers)
        self.servers.append(server)
        try:
            _wait_healthy(server, token)
        except PortTaken:
            self.servers.remove(server)
            raise
        return server

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


class PortTaken(Exception):
    """The chosen port was bound by another process before this server could bind it."""


def _wait_healthy(server: LabbServer, token: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            if "address already in use" in server.log():
                raise PortTaken(server.port)
            raise RuntimeError(f"Server on {server.port} exited:\n{server.log()}")
        try:
            response = httpx.get(f"{server.url}/healthz", timeout=2)
            if response.status_code == 200 and response.headers.get(SERVER_TOKEN_HEADER) == token:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"Server on {server.port} did not become healthy:\n{server.log()}")


@pytest.fixture
def labb_servers(transactional_db, tmp_path) -> Iterator[LabbServers]:
    """Start servers with `labb_servers.start()`; they are stopped after the test."""
    if not settings.REDIS_URL:
        pytest.fail("Server tests need Redis (set REDIS_URL)")
    servers = LabbServers(tmp_path=tmp_path)
    try:
        yield servers
    finally:
        servers.stop_all()
        for server in servers.servers:
            if "Traceback" in server.log():
                sys.stderr.write(f"\n--- uvicorn :{server.port} log tail ---\n{server.log()}")


@pytest.fixture
def labb_server(labb_servers) -> LabbServer:
    return labb_servers.start()


@pytest.fixture(scope="module")
def module_server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[LabbServer]:
    """One server for a whole test module (starting one costs seconds on a busy box).

    Tests that use it must also use `transactional_db`, so what they create is committed
    and visible to the server; the rows are flushed after each test as usual.
    """
    if not settings.REDIS_URL:
        pytest.fail("Server tests need Redis (set REDIS_URL)")
    servers = LabbServers(tmp_path=tmp_path_factory.mktemp("labb-server"))
    try:
        with django_db_blocker.unblock():
            server = servers.start()
        yield server
    finally:
        servers.stop_all()
        for server in servers.servers:
            if "Traceback" in server.log():
                sys.stderr.write(f"\n--- uvicorn :{server.port} log tail ---\n{server.log()}")


@pytest.fixture
def shown_workshop(workshop):
    """The shared `workshop`, in a phase where notes land on the board as they are posted.

    (In the Write phase the boards show only counts; Reveal shows every note and still takes
    new ones.)
    """
    workshop.phase = workshop.Phase.REVEAL
    workshop.save(update_fields=["phase"])
    return workshop


# --- Sessions made in the test process, used against a real server ------------------------


def session_cookies_for(user) -> dict[str, str]:
    """Cookies of a logged-in session, stored in the (committed) test database."""
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def http_client(server: LabbServer, cookies: dict[str, str] | None = None) -> httpx.Client:
    return httpx.Client(base_url=server.url, cookies=cookies or {}, timeout=10)


def csrf_token(client: httpx.Client, path: str) -> str:
    """GET a page with a form so the server sets the CSRF cookie; return the token."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return client.cookies[settings.CSRF_COOKIE_NAME]


def join_over_http(server: LabbServer, workshop, *, name: str = "", group=None):
    """Join a workshop through the server's join page, as a phone does (first group by
    default). Returns the phone's client and the workshop id it was sent to."""
    group = group or workshop.groups.order_by("position").first()
    client = http_client(server)
    code = workshop.join_code
    token = csrf_token(client, f"/j/{code}/")
    data = {"csrfmiddlewaretoken": token, "display_name": name, "group": str(group.pk)}
    response = client.post(f"/j/{code}/", data=data)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    return client, int(location.strip("/").split("/")[-1])


def post_note_over_http(
    client: httpx.Client, workshop_pk: int, *, column_pk: int, text: str, client_id: str
) -> httpx.Response:
    token = client.cookies.get(settings.CSRF_COOKIE_NAME) or csrf_token(
        client, f"/p/{workshop_pk}/"
    )
    return client.post(
        f"/p/{workshop_pk}/notes/",
        data={"column": str(column_pk), "text": text, "client_id": client_id},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )


# --- Reading a server-sent event stream ---------------------------------------------------


@dataclass(frozen=True)
class SSEFrame:
    id: str | None
    event: str
    data: str


class SSEReader:
    """Reads an SSE stream in a thread; `next_event()` waits for the next named event."""

    def __init__(self, client: httpx.Client, path: str, headers: dict[str, str] | None = None):
        self.client = client
        self.path = path
        self.headers = {"Accept": "text/event-stream", **(headers or {})}
        self.frames: queue.Queue[SSEFrame] = queue.Queue()
        self.status: int | None = None
        self.content_type: str = ""
        self.response_headers: httpx.Headers = httpx.Headers()
        self._opened = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._response: httpx.Response | None = None

    def __enter__(self) -> SSEReader:
        self._thread.start()
        if not self._opened.wait(15):
            raise TimeoutError(f"Stream {self.path} did not open")
        return self

    def __exit__(self, *exc) -> None:
        self._closed.set()
        if self._response is not None:
            self._response.close()
        self._thread.join(5)

    def _run(self) -> None:
        try:
            with self.client.stream(
                "GET", self.path, headers=self.headers, timeout=httpx.Timeout(10, read=None)
            ) as response:
                self._response = response
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self.response_headers = response.headers
                self._opened.set()
                if response.status_code != 200:
                    response.read()
                    return
                fields: dict[str, list[str]] = {}
                for line in response.iter_lines():
                    if self._closed.is_set():
                        return
                    if line == "":
                        if "event" in fields or "data" in fields:
                            self.frames.put(
                                SSEFrame(
                                    id=fields.get("id", [None])[-1],
                                    event=fields.get("event", ["message"])[-1],
                                    data="\n".join(fields.get("data", [])),
                                )
                            )
                        fields = {}
                        continue
                    if line.startswith(":"):
                        continue
                    name, _sep, value = line.partition(":")
                    fields.setdefault(name, []).append(
                        value[1:] if value.startswith(" ") else value
                    )
        except (httpx.HTTPError, RuntimeError, ValueError):
            if not self._closed.is_set():
                raise
        finally:
            self._opened.set()

    def next_event(self, timeout: float = 10.0) -> SSEFrame:
        return self.frames.get(timeout=timeout)

    def events_within(self, seconds: float) -> list[SSEFrame]:
        """Every frame that arrives within `seconds` (for asserting that nothing else came)."""
        frames = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                frames.append(self.frames.get(timeout=left))
            except queue.Empty:
                break
        return frames


__all__ = [
    "SSEFrame",
    "SSEReader",
    "LabbServer",
    "LabbServers",
    "csrf_token",
    "free_port",
    "http_client",
    "join_over_http",
    "labb_server",
    "labb_servers",
    "module_server",
    "post_note_over_http",
    "session_cookies_for",
    "shown_workshop",
    "servers_database_url",
]
