"""Real Labb servers for tests (and bench/): `python -m labb.serve` in a subprocess, the same
command as the demo, the image and compose; `interface="wsgi"` starts its WSGI server
(granian, pages and posts), as the `web` service of compose.

`LabbServer(env, log_path).start()` picks a free port, starts the server and waits until it
answers. The fixtures start servers against pytest-django's test database (use them with
`transactional_db`, so the rows are committed and the server sees them) and the tests'
`REDIS_URL`, so a note posted through one process reaches the streams of another through
Redis, as in production.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.database import database_env, release_pool

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
PORTS = range(18700, 18900)  # bench/ uses 18600-18699
START_TIMEOUT = 60.0  # a loaded machine starts two workers slowly
START_ATTEMPTS = 5
SERVER_TOKEN_HEADER = "X-Labb-Test-Server"


def free_port(exclude: set[int] | frozenset[int] = frozenset()) -> int:
    """A port that is free now, from the tests' range (18700-18899), tried in random order so
    that two runs on one machine seldom pick the same one. Free now is not free later: a
    server started on it must check that it got it (`LabbServer.start` does)."""
    ports = [port for port in PORTS if port not in exclude]
    random.shuffle(ports)
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {PORTS.start}-{PORTS.stop - 1}")


def server_env(
    *, database_url: str | None = None, redis_url: str | None = None, **extra: str
) -> dict[str, str]:
    """The environment of a Labb process: by default the test database and the tests' Redis."""
    if redis_url is None:
        from django.conf import settings

        redis_url = settings.REDIS_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "labb.settings",
        **({"DATABASE_URL": database_url} if database_url else database_env()),
        "REDIS_URL": redis_url or "",
        "DATABASE_POOL_MIN": "1",
        "DATABASE_POOL_MAX": "6",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # Readers notice a closed stream at the next keep-alive: make that soon.
        "LABB_STREAM_KEEPALIVE": "1",
        **extra,
    }
    env.pop("TEST_DATABASE_NAME", None)
    return env


class PortTaken(Exception):
    """The chosen port was bound by another process before this server could bind it."""


@dataclass
class LabbServer:
    env: dict[str, str]
    log_path: Path
    workers: int = 1
    interface: str = "asgi"
    threads: int | None = None  # WSGI threads per process; None: labb.serve's default
    port: int = 0
    process: subprocess.Popen | None = None
    exclude: set[int] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LabbServer:
        # Other test runs on this machine pick ports from the same range: a port free when
        # chosen may be taken before the server binds it. That server then exits, and the
        # port is chosen again. Every answer of this server carries its own token, so the
        # health check cannot mistake another run's server on the same port for this one.
        fixed = self.port  # a port asked for (bench/) is tried once, never replaced
        for _attempt in range(1 if fixed else START_ATTEMPTS):
            self.port = fixed or free_port(self.exclude)
            token = uuid.uuid4().hex
            self._launch(token)
            try:
                self._wait_healthy(token)
            except PortTaken:
                self.exclude.add(self.port)
                continue
            return self
        raise RuntimeError(f"No port stayed free to start on (last tried: {self.port})")

    def command(self, token: str) -> list[str]:
        """The server's command line; another kind of server (tests/support/identity.py)
        overrides it and keeps the rest: the port choice, the token, the health check."""
        command = [
            str(PYTHON),
            "-m",
            "labb.serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--timeout-graceful-shutdown",
            "2",
            "--header",
            f"{SERVER_TOKEN_HEADER}:{token}",
        ]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        if self.interface != "asgi":
            command += ["--interface", self.interface]
        if self.threads is not None:
            command += ["--threads", str(self.threads)]
        return command

    def _launch(self, token: str) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(token), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def _wait_healthy(self, token: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if "address already in use" in self.log().lower():
                    raise PortTaken(self.port)
                raise RuntimeError(f"Server on {self.port} exited:\n{self.log()}")
            try:
                response = httpx.get(f"{self.url}/healthz", timeout=2)
                if (
                    response.headers.get(SERVER_TOKEN_HEADER) == token
                    and response.status_code == 200
                ):
                    self._check_port_alone()
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Server on {self.port} did not become healthy:\n{self.log()}")

    def _check_port_alone(self) -> None:
        """granian listens with SO_REUSEPORT, so a second granian on the same port (another
        run's) starts without an error and the kernel shares the connections between them.
        Our token answered, but the port must also be ours alone."""
        if self.interface == "asgi":
            return  # uvicorn binds exclusively: "address already in use"
        import psutil

        ours = {self.process.pid} | {c.pid for c in psutil.Process(self.process.pid).children(True)}
        listeners = {
            c.pid
            for c in psutil.net_connections("tcp")
            if c.status == psutil.CONN_LISTEN and c.laddr.port == self.port
        }
        if listeners - ours:
            self.stop()
            raise PortTaken(self.port)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-6000:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@dataclass
class LabbServers:
    """The servers of one test; `start()` as many as it needs, all stopped afterwards."""

    tmp_path: Path
    servers: list[LabbServer] = field(default_factory=list)

    def start(
        self,
        *,
        workers: int = 1,
        env: dict[str, str] | None = None,
        interface: str = "asgi",
        threads: int | None = None,
    ) -> LabbServer:
        server = LabbServer(
            env=server_env(**(env or {})),
            log_path=self.tmp_path / f"server-{len(self.servers)}.log",
            workers=workers,
            interface=interface,
            threads=threads,
            exclude={s.port for s in self.servers},
        )
        self.servers.append(server)
        return server.start()

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()
        for server in self.servers:
            if any(sign in server.log() for sign in ("Traceback", "panicked", "Unexpected exit")):
                sys.stderr.write(f"\n--- server :{server.port} log tail ---\n{server.log()}")


def _need_redis() -> None:
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.fail("Server tests need Redis (set REDIS_URL)")


@pytest.fixture
def labb_servers(transactional_db, tmp_path) -> Iterator[LabbServers]:
    """Start servers with `labb_servers.start()`; they are stopped after the test."""
    _need_redis()
    servers = LabbServers(tmp_path=tmp_path)
    try:
        yield servers
    finally:
        servers.stop_all()
        release_pool()


@pytest.fixture
def labb_server(labb_servers) -> LabbServer:
    return labb_servers.start()


@pytest.fixture(scope="module")
def module_server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[LabbServer]:
    """One server for a whole test module (starting one costs seconds on a busy box).

    Tests that use it must also use `transactional_db`, so what they create is committed
    and visible to the server; the rows are flushed after each test as usual.
    """
    _need_redis()
    servers = LabbServers(tmp_path=tmp_path_factory.mktemp("labb-server"))
    try:
        with django_db_blocker.unblock():
            server = servers.start()
        yield server
    finally:
        servers.stop_all()
