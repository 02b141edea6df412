"""Fault tests start their own PostgreSQL and Redis (ports 18700-18799) and their own Labb
servers; the shared services are never stopped."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.faults.processes import OwnPostgres, OwnRedis, fault_env, manage


@pytest.fixture(scope="session")
def own_postgres():
    """A private PostgreSQL 15 cluster with Labb's schema migrated. Its directory is directly
    under /tmp: pytest's own tmp dirs are closed to the postgres user."""
    directory = Path(tempfile.mkdtemp(prefix="labb-faults-pg-"))
    postgres = OwnPostgres(directory)
    try:
        postgres.init()
        manage(fault_env(database_url=postgres.url, redis_url=""), "migrate", "--noinput")
        yield postgres
    finally:
        postgres.destroy()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def own_redis(tmp_path):
    redis = OwnRedis(tmp_path)
    redis.start()
    yield redis
    redis.kill()
