"""Latency against rate (or against the number of phones) from `bench.live` results, as a
small SVG for docs/benchmarks.md. Plain SVG text: no plotting library for one chart.

    uv run python -m bench.plot bench/results/a.json [b.json …] --x rate --out docs/x.svg

Each results file is one series per number of phones (or per rate with `--x participants`),
labelled with the file's `--label` (default: its git commit). The y axis is logarithmic:
the figures run from a few milliseconds to seconds under overload.
"""

from __future__ import annotations

import argparse
import json
import math
from html import escape
from pathlib import Path

WIDTH, HEIGHT = 720, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 200, 30, 50
COLOURS = ["#1f5fa8", "#b3261e", "#1e7b34", "#7a4cb0", "#b05a00", "#00707a", "#555555"]
METRICS = {
    "all": ("note_to_all_screens_ms", "note → every screen, p95"),
    "post": ("post_ms", "post, p95"),
    "phone": ("phone_event_ms", "event → phones, p95"),
    "phones": ("note_to_all_phones_ms", "note → every phone of its group, p95"),
}


def series(result: dict, *, x: str, metric: str, label: str) -> list[tuple[str, list]]:
    """[(name, [(x, y), …]), …] from one results file."""
    key, _title = METRICS[metric]
    by_line: dict[float, list[tuple[float, float]]] = {}
    for row in result["summary"]:
        value = row[key]["p95"]
        if value is None:
            continue
        line, at = (
            (row["participants"], row["rate"])
            if x == "rate"
            else (row["rate"], row["participants"])
        )
        by_line.setdefault(line, []).append((at, value))
    unit = "phones" if x == "rate" else "notes/s"
    return [
        (f"{label}, {line:g} {unit}", sorted(points)) for line, points in sorted(by_line.items())
    ]


def svg(lines: list[tuple[str, list]], *, x_title: str, y_title: str, goal: float | None) -> str:
    xs = [px for _name, points in lines for px, _py in points]
    ys = [py for _name, points in lines for _px, py in points] + ([goal] if goal else [])
    x_max = max(xs) * 1.05
    y_lo = 10 ** math.floor(math.log10(max(min(ys), 0.1)))
    y_hi = 10 ** math.ceil(math.log10(max(ys)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(value: float) -> float:
        return LEFT + value / x_max * plot_w

    def py(value: float) -> float:
        span = math.log10(y_hi) - math.log10(y_lo)
        return TOP + plot_h - (math.log10(max(value, y_lo)) - math.log10(y_lo)) / span * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="t">',
        f'<title id="t">{escape(y_title)} against {escape(x_title)}</title>',
        "<style>text{font:12px sans-serif;fill:#222}.grid{stroke:#ddd}</style>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
    ]
    decade = y_lo
    while decade <= y_hi:
        y = py(decade)
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{decade:g}</text>')
        decade *= 10
    step = _nice_step(x_max)
    tick = 0.0
    while tick <= x_max:
        x = px(tick)
        out.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>')
        out.append(
            f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{tick:g}</text>'
        )
        tick += step
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 10}" text-anchor="middle">{escape(x_title)}</text>'
    )
    out.append(
        f'<text transform="translate(16 {TOP + plot_h / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_title)} (ms, log)</text>'
    )
    if goal:
        y = py(goal)
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#000" stroke-dasharray="5 4"/>'
        )
        out.append(
            f'<text x="{LEFT + plot_w - 4}" y="{y - 5:.1f}" text-anchor="end">goal {goal:g} ms</text>'
        )
    for index, (name, points) in enumerate(lines):
        colour = COLOURS[index % len(COLOURS)]
        path = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in points)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for a, b in points:
            out.append(f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="3" fill="{colour}"/>')
        y = TOP + 10 + index * 18
        out.append(
            f'<line x1="{WIDTH - RIGHT + 12}" x2="{WIDTH - RIGHT + 32}" y1="{y}" y2="{y}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        out.append(f'<text x="{WIDTH - RIGHT + 38}" y="{y + 4}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nice_step(span: float) -> float:
    raw = span / 6
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", help="bench.live results JSON files")
    parser.add_argument("--label", action="append", default=[], help="one per results file")
    parser.add_argument("--x", choices=["rate", "participants"], default="rate")
    parser.add_argument("--metric", choices=sorted(METRICS), default="all")
    parser.add_argument("--goal", type=float, default=50.0, help="dashed goal line (ms)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    lines = []
    for index, path in enumerate(args.results):
        result = json.loads(Path(path).read_text())
        label = args.label[index] if index < len(args.label) else str(result.get("git", ""))[:7]
        lines += series(result, x=args.x, metric=args.metric, label=label)
    x_title = "notes per second" if args.x == "rate" else "phones listening"
    text = svg(lines, x_title=x_title, y_title=METRICS[args.metric][1], goal=args.goal)
    Path(args.out).write_text(text)
    print(f"wrote {args.out} ({len(lines)} series)")
    return text


if __name__ == "__main__":
    main()
