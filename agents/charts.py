"""Server-side SVG for the per-agent performance chart (no JavaScript, no build step).

Bars: executions per day (left axis). Line: success rate (right axis, 0-100%),
broken on days without executions. A dashed line marks the minimum success
rate from settings. Every label is escaped; the result is safe to inline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 20, 44


@dataclass(frozen=True)
class DayPoint:
    day: date
    executions: int
    success_rate: float | None  # None without executions


TICKS = 4  # intervals on the executions axis


def nice_step(value: float) -> int:
    """Smallest whole 1/2/5 x 10^k at or above ``value`` (at least 1): one tick interval."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)  # pragma: no cover


def axis_max(largest: int) -> int:
    """Top of the executions axis: TICKS whole, round intervals covering ``largest``."""
    return TICKS * nice_step(largest / TICKS)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def daily_chart_svg(points: list[DayPoint], *, min_success_rate: float | None = None, title: str = "") -> SafeString:
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    n = max(len(points), 1)
    y_max = axis_max(max((p.executions for p in points), default=0))
    slot = plot_w / n
    bar_w = max(slot * 0.7, 1.0)

    def y_exec(v):
        return TOP + plot_h - plot_h * v / y_max

    def y_rate(r):
        return TOP + plot_h - plot_h * r

    out = [
        f'<svg class="rf-agent-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" role="img" aria-labelledby="rf-chart-title rf-chart-desc" font-family="sans-serif" font-size="11">',
        f'<title id="rf-chart-title">{escape(title or "Daily executions and success rate")}</title>',
        '<desc id="rf-chart-desc">Bars: executions per day (left axis). Line: success rate (right axis).</desc>',
    ]
    # Grid and left axis ticks (executions), right axis ticks (success rate).
    for i in range(TICKS + 1):
        frac = i / TICKS
        y = TOP + plot_h - plot_h * frac
        out.append(f'<line class="rf-grid" x1="{LEFT}" y1="{_fmt(y)}" x2="{LEFT + plot_w}" y2="{_fmt(y)}" stroke="#8888" stroke-width="0.5"/>')
        out.append(f'<text class="rf-tick-left" x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end" fill="currentColor">{y_max * i // TICKS:,}</text>')
        out.append(f'<text class="rf-tick-right" x="{LEFT + plot_w + 6}" y="{_fmt(y + 4)}" fill="currentColor">{int(frac * 100)}%</text>')
    # Bars.
    for i, p in enumerate(points):
        x = LEFT + i * slot + (slot - bar_w) / 2
        y = y_exec(p.executions)
        rate = "no executions" if p.success_rate is None else f"{p.success_rate:.1%} success"
        out.append(
            f'<rect class="rf-bar" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_w)}" height="{_fmt(TOP + plot_h - y)}" fill="#79aec8">'
            f"<title>{p.day.isoformat()}: {p.executions:,} executions, {rate}</title></rect>"
        )
    # Threshold.
    if min_success_rate is not None:
        y = y_rate(min_success_rate)
        out.append(
            f'<line class="rf-threshold" x1="{LEFT}" y1="{_fmt(y)}" x2="{LEFT + plot_w}" y2="{_fmt(y)}" '
            f'stroke="#ba2121" stroke-width="1" stroke-dasharray="5 4"><title>minimum success rate {min_success_rate:.0%}</title></line>'
        )
    # Success-rate line, one polyline per run of days with executions.
    runs, current = [], []
    for i, p in enumerate(points):
        if p.success_rate is None:
            if current:
                runs.append(current)
            current = []
            continue
        current.append((LEFT + i * slot + slot / 2, y_rate(p.success_rate)))
    if current:
        runs.append(current)
    for run in runs:
        coords = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in run)
        out.append(f'<polyline class="rf-rate" points="{coords}" fill="none" stroke="#2e7d32" stroke-width="2"/>')
        for x, y in run:
            out.append(f'<circle class="rf-rate-point" cx="{_fmt(x)}" cy="{_fmt(y)}" r="2.5" fill="#2e7d32"/>')
    # Axes.
    out.append(f'<line class="rf-axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="currentColor"/>')
    out.append(f'<line class="rf-axis" x1="{LEFT + plot_w}" y1="{TOP}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="currentColor"/>')
    out.append(f'<line class="rf-axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="currentColor"/>')
    # X labels: at most about 8, the first day, and the last one unless it would collide with its neighbour.
    every = max(1, math.ceil(n / 8))
    last = len(points) - 1
    for i, p in enumerate(points):
        if i % every == 0 or (i == last and last % every >= every / 2):
            x = LEFT + i * slot + slot / 2
            out.append(
                f'<text class="rf-xlabel" x="{_fmt(x)}" y="{TOP + plot_h + 16}" text-anchor="middle" fill="currentColor">{p.day:%b %d}</text>'
            )
    out.append(
        f'<text class="rf-axis-title" x="14" y="{TOP + plot_h / 2}" transform="rotate(-90 14 {TOP + plot_h / 2})" '
        f'text-anchor="middle" fill="currentColor">Executions</text>'
    )
    out.append(
        f'<text class="rf-axis-title" x="{WIDTH - 10}" y="{TOP + plot_h / 2}" transform="rotate(90 {WIDTH - 10} {TOP + plot_h / 2})" '
        f'text-anchor="middle" fill="currentColor">Success rate</text>'
    )
    out.append(
        f'<text class="rf-axis-title" x="{LEFT + plot_w / 2}" y="{HEIGHT - 6}" text-anchor="middle" fill="currentColor">Day (UTC)</text>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))
