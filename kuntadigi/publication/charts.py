"""Horizontal bar charts laid out on the server, drawn as SVG by templates/publication/_chart.html.

A chart is a list of categories (rows), each with one bar per series (say "received" and "funded").
Each category's label sits above its bars, wrapped onto lines, so that long names need no room at the
side and the chart reads on a narrow screen; each bar carries its value as text at its end. Series
are told apart by fill (outlined or solid), by the legend and by their order, not by colour alone.
The same numbers, as the same texts, make the table that goes with every chart.

Everything here is pure: numbers in, coordinates (viewBox units) out.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 400  # viewBox units; the SVG scales to the width of its container
LABEL_LINE = 18  # height of a line of label text (font size 14)
LABEL_CHARS = 46  # characters on a line of label text before it wraps
BAR = 16  # height of a bar
BAR_GAP = 3  # between the bars of one category
ROW_GAP = 14  # between categories
VALUE_ROOM = 110  # room kept at the right for the value of the longest bar
VALUE_GAP = 5  # between the end of a bar and its value
MIN_BAR = 1.5  # a value above zero always shows


@dataclass(frozen=True)
class Series:
    key: str  # also the CSS class of its bars and legend swatch: bar-<key>
    label: str


@dataclass(frozen=True)
class Bar:
    series: Series
    value: Decimal
    text: str
    y: float
    length: float

    @property
    def text_x(self) -> float:
        return self.length + VALUE_GAP

    @property
    def text_y(self) -> float:
        return self.y + BAR - 3.5


@dataclass(frozen=True)
class Label:
    text: str
    y: float  # baseline


@dataclass(frozen=True)
class Row:
    category: str
    labels: tuple[Label, ...]
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    category_header: str  # the table's first column
    series: tuple[Series, ...]
    rows: tuple[Row, ...]
    height: float
    width: int = WIDTH

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height:g}"

    @property
    def table(self) -> list[tuple[str, list[str]]]:
        """The same numbers as the bars: (category, [text per series])."""
        return [(row.category, [bar.text for bar in row.bars]) for row in self.rows]


def bar_length(value: Decimal, maximum: Decimal, room: float) -> float:
    """How long a bar is: in proportion to the largest value of the chart, which fills `room`; a
    value above zero is never shorter than MIN_BAR, so that it shows."""
    if value <= 0 or maximum <= 0:
        return 0.0
    return round(max(MIN_BAR, float(Decimal(value) / Decimal(maximum)) * room), 1)


def wrap(text: str, width: int = LABEL_CHARS) -> list[str]:
    """A label on as many lines as it needs (words are not broken unless longer than a line)."""
    return textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=False) or [""]


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    category_header: str,
    series: Sequence[Series],
    categories: Sequence[str],
    values: Sequence[Sequence[Decimal | int]],
    texts: Sequence[Sequence[str]],
) -> BarChart:
    """Lay out a chart: `values[i][s]` is category i's value in series s, shown as `texts[i][s]`.
    Every series shares one scale (the largest value of the chart), so bars compare across series."""
    if not len(categories) == len(values) == len(texts):
        raise ValueError("one row of values and texts per category")
    if any(len(row) != len(series) for row in (*values, *texts)):
        raise ValueError("one value and one text per series")
    maximum = max((Decimal(value) for row in values for value in row), default=Decimal(0))
    room = WIDTH - VALUE_ROOM
    rows = []
    y = 0.0
    for category, row_values, row_texts in zip(categories, values, texts, strict=True):
        labels = []
        for line in wrap(category):
            y += LABEL_LINE
            labels.append(Label(text=line, y=y - 4))
        y += 2
        bars = []
        for one_series, value, text in zip(series, row_values, row_texts, strict=True):
            bars.append(Bar(series=one_series, value=Decimal(value), text=text, y=y, length=bar_length(Decimal(value), maximum, room)))
            y += BAR + BAR_GAP
        y += ROW_GAP - BAR_GAP
        rows.append(Row(category=category, labels=tuple(labels), bars=tuple(bars)))
    return BarChart(
        id=id,
        title=title,
        description=description,
        category_header=category_header,
        series=tuple(series),
        rows=tuple(rows),
        height=max(y, 1.0),
    )
