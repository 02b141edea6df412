"""The PostgreSQL URL of a Django database, for processes the tests start."""

from __future__ import annotations

from pathlib import Path


def postgres_url(db: dict | None = None) -> str:
    """`postgres://user[:password]@host:port/name` of a Django `DATABASES` entry (by default
    the one pytest-django created, `test_…`), so a server, a worker or psycopg reaches the
    rows the test wrote."""
    if db is None:
        from django.conf import settings

        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise RuntimeError("These tests need PostgreSQL (set DATABASE_URL)")
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def database_env(db: dict | None = None) -> dict[str, str]:
    """The environment that points another Labb process at the test database: PostgreSQL
    by URL, or an SQLite file by path (an in-memory database cannot be shared)."""
    from django.conf import settings

    db = db or settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        return {"DATABASE_URL": postgres_url(db)}
    name = str(db["NAME"])
    assert "memory" not in name, "SQLite: set TEST_DATABASE_NAME so the server can share the file"
    return {"DATABASE_URL": "", "SQLITE_PATH": str(Path(name).resolve())}


def release_pool() -> None:
    """Close this process's pooled connections, so the test database can be dropped."""
    from django.db import connections

    for conn in connections.all():
        if hasattr(conn, "close_pool"):
            conn.close_pool()
