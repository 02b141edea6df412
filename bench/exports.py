"""Export time and peak memory per kind, for a 20-group 300-note workshop and a
2,000-note challenge (five such workshops of 400 notes).

    uv run python bench/exports.py [--runs 5] [--boards workshop-300] [--kinds pdf]

Each (board, kind) pair runs in its own subprocess so peak RSS (ru_maxrss) belongs to that
export alone; inside it the render is timed `runs` times and the median is reported,
with tracemalloc's peak of Python allocations measured on one extra run.
Prints a markdown table and writes bench/results/exports.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ["poster", "pdf", "csv", "xlsx", "archive"]
BOARDS = ["workshop-300", "challenge-2000"]


def child(board: str, kind: str, runs: int) -> None:
    import resource
    import time
    import tracemalloc

    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labb.settings")
    import django

    django.setup()
    from django.utils import translation
    from exports.factories import make_challenge, make_workshop

    from workshops import exports

    translation.activate("sv")
    snapshot = make_workshop() if board == "workshop-300" else make_challenge()
    render = getattr(exports, f"render_{kind}")
    render(snapshot)  # warm: fonts, imports
    times, cpu_times = [], []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), time.process_time()
        out = render(snapshot)
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    tracemalloc.start()
    render(snapshot)
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = sum(len(b) for b in out) if isinstance(out, list) else len(out)
    print(
        json.dumps(
            {
                "board": board,
                "kind": kind,
                "notes": snapshot.note_count,
                "median_s": statistics.median(times),
                "max_s": max(times),
                # CPU time of the process: on a shared, loaded machine the wall time waits
                # for other work, this does not.
                "median_cpu_s": statistics.median(cpu_times),
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "tracemalloc_peak_mb": traced / 2**20,
                "output_kb": size / 1024,
                "pages": len(out) if isinstance(out, list) else None,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("BOARD", "KIND"))
    parser.add_argument("--boards", nargs="+", choices=BOARDS, default=BOARDS)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=KINDS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.runs)
        return
    results = []
    for board in args.boards:
        for kind in args.kinds:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", board, kind, "--runs", str(args.runs)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, median of {args.runs}\n")
    print(
        "| board | kind | notes | median s | median CPU s | peak RSS MB | tracemalloc peak MB "
        "| output KB |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['board']} | {r['kind']} | {r['notes']} | {r['median_s']:.2f} | "
            f"{r['median_cpu_s']:.2f} | "
            f"{r['peak_rss_mb']:.0f} | {r['tracemalloc_peak_mb']:.0f} | {r['output_kb']:.0f} |"
        )
    if (args.boards, args.kinds) != (BOARDS, KINDS):
        return  # a partial run leaves the full results file as it is
    out = ROOT / "bench" / "results" / "exports.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "runs": args.runs,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
