"""Send → on the board, in a real browser: how long from a participant pressing "Send" on a
phone until the note is in the facilitator's board DOM.

    uv run python -m bench.browser_latency --notes 40

It recreates its own PostgreSQL database (`--db`, default labb_browser_bench), migrates and
seeds one workshop in the Reveal phase (notes land on the board as they are posted), starts
`python -m labb.serve` on a free port (`tests.support.servers`, `--workers`), logs a facilitator in through the
login form in Debian's Chromium, opens the board, joins `--phones` phone-sized pages through
the join link and sends `--notes` notes in turn, one at a time.

Clock: both pages run in one browser on one machine, so `performance.timeOrigin +
performance.now()` is one clock. The phone page stamps the time in the same task that
clicks Send; a MutationObserver on the board stamps the moment the note's element is
inserted. The figure therefore includes the POST, the insert and commit, the Redis publish,
the SSE frame, htmx's swap and the DOM insert, and nothing of Playwright's own polling.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.browser import launch  # noqa: E402
from tests.support.servers import LabbServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = uuid.uuid4().hex  # a throw-away user in a throw-away database

OBSERVE = """() => {
  window.__seen = {};
  new MutationObserver((records) => {
    const now = performance.timeOrigin + performance.now();
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        const found = node.matches('.note-text') ? [node] : node.querySelectorAll('.note-text');
        for (const el of found) {
          const key = el.textContent.trim();
          if (key.startsWith('bench-') && !(key in window.__seen)) window.__seen[key] = now;
        }
      }
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""

SEND = """(text) => {
  const form = document.querySelector('form[data-note-form]');
  form.querySelector('#id_text').value = text;
  const t = performance.timeOrigin + performance.now();
  form.querySelector('button[type=submit]').click();
  return t;
}"""


def _database_url(base: str, name: str) -> str:
    return base.rsplit("/", 1)[0] + "/" + name


def prepare_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(groups: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from challenges.models import Challenge, Membership, Organisation
    from workshops.models import Workshop
    from workshops.services.workshops import workshop_create

    org = Organisation.objects.create(name="Bench", slug="bench")
    user = get_user_model().objects.create_user(username="bench", password=PASSWORD)
    Membership.objects.create(user=user, organisation=org, role=Membership.Role.FACILITATOR)
    challenge = Challenge.objects.create(organisation=org, question="Bench?", created_by=user)
    workshop = workshop_create(
        challenge=challenge, user=user, title="Bench", template_key="brainstorm", group_count=groups
    )
    workshop.phase = Workshop.Phase.REVEAL
    workshop.save(update_fields=["phase"])
    return {
        "pk": workshop.pk,
        "code": workshop.join_code,
        "groups": list(workshop.groups.order_by("position").values_list("pk", flat=True)),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def measure(url: str, workshop: dict, notes: int, phones: int, pause: float) -> list[float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        desk = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 800})
        board = desk.new_page()
        board.goto(f"{url}/login/")
        board.fill("#id_username", "bench")
        board.fill("#id_password", PASSWORD)
        with board.expect_navigation():
            board.click("main form button[type=submit]")
        board.goto(f"{url}/workshops/{workshop['pk']}/board/")
        board.wait_for_selector("#live-status[data-state=connected]")
        board.evaluate(OBSERVE)

        pages = []
        for index in range(phones):
            context = browser.new_context(
                locale="en-GB",
                viewport={"width": 360, "height": 740},
                is_mobile=True,
                has_touch=True,
            )
            page = context.new_page()
            page.goto(f"{url}/j/{workshop['code']}/")
            page.select_option(
                "#id_group", str(workshop["groups"][index % len(workshop["groups"])])
            )
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            page.wait_for_selector("form[data-note-form]")
            pages.append(page)

        latencies = []
        run = uuid.uuid4().hex[:6]
        for number in range(notes):
            page = pages[number % len(pages)]
            text = f"bench-{run}-{number}"
            sent_at = page.evaluate(SEND, text)
            board.wait_for_function(f"() => '{text}' in window.__seen", timeout=15_000)
            seen_at = board.evaluate(f"() => window.__seen['{text}']")
            page.wait_for_function("() => document.querySelector('#id_text').value === ''")
            latencies.append(seen_at - sent_at)
            time.sleep(pause)
        browser.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=40)
    parser.add_argument("--phones", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--db", default="labb_browser_bench")
    parser.add_argument("--pause", type=float, default=0.25, help="seconds between notes")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8")
    )
    args = parser.parse_args()
    if args.notes < 20:
        parser.error("at least 20 notes")

    database_url = _database_url(args.database_url, args.db)
    prepare_database(args.database_url, args.db)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "labb.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis_url,
        "LABB_NOTES_PER_MINUTE": "100000",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    workshop = seed(groups=max(1, args.phones))
    with tempfile.TemporaryDirectory() as logs:
        server = LabbServer(env, Path(logs) / "server.log", workers=args.workers).start()
        try:
            latencies = measure(server.url, workshop, args.notes, args.phones, args.pause)
        finally:
            server.stop()

    print(
        f"send -> on the board, {len(latencies)} notes, {args.phones} phones, "
        f"{args.workers} worker(s):"
    )
    print(f"  median {statistics.median(latencies):.1f} ms")
    print(f"  p95    {percentile(latencies, 0.95):.1f} ms")
    print(f"  min    {min(latencies):.1f} ms   max {max(latencies):.1f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
