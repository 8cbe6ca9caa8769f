"""Geometry for small server-rendered SVG bar charts; templates/annotations/_bar_chart.html draws it.

Hand-rolled on purpose: four horizontal bar charts do not justify vendoring a JavaScript chart
library, and computing rectangles here keeps the template free of arithmetic while Django's
autoescaping still guards every label a user typed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

LABEL_WIDTH = 130
PLOT_WIDTH = 340
VALUE_WIDTH = 56
BAR_HEIGHT = 14
BAR_GAP = 2
ROW_GAP = 12
TOP = 8
AXIS_HEIGHT = 18


@dataclass
class Series:
    name: str
    color: str  # "" means: use each row's own colour


@dataclass
class ChartRow:
    label: str
    values: Sequence[float | int | None]
    color: str = "#888888"


@dataclass
class Bar:
    x: int
    y: int
    width: float
    height: int
    color: str
    value_text: str
    title: str
    text_x: float
    text_y: int


@dataclass
class PlacedRow:
    label: str
    label_y: float
    bars: list[Bar]


@dataclass
class Tick:
    x: float
    text: str


@dataclass
class BarChart:
    title: str
    width: int
    height: int
    plot_left: int
    plot_bottom: int
    rows: list[PlacedRow]
    series: list[Series]
    ticks: list[Tick] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows


def _nice_max(value: float) -> float:
    """The axis end for counts: four equal whole-number steps of 1, 2, 2.5 or 5 times a power of ten."""
    step = max(value, 1) / 4
    magnitude = 10 ** math.floor(math.log10(step))
    for factor in (1, 2, 2.5, 5, 10):
        candidate = factor * magnitude
        if candidate >= step and candidate == int(candidate):
            return 4 * candidate
    return 4 * 10 * magnitude  # pragma: no cover - factor 10 always fits


def bar_chart(
    *,
    title: str,
    rows: Sequence[ChartRow],
    series: Sequence[Series],
    max_value: float | None = None,
    fmt: Callable[[float | int | None], str] = lambda v: "—" if v is None else f"{v:g}",
) -> BarChart:
    """Lay out one horizontal bar per series per row; None and negative values draw no bar but still print."""
    values = [v for row in rows for v in row.values if v is not None]
    top = max_value if max_value is not None else _nice_max(max(values, default=0))
    per_row = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    placed = []
    y = TOP
    for row in rows:
        bars = []
        for i, (serie, value) in enumerate(zip(series, row.values, strict=True)):
            bar_y = y + i * (BAR_HEIGHT + BAR_GAP)
            # Below zero (a κ worse than chance) draws no bar; the printed value still says it.
            width = round(PLOT_WIDTH * max(0, min(value or 0, top)) / top, 1) if top else 0
            text = fmt(value)
            bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=bar_y,
                    width=width,
                    height=BAR_HEIGHT,
                    color=serie.color or row.color,
                    value_text=text,
                    title=f"{row.label} · {serie.name}: {text}" if serie.name else f"{row.label}: {text}",
                    text_x=LABEL_WIDTH + width + 4,
                    text_y=bar_y + BAR_HEIGHT - 3,
                )
            )
        placed.append(PlacedRow(label=row.label, label_y=y + per_row / 2 + 4, bars=bars))
        y += per_row + ROW_GAP
    ticks = [Tick(x=LABEL_WIDTH + PLOT_WIDTH * k / 4, text=f"{top * k / 4:g}") for k in range(5)]
    return BarChart(
        title=title,
        width=LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH,
        height=y + AXIS_HEIGHT,
        plot_left=LABEL_WIDTH,
        plot_bottom=y,
        rows=placed,
        series=list(series),
        ticks=ticks,
    )
