"""bench.pairs: a change is judged per cycle against the old runs around it, and against
the spread of the old runs themselves (the noise)."""

from __future__ import annotations

import json

import pytest

from bench import pairs


def _result(post_p95: float, cpu: float, render_ms: float | None = None) -> dict:
    run = {
        "rate": 50.0,
        "post_ms": {"p95": post_p95},
        "note_to_all_screens_ms": {"p95": post_p95},
        "server_cpu_pct": [cpu / 2, cpu / 2],
        "server_rss_mb": [100.0, 120.0],
    }
    result = {"sizes": [{"participants": 200, "runs": [run]}]}
    if render_ms is not None:
        result["render"] = [
            {
                "board": "20 groups × 15 notes",
                "view": "overview",
                "median_ms": render_ms,
                "queries": 9,
            }
        ]
    return result


def _write(folder, tree: str, index: int, result: dict) -> None:
    (folder / f"{tree}-{index}").mkdir()
    (folder / f"{tree}-{index}" / "latest.json").write_text(json.dumps(result))


def test_new_is_compared_with_the_old_runs_around_it_and_the_old_runs_with_each_other(tmp_path):
    # Cycle 1: old 100, new 200, old again 400 -> new / sqrt(100 * 400) = 1.0; noise 4.0.
    _write(tmp_path, "old", 1, _result(100, 50, render_ms=40))
    _write(tmp_path, "new", 1, _result(200, 60, render_ms=10))
    _write(tmp_path, "old2", 1, _result(400, 50, render_ms=40))
    # Cycle 2 is incomplete (no old2-2): it is left out.
    _write(tmp_path, "old", 2, _result(1, 1))
    _write(tmp_path, "new", 2, _result(1, 1))

    cycles = pairs.load_cycles(tmp_path)
    text = pairs.report(cycles)

    assert len(cycles) == 1
    assert text.startswith("1 cycles")
    post = next(line for line in text.splitlines() if line.startswith("| post p95"))
    assert post == "| post p95 ms | 250.0 | 200.0 | 1.00 [1.00–1.00] | 4.00 [4.00–4.00] |"
    cpu = next(line for line in text.splitlines() if line.startswith("| server CPU"))
    assert "| 1.20 [1.20–1.20] | 1.00 [1.00–1.00] |" in cpu
    assert "| RSS max MB | 120.0 | 120.0 |" in text
    assert "20 groups × 15 notes, overview (queries 9 → 9) | 40.0 | 10.0 | 0.25" in text


def test_a_folder_without_a_complete_cycle_is_refused(tmp_path, capsys, monkeypatch):
    _write(tmp_path, "old", 1, _result(100, 50))
    monkeypatch.setattr("sys.argv", ["bench.pairs", str(tmp_path)])
    with pytest.raises(SystemExit) as exited:
        pairs.main()
    assert exited.value.code == 2
    assert "no complete cycle" in capsys.readouterr().err
