"""Fixtures for the session tests: a workshop with participants in groups, moved by phase."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tests.browser.browser import launch_chromium
from tests.conftest import join_as
from workshops.models import Workshop
from workshops.services.notes import note_create
from workshops.services.phases import phase_set


def set_phase(workshop: Workshop, phase: str) -> Workshop:
    return phase_set(workshop=workshop, phase=phase)


def add_note(workshop, participant, text, column=None):
    note, _ = note_create(
        workshop=workshop,
        participant=participant,
        group=participant.group,
        column=column or workshop.columns.first(),
        text=text,
        client_id=uuid.uuid4(),
    )
    return note


@pytest.fixture
def phones(workshop) -> list[tuple[Client, object]]:
    """Four phones: two in the first group, two in the second."""
    result = []
    for index, name in enumerate(["Kim", "Alex", "Robin", ""]):
        client = Client()
        participant = join_as(client, workshop, group_index=index // 2, name=name)
        result.append((client, participant))
    return result


@pytest.fixture
def other_client(client, other_facilitator) -> Client:
    client.force_login(other_facilitator)
    return client


# --- Browser sessions: uvicorn on the test database, Debian's Chromium -----------------------

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
}"""


def _free_port() -> int:
    import socket

    for port in range(18300, 18400):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free port in 18300-18399")


@pytest.fixture
def asgi_server(transactional_db, settings):
    """Labb under uvicorn (SSE needs ASGI), on this test's database and Redis."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    db = settings.DATABASES["default"]
    port = _free_port()
    env = dict(os.environ)
    env["DATABASE_URL"] = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["DATABASE_POOL_MAX"] = "6"
    env["REDIS_URL"] = settings.REDIS_URL or ""
    env["DEBUG"] = "1"
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "labb.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("uvicorn did not start")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        release_pool()


def release_pool() -> None:
    """Close this process's pooled connections, so the test database can be dropped."""
    from django.db import connections

    for conn in connections.all():
        if hasattr(conn, "close_pool"):
            conn.close_pool()


@pytest.fixture
def chromium(monkeypatch):
    """The browser tests' Chromium: the test fails on any CSP complaint in its pages."""
    with launch_chromium(monkeypatch) as browser:
        yield browser


class Axe:
    """Runs axe-core on a page (loaded from Labb's own static files, so the CSP allows it)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.checked: list[str] = []

    def check(self, page, label: str) -> None:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=self.base + "/static/vendor/axe-core/axe.min.js")
        violations = page.evaluate(AXE_RUN, WCAG_TAGS)
        assert violations == [], f"axe on {label} ({page.url}): {violations}"
        self.checked.append(label)
