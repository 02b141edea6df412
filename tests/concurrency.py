"""Forcing races deterministically on real PostgreSQL.

A race test that just starts threads at once catches a missing lock only when the scheduler
happens to interleave them. These helpers make the interleaving certain instead:

- `RaceGate` holds each racing thread at a real hook (a model signal, say) until every other
  racer has reached the hook too, has finished, or is waiting for a PostgreSQL lock. Without
  the lock under test all racers pile up at the hook and then go on together, the worst
  interleaving; with it the racers that are queued behind the lock count as "settled", so
  the gate opens without any timeout and the test stays fast.
- `LockWatch` asks PostgreSQL (on its own connection, outside any transaction) whether a
  backend is waiting for a lock, which is how a test knows that a request is blocked rather
  than merely slow.

Tests that use them need `transaction=True`: each thread has its own connection, and what
one commits must be visible to the others.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import psycopg
from django.db import connection

from tests.support.database import postgres_url


def backend_pid() -> int:
    """The PostgreSQL backend of this thread's Django connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


class LockWatch:
    """A side connection that sees lock waits as they happen (autocommit: no stale
    statistics snapshot)."""

    def __init__(self) -> None:
        self._conn = psycopg.connect(postgres_url(), autocommit=True)
        self._lock = threading.Lock()

    def blocked(self, pid: int) -> bool:
        """Whether backend `pid` is waiting for a lock another backend holds."""
        with self._lock:
            row = self._conn.execute("SELECT cardinality(pg_blocking_pids(%s))", [pid]).fetchone()
        return bool(row[0])

    def blocked_by(self, pid: int) -> list[int]:
        """Backends in this database that wait for a lock held by backend `pid`."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND %s = ANY(pg_blocking_pids(pid))",
                [pid],
            ).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.01):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class RaceGate:
    """Make racing threads meet at a hook; see the module docstring.

    Each racer runs its work inside `with gate.racer(name):`; the hook calls `gate.wait()`
    (a no-op in threads that are not racers, such as the test's own).
    """

    def __init__(self, names: list[str], *, timeout: float = 30.0) -> None:
        self.names = list(names)
        self.timeout = timeout
        self.watch = LockWatch()
        self.pids: dict[str, int] = {}
        self.arrived: set[str] = set()
        self.finished: set[str] = set()
        self.errors: dict[str, BaseException] = {}
        self._state = threading.Lock()
        self._local = threading.local()
        self._all_started = threading.Barrier(len(self.names))

    @contextlib.contextmanager
    def racer(self, name: str) -> Iterator[None]:
        self._local.name = name
        try:
            pid = backend_pid()
            with self._state:
                self.pids[name] = pid
            self._all_started.wait(self.timeout)
            yield
        except BaseException as exc:  # noqa: BLE001 - reported by the test through .errors
            self.errors[name] = exc
        finally:
            with self._state:
                self.finished.add(name)
            self._local.name = None
            connection.close()

    def wait(self) -> None:
        name = getattr(self._local, "name", None)
        if name is None:
            return
        with self._state:
            self.arrived.add(name)
        wait_until(
            lambda: all(self._settled(other) for other in self.names if other != name),
            timeout=self.timeout,
            what=f"the other racers to reach the hook ({name} is there)",
        )

    def _settled(self, name: str) -> bool:
        with self._state:
            if name in self.arrived or name in self.finished:
                return True
            pid = self.pids.get(name)
        return pid is not None and self.watch.blocked(pid)

    def run(self, work) -> None:
        """Run `work(name)` in one thread per racer, inside `racer(name)`, and wait."""

        def body(name: str) -> None:
            with self.racer(name):
                work(name)

        threads = [threading.Thread(target=body, args=(name,)) for name in self.names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(self.timeout * 2)
        assert not any(thread.is_alive() for thread in threads), "a racer is stuck"

    def close(self) -> None:
        self.watch.close()
