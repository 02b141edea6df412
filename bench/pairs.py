"""Two trees compared in the same session: `bench.live` runs of the old and the new code,
alternating old, new, old again, and how far apart they are against the noise.

On a shared 2-CPU machine the same code gives p95 figures that differ by 2-8× from one run
to the next near saturation, and a committed baseline from another day differs from today
by more than any change does. So a change is judged in cycles of three runs (old, new, old
again, each tree pinned in its own worktree): per cycle, new against the geometric mean of
the two old runs around it, and the old runs against each other (old' / old), which is the
noise. A ratio that stays inside the noise is no regression.

    # per cycle i, one run each, in this order (the same arguments for all three):
    #   (cd old-tree && uv run python -m bench.live … --out /tmp/ab/old-$i)
    #   (cd new-tree && uv run python -m bench.live … --out /tmp/ab/new-$i)
    #   (cd old-tree && uv run python -m bench.live … --out /tmp/ab/old2-$i)
    uv run python -m bench.pairs /tmp/ab

Each `--out` folder holds the run's `latest.json`. Prints a Markdown table per size and
rate, and the board render (when the runs did not pass `--no-render`).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from collections.abc import Callable
from pathlib import Path

METRICS: list[tuple[str, Callable[[dict], float]]] = [
    ("post p95 ms", lambda run: run["post_ms"]["p95"]),
    ("note → every screen p95 ms", lambda run: run["note_to_all_screens_ms"]["p95"]),
    ("server CPU %, all processes", lambda run: sum(run["server_cpu_pct"])),
    ("RSS max MB", lambda run: max(run["server_rss_mb"])),
]


def load_cycles(folder: Path) -> list[dict[str, dict]]:
    """The complete cycles in `folder`: {"old": result, "new": result, "old2": result}."""
    cycles = []
    index = 1
    while True:
        paths = {
            tree: folder / f"{tree}-{index}" / "latest.json" for tree in ("old", "new", "old2")
        }
        if not all(path.exists() for path in paths.values()):
            break
        cycles.append({tree: json.loads(path.read_text()) for tree, path in paths.items()})
        index += 1
    return cycles


def _runs(result: dict) -> dict[tuple[int, int], dict]:
    return {
        (size["participants"], round(run["rate"])): run
        for size in result["sizes"]
        for run in size["runs"]
    }


def _span(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}–{max(values):.2f}]"


def _row(label: str, old: list[float], new: list[float], old2: list[float]) -> str:
    """One metric over the cycles: medians, new / old per cycle, old' / old per cycle."""
    against = [n / math.sqrt(a * b) for a, n, b in zip(old, new, old2, strict=True)]
    noise = [b / a for a, b in zip(old, old2, strict=True)]
    return (
        f"| {label} | {statistics.median(old + old2):.1f} | {statistics.median(new):.1f} "
        f"| {_span(against)} | {_span(noise)} |"
    )


def report(cycles: list[dict[str, dict]]) -> str:
    header = (
        "| {what} | old, median | new, median | new / old per cycle: median [range] "
        "| old' / old (noise): median [range] |\n|---|---|---|---|---|"
    )
    lines = [f"{len(cycles)} cycles of old, new, old again."]
    for key in sorted(_runs(cycles[0]["old"])):
        lines += ["", f"{key[0]} phones × {key[1]} notes/s", "", header.format(what="metric")]
        for label, metric in METRICS:
            values = {
                tree: [metric(_runs(cycle[tree])[key]) for cycle in cycles]
                for tree in ("old", "new", "old2")
            }
            lines.append(_row(label, values["old"], values["new"], values["old2"]))
    if all(cycle[tree].get("render") for cycle in cycles for tree in cycle):
        lines += ["", "Board render, median ms", "", header.format(what="board and view")]
        for index, first in enumerate(cycles[0]["old"]["render"]):
            values = {
                tree: [cycle[tree]["render"][index]["median_ms"] for cycle in cycles]
                for tree in ("old", "new", "old2")
            }
            queries = f"{first['queries']} → {cycles[0]['new']['render'][index]['queries']}"
            label = f"{first['board']}, {first['view']} (queries {queries})"
            lines.append(_row(label, values["old"], values["new"], values["old2"]))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="holds old-1/, new-1/, old2-1/, old-2/ …")
    args = parser.parse_args()
    cycles = load_cycles(args.folder)
    if not cycles:
        parser.error(f"no complete cycle (old-1, new-1, old2-1) in {args.folder}")
    print(report(cycles))


if __name__ == "__main__":
    main()
