"""The clustering wall at 300 and 1,000 notes: a move's server time, a move from drop to
updated screen in Chromium, and the wall's HTML size.

    uv run python -m bench.wall --notes 300,1000 --runs 3 --moves 100 --drags 30

For each size it recreates its own PostgreSQL database (`--db`, default labb_wall_bench),
migrates, and seeds one workshop in the Cluster phase: 18 groups × 2 columns with the
notes spread over them, 12 themes, nothing in a theme yet. Then, `--runs` times:

1. **Server time of a move**: `--moves` POSTs to `/workshops/<pk>/notes/move/` with
   `HX-Request: true` through Django's test client in this process (view, permission
   check, the write and its `ThemeMove` row, the typed `NotesMoved` event stored and
   published to Redis on commit, the reply rendered; screens render the event themselves). One note in four is a move of five selected
   notes; the rest move one note. No network in the figure.
2. **The wall's HTML**: the facilitator's board page, bytes as sent (and gzipped), and
   its render time.
3. **Drop → updated screen in Chromium**: uvicorn on the bench database, the board opened
   at 1920×1080, then `--drags` real pointer drags (Playwright's mouse: down on a card,
   move onto a theme in the sticky panel, up). The page stamps `performance.now()` at the
   `pointerup` (capture phase) and a MutationObserver stamps two moments: the card shows
   its new theme (wall.js moves it at the drop; "drop → screen"), and the server's card is
   swapped in from the reply ("drop → confirmed": the POST, the server, the reply and the
   swap), nothing of Playwright's polling.

It prints a markdown table with p50 and p95 per run and the median of the runs.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.browser_latency import PASSWORD, percentile, prepare_database  # noqa: E402
from tests.support.browser import launch  # noqa: E402
from tests.support.servers import LabbServer  # noqa: E402

WORDS = [
    "Stuprör mellan förvaltningarna",
    "Pengar saknas för långsiktigt arbete",
    "Tydliga mandat och beslutsvägar",
    "Tillit mellan kommunerna",
    "Gemensam målbild för regionen",
    "Eldsjälar som driver på",
    "Tid att samverka på riktigt",
    "Data som går att dela",
    "Dialog med medborgarna tidigt",
    "Politiskt stöd över mandatperioder",
    "Testa i liten skala först",
    "Ledarskap som vågar prioritera",
]

WATCH = """() => {
  window.__shown = {};
  window.__confirmed = {};
  document.addEventListener('pointerup', () => { window.__up = performance.now(); }, true);
  const seen = (map, node, now) => {
    const key = node.id + ':' + node.dataset.theme;
    if (!(key in map)) { map[key] = now - window.__up; }
  };
  new MutationObserver((records) => {
    const now = performance.now();
    for (const record of records) {
      if (record.type === 'attributes' && record.target.classList.contains('wall-card')) {
        seen(window.__shown, record.target, now);  // the card shows the move (wall.js)
      }
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && node.classList.contains('wall-card')) {
          seen(window.__shown, node, now);
          seen(window.__confirmed, node, now);  // the server's card swapped in
        }
      }
    }
  }).observe(document.getElementById('wall-cards'),
             {childList: true, subtree: true, attributes: true, attributeFilter: ['data-theme']});
}"""


def seed(notes: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from challenges.models import Challenge, Membership, Organisation
    from workshops.models import Note, Workshop
    from workshops.services import phases, themes
    from workshops.services.workshops import workshop_create

    org = Organisation.objects.create(name="Bench", slug="bench")
    user = get_user_model().objects.create_user(username="bench", password=PASSWORD)
    Membership.objects.create(user=user, organisation=org, role=Membership.Role.FACILITATOR)
    challenge = Challenge.objects.create(organisation=org, question="Bench?", created_by=user)
    workshop = workshop_create(
        challenge=challenge,
        user=user,
        title="Bench",
        template_key="success_obstacles",
        group_count=18,
    )
    groups = list(workshop.groups.all())
    columns = list(workshop.columns.all())
    Note.objects.bulk_create(
        Note(
            workshop=workshop,
            group=groups[n % len(groups)],
            column=columns[(n // len(groups)) % len(columns)],
            text=f"{WORDS[n % len(WORDS)]} ({n})",
        )
        for n in range(notes)
    )
    phases.phase_set(workshop=workshop, phase=Workshop.Phase.CLUSTER)
    for i in range(12):
        themes.theme_create(workshop=workshop, name=f"Tema {i + 1}")
    return {"pk": workshop.pk, "user": user.pk}


def server_moves(workshop: dict, moves: int, rng: random.Random) -> tuple[list[float], dict]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from workshops.models import Note, Theme

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(get_user_model().objects.get(pk=workshop["user"]))
    url = f"/workshops/{workshop['pk']}/notes/move/"
    ids = list(Note.objects.filter(workshop_id=workshop["pk"]).values_list("pk", flat=True))
    themes = [""] + [
        str(t)
        for t in Theme.objects.filter(workshop_id=workshop["pk"]).values_list("pk", flat=True)
    ]
    assert (
        client.post(url, {"note": ids[:1], "theme": themes[1]}, HTTP_HX_REQUEST="true").status_code
        == 200
    )
    times, cpu = [], []
    for number in range(moves):
        picked = rng.sample(ids, 5 if number % 4 == 0 else 1)
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.post(
            url, {"note": picked, "theme": rng.choice(themes)}, HTTP_HX_REQUEST="true"
        )
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.content[:300]
    board = f"/workshops/{workshop['pk']}/board/"
    client.get(board)
    start = time.perf_counter()
    html = client.get(board).content
    render = (time.perf_counter() - start) * 1000
    size = {
        "bytes": len(html),
        "gzip": len(gzip.compress(html)),
        "render_ms": render,
        "cpu_p50": statistics.median(cpu),
        "cpu_p95": percentile(cpu, 0.95),
    }
    return times, size


def browser_drags(
    url: str, workshop: dict, drags: int, rng: random.Random
) -> tuple[list[float], list[float]]:
    """Per drag: drop → the card shows its new theme, and drop → the server's card is in."""
    from playwright.sync_api import sync_playwright

    latencies, confirmed = [], []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(locale="en-GB", viewport={"width": 1920, "height": 1080})
        page.goto(f"{url}/login/")
        page.fill("#id_username", "bench")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        page.goto(f"{url}/workshops/{workshop['pk']}/board/")
        page.wait_for_selector("#live-status[data-state=connected]")
        page.evaluate(WATCH)
        cards = page.eval_on_selector_all("#wall .wall-card", "els => els.map(e => e.id)")
        themes = page.eval_on_selector_all(
            "#wall-themes [data-drop-theme]", "els => els.map(e => e.dataset.dropTheme)"
        )
        for _ in range(drags):
            card = rng.choice(cards)
            current = page.get_attribute(f"#{card}", "data-theme")
            theme = rng.choice([t for t in themes if t != current])
            zone = page.locator(f'#wall-themes [data-drop-theme="{theme}"]')
            zone.evaluate("e => e.scrollIntoView({block: 'nearest'})")
            source = page.locator(f"#{card} .note-text")
            # The middle of the screen: the sticky toolbar covers the top of the cards.
            source.evaluate("e => e.scrollIntoView({block: 'center'})")
            a = source.bounding_box()
            b = zone.bounding_box()
            page.evaluate("() => { window.__shown = {}; window.__confirmed = {}; }")
            page.mouse.move(a["x"] + 5, a["y"] + a["height"] / 2)
            page.mouse.down()
            page.mouse.move(b["x"] + 20, b["y"] + 10, steps=3)
            page.mouse.up()
            key = f"{card}:{theme}"
            page.wait_for_function(f"() => '{key}' in window.__confirmed", timeout=15_000)
            latencies.append(page.evaluate(f"() => window.__shown['{key}']"))
            confirmed.append(page.evaluate(f"() => window.__confirmed['{key}']"))
            page.wait_for_timeout(100)
        browser.close()
    return latencies, confirmed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", default="300,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--moves", type=int, default=100)
    parser.add_argument("--drags", type=int, default=30)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--db", default="labb_wall_bench")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8")
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = []
    for size in [int(n) for n in args.notes.split(",")]:
        from django.conf import settings
        from django.db import connections

        if settings.configured:  # the database is dropped and made again: let go of it
            for connection in connections.all():
                connection.close()
                if hasattr(connection, "close_pool"):
                    connection.close_pool()
        database_url = args.database_url.rsplit("/", 1)[0] + "/" + args.db
        prepare_database(args.database_url, args.db)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "labb.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": args.redis_url,
            "LOG_LEVEL": "WARNING",
            # In this process as in production (no query log, no debug templates); uvicorn
            # keeps DEBUG=1 so that it serves the static files without collectstatic.
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        }
        os.environ.update(env)
        env = {**env, "DEBUG": "1"}
        workshop = seed(size)
        for run in range(args.runs):
            moves, html = server_moves(workshop, args.moves, rng)
            with tempfile.TemporaryDirectory() as logs:
                server = LabbServer(env, Path(logs) / "server.log", port=args.port).start()
                try:
                    drags, confirmed = browser_drags(server.url, workshop, args.drags, rng)
                finally:
                    server.stop()
            rows.append((size, run + 1, moves, drags, html, confirmed))
            print(
                f"{size} notes, run {run + 1}: server p50 {statistics.median(moves):.1f} "
                f"p95 {percentile(moves, 0.95):.1f} ms; drop→screen p50 "
                f"{statistics.median(drags):.1f} p95 {percentile(drags, 0.95):.1f} ms; "
                f"drop→confirmed p50 {statistics.median(confirmed):.1f} "
                f"p95 {percentile(confirmed, 0.95):.1f} ms; wall {html['bytes'] / 1024:.0f} KiB",
                flush=True,
            )
        connections.close_all()
    print(
        f"\nload average {os.getloadavg()[0]:.1f} (a shared machine: CPU ms is this process "
        f"only); {args.moves} moves and {args.drags} drags per run"
    )
    print(
        "| notes | run | move, server p50 / p95 ms | its CPU p50 / p95 ms | "
        "drop → screen p50 / p95 ms | drop → confirmed p50 / p95 ms | "
        "wall HTML KiB (gzip) | wall render ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for size, run, moves, drags, html, confirmed in rows:
        print(
            f"| {size} | {run} | {statistics.median(moves):.1f} / {percentile(moves, 0.95):.1f} | "
            f"{html['cpu_p50']:.1f} / {html['cpu_p95']:.1f} | "
            f"{statistics.median(drags):.1f} / {percentile(drags, 0.95):.1f} | "
            f"{statistics.median(confirmed):.1f} / {percentile(confirmed, 0.95):.1f} | "
            f"{html['bytes'] / 1024:.0f} ({html['gzip'] / 1024:.0f}) | {html['render_ms']:.0f} |"
        )
    for size in sorted({row[0] for row in rows}):
        mine = [row for row in rows if row[0] == size]
        print(
            f"| {size} | median of {len(mine)} | "
            f"{statistics.median(statistics.median(r[2]) for r in mine):.1f} / "
            f"{statistics.median(percentile(r[2], 0.95) for r in mine):.1f} | "
            f"{statistics.median(r[4]['cpu_p50'] for r in mine):.1f} / "
            f"{statistics.median(r[4]['cpu_p95'] for r in mine):.1f} | "
            f"{statistics.median(statistics.median(r[3]) for r in mine):.1f} / "
            f"{statistics.median(percentile(r[3], 0.95) for r in mine):.1f} | "
            f"{statistics.median(statistics.median(r[5]) for r in mine):.1f} / "
            f"{statistics.median(percentile(r[5], 0.95) for r in mine):.1f} | "
            f"{mine[0][4]['bytes'] / 1024:.0f} ({mine[0][4]['gzip'] / 1024:.0f}) | "
            f"{statistics.median(r[4]['render_ms'] for r in mine):.0f} |"
        )


if __name__ == "__main__":
    main()
