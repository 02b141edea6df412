"""The benchmark harness itself, at a tiny size: it must start the stack, join phones, post
notes and find every acknowledged note in the database and on every screen exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.services


def test_the_live_loop_loses_and_duplicates_nothing_at_twenty_phones(tmp_path):
    db = (os.environ.get("TEST_DATABASE_NAME") or "test_labb") + "_bench_smoke"
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/6"
    completed = subprocess.run(
        [
            sys.executable, "-m", "bench.live",
            "--participants", "20", "--rate", "5", "--duration", "3", "--repeat", "1",
            "--workers", "1", "--screens", "2", "--groups", "3", "--port", "18699",
            "--db", db, "--redis-url", redis_url, "--out", str(tmp_path), "--no-render",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    result = json.loads((tmp_path / "latest.json").read_text())
    [size] = result["sizes"]
    [run] = size["runs"]
    assert size["joined"] == 20
    assert run["notes_acked"] >= 10
    assert run["lost"] == run["duplicated"] == 0
    assert run["phone_lost"] == run["phone_duplicated"] == 0
    assert run["phone_events_sent"] >= 2
    assert run["errors"] == {}
    assert size["stream_errors"] == {}
    assert result["db_check"]["missing_in_db"] == 0
    assert run["note_to_all_screens_ms"]["n"] == run["notes_acked"]
    # After the reveal each note also reaches every phone of its group (`pnote-<id>`).
    assert run["phone_note_lost"] == 0
    assert run["note_to_all_phones_ms"]["n"] == run["notes_acked"]
    assert (tmp_path / "latest.md").read_text().startswith("`uv run python -m bench.live")


def test_it_compares_two_runs_as_ratios():
    from bench.live import compare

    row = {
        "participants": 50,
        "rate": 10.0,
        "post_ms": {"p95": 20.0},
        "note_to_screen_ms": {"p95": 30.0},
        "note_to_all_screens_ms": {"p95": 40.0},
        "phone_event_ms": {"p95": None},
        "server_cpu_pct": [10.0, 10.0],
        "server_rss_mb": [100.0, 100.0],
    }
    slower = dict(row, post_ms={"p95": 40.0}, server_rss_mb=[120.0, 110.0])
    table = compare({"summary": [slower]}, {"summary": [row]})
    assert "| 50 | 10 | 2.00× | 1.00× | 1.00× | – | 1.00× | 1.20× |" in table


def test_a_status_event_delivered_late_under_a_newer_id_still_counts_once():
    """A stream sends an event published late with the newest id it already sent
    (workshops/views/stream.py, `_with_id`): the harness must count it as the status event
    it is, not lose the status's own id."""
    from bench.live import Stream

    phone = Stream("phone", 1, "/p/1/stream/", "", group_id=7)
    phone.on_frame(b'id: 10\nevent: note\ndata: <li class="own-note colour-a" id="pnote-5">', 1.0)
    phone.on_frame(b"id: 10\nevent: status\ndata: <p>open</p>", 2.0)  # its own id was 9
    phone.on_frame(b"id: 11\nevent: status\ndata: <p>open</p>", 3.0)

    assert phone.notes == {5: [1.0]}
    assert phone.status_arrivals == [2.0, 3.0]
    assert phone.late_statuses == 1
