"""Charts drawn on the server as inline SVG: no script, no CDN, crisp on any screen.

The drawing is sized for a phone (a 360-unit wide view box scaled to the screen width), with
few labels, and every chart carries a title and a description for screen readers; the page
also gives the same figures as a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 14, 30


def _scale_max(value: float) -> float:
    """A round top for the axis."""
    if value <= 0:
        return 1
    for step in (
        1,
        2,
        5,
        10,
        20,
        25,
        50,
        100,
        200,
        250,
        500,
        1000,
        2000,
        2500,
        5000,
        10000,
        20000,
        25000,
        50000,
        100000,
        200000,
        250000,
        500000,
        1000000,
    ):
        if value <= step * 4:
            return step * 4
    return value


def _axis(top_value: float, unit: str = "") -> SafeString:
    plot_h = HEIGHT - TOP - BOTTOM
    lines = []
    for i in range(5):
        value = top_value * i / 4
        y = TOP + plot_h - plot_h * i / 4
        label = f"{value:g}{unit}"
        lines.append((LEFT, _n(y), WIDTH - RIGHT, _n(y), LEFT - 4, _n(y + 3.5), label))
    return format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="chart-grid"/>'
        '<text x="{}" y="{}" class="chart-axis" text-anchor="end">{}</text>',
        lines,
    )


def bars_chart(
    *, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int], str]]
) -> SafeString:
    """Grouped bars, one group per label; series are (name, values, css class)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_value = _scale_max(max([v for _n, values, _c in series for v in values] or [0]))
    group_w = plot_w / max(1, len(labels))
    bar_w = max(2.0, group_w * 0.8 / max(1, len(series)))
    bars = []
    for gi, _label in enumerate(labels):
        for si, (name, values, css) in enumerate(series):
            value = values[gi]
            h = plot_h * value / top_value
            x = LEFT + gi * group_w + group_w * 0.1 + si * bar_w
            bars.append(
                (
                    css,
                    _n(x),
                    _n(TOP + plot_h - h),
                    _n(bar_w),
                    _n(h),
                    f"{labels[gi]} – {name}: {value}",
                )
            )
    body = format_html_join(
        "", '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>', bars
    )
    return _frame(title, labels, series, _axis(top_value), body)


def lines_chart(
    *, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]]
) -> SafeString:
    """Percentages (0–100) as lines with dots; a missing value breaks the line."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(labels))
    parts = []
    for name, values, css in series:
        points = []
        for i, value in enumerate(values):
            if value is None:
                continue
            x = LEFT + step * i + step / 2
            y = TOP + plot_h - plot_h * value / 100
            points.append((_n(x), _n(y), f"{labels[i]} – {name}: {value}%"))
        path = " ".join(f"{x},{y}" for x, y, _t in points)
        parts.append(format_html('<polyline class="{}" points="{}" fill="none"/>', css, path))
        parts.append(
            format_html_join(
                "",
                '<circle class="{}" cx="{}" cy="{}" r="3"><title>{}</title></circle>',
                ((css, x, y, t) for x, y, t in points),
            )
        )
    body = SafeString("".join(parts))
    return _frame(title, labels, series, _axis(100, "%"), body)


def _frame(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[object], str]],
    axis: SafeString,
    body: SafeString,
) -> SafeString:
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / max(1, len(labels))
    every = 1 if len(labels) <= 6 else 2
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" class="chart-axis" text-anchor="middle">{}</text>',
        (
            (_n(LEFT + step * i + step / 2), HEIGHT - BOTTOM + 13, label)
            for i, label in enumerate(labels)
            if i % every == (len(labels) - 1) % every
        ),
    )
    legend = format_html_join(
        "",
        '<rect class="{}" x="{}" y="{}" width="10" height="10"/>'
        '<text x="{}" y="{}" class="chart-legend">{}</text>',
        (
            (css, LEFT + i * 150, HEIGHT - 11, LEFT + 14 + i * 150, HEIGHT - 2, name)
            for i, (name, _v, css) in enumerate(series)
        ),
    )
    description = "; ".join(
        f"{name}: "
        + ", ".join(
            f"{label} {value if value is not None else '—'}"
            for label, value in zip(labels, values, strict=True)
        )
        for name, values, _css in series
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d" '
        'preserveAspectRatio="xMidYMid meet"><title id="{}-t">{}</title>'
        '<desc id="{}-d">{}</desc>{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        _id(title),
        _id(title),
        _id(title),
        title,
        _id(title),
        description,
        axis,
        body,
        ticks,
        legend,
    )


def _n(value: float) -> str:
    return f"{value:.1f}"


def _id(title: str) -> str:
    return "chart-" + str(abs(hash(title)) % 10_000_000)
