"""Charts drawn on the server as inline SVG: no JavaScript and nothing fetched at run time."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

PALETTE = ("#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d")


def _number(value: float) -> str:
    return f"{value:.1f}"


def bar_chart(rows: Sequence[tuple[str, int]], *, title: str) -> SafeString:
    """Horizontal bars, one per (label, count), longest count full width."""
    label_width, bar_width, row_height = 190, 260, 24
    height = row_height * max(len(rows), 1) + 8
    width = label_width + bar_width + 50
    largest = max((count for _label, count in rows), default=0) or 1
    bars = []
    for index, (label, count) in enumerate(rows):
        y = 4 + index * row_height
        length = bar_width * count / largest
        bars.append(
            format_html(
                '<g class="bar" data-label="{label}" data-count="{count}">'
                '<text x="{tx}" y="{ty}" text-anchor="end" font-size="12">{label}</text>'
                '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{color}" rx="2"></rect>'
                '<text x="{cx}" y="{ty}" font-size="12">{count}</text></g>',
                label=label,
                count=count,
                tx=label_width - 6,
                ty=_number(y + row_height / 2 + 4),
                x=label_width,
                y=_number(y + 3),
                w=_number(length),
                h=row_height - 6,
                color=PALETTE[0],
                cx=_number(label_width + length + 5),
            )
        )
    return format_html(
        '<svg class="collab-bar-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-label="{title}" viewBox="0 0 {width} {height}" width="100%" '
        'style="max-width:{width}px"><title>{title}</title>{bars}</svg>',
        title=title,
        width=width,
        height=height,
        bars=format_html_join("", "{}", ((bar,) for bar in bars)),
    )


def radar_chart(
    axes: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    maximum: int = 5,
    title: str = "ふりかえりの視点",
) -> SafeString:
    """A radar (spider) chart: one axis per perspective, one polygon per (name, scores).

    The first series is drawn last, so that it stays on top; each series gets a colour of
    ``PALETTE`` in order and a legend entry below the chart.
    """
    size, radius = 560, 140
    cx, cy = size / 2, 190
    count = len(axes)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * value / maximum
        return cx + distance * math.cos(angle), cy + distance * math.sin(angle)

    def polygon(values: Sequence[float]) -> str:
        return " ".join(
            f"{_number(x)},{_number(y)}" for x, y in (point(i, v) for i, v in enumerate(values))
        )

    grid = format_html_join(
        "",
        '<polygon points="{}" fill="none" stroke="#ced4da" stroke-width="1"></polygon>',
        ((polygon([level] * count),) for level in range(1, maximum + 1)),
    )
    spokes = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ced4da"></line>',
        (
            (_number(cx), _number(cy), _number(x), _number(y))
            for x, y in (point(i, maximum) for i in range(count))
        ),
    )
    scale = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" fill="#6c757d">{}</text>',
        (
            (_number(cx + 3), _number(cy - radius * level / maximum - 2), level)
            for level in range(0, maximum + 1)
        ),
    )
    labels = []
    for index, axis in enumerate(axes):
        x, y = point(index, maximum + 0.75)
        anchor = "middle" if abs(x - cx) < 10 else ("start" if x > cx else "end")
        labels.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="{}" font-size="14">{}</text>',
                _number(x),
                _number(y + 4),
                anchor,
                axis,
            )
        )
    shapes = []
    for index in reversed(range(len(series))):
        name, values = series[index]
        color = PALETTE[index % len(PALETTE)]
        shapes.append(
            format_html(
                '<polygon class="radar-series" data-series="{name}" data-scores="{scores}" '
                'points="{points}" fill="{color}" fill-opacity="{opacity}" stroke="{color}" '
                'stroke-width="{stroke}"></polygon>',
                name=name,
                scores=",".join(str(v) for v in values),
                points=polygon(values),
                color=color,
                opacity="0.25" if index == 0 else "0.08",
                stroke="2.5" if index == 0 else "1.5",
            )
        )
    legend = format_html_join(
        "",
        '<g><rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
        '<text x="{}" y="{}" font-size="12">{}</text></g>',
        (
            (
                40 + (index % 4) * 125,
                392 + (index // 4) * 18,
                PALETTE[index % len(PALETTE)],
                56 + (index % 4) * 125,
                402 + (index // 4) * 18,
                name,
            )
            for index, (name, _values) in enumerate(series)
        ),
    )
    height = 410 + 18 * ((len(series) - 1) // 4 + 1)
    return format_html(
        '<svg class="collab-radar-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        'aria-label="{title}" viewBox="0 0 {size} {height}" width="100%" '
        'style="max-width:{size}px"><title>{title}</title>{grid}{spokes}{scale}{labels}'
        "{shapes}{legend}</svg>",
        title=title,
        size=size,
        height=height,
        grid=grid,
        spokes=spokes,
        scale=scale,
        labels=format_html_join("", "{}", ((label,) for label in labels)),
        shapes=format_html_join("", "{}", ((shape,) for shape in shapes)),
        legend=legend,
    )
