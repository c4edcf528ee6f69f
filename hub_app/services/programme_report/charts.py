"""Bar charts for the programme report, drawn with ReportLab's own graphics (no second chart library):
a month against the previous one, side by side, with the values written on the bars so the chart
reads without the table and prints well in black and white."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors

from hub_app.services.programme_report.fonts import BOLD, REGULAR

BRAND = colors.HexColor("#0b5f73")
PREVIOUS = colors.HexColor("#a9bccc")
INK = colors.HexColor("#14213d")
MUTED = colors.HexColor("#4a5568")
GRID = colors.HexColor("#d9dee7")
LABEL_SIZE = 7.5


@dataclass
class BarChart:
    """One chart: categories along one axis, one or two series (this month, the previous one)."""

    title: str
    categories: list[str]
    current: list[float]
    previous: list[float] | None = None
    current_label: str = ""
    previous_label: str = ""
    horizontal: bool = False
    value_text: Callable[[float], str] = str  # the number written at each bar, in the reader's locale
    whole: bool = True  # counts; False for rates and hours, whose axis may step by fractions
    limit: float | None = None  # the axis never goes past it (100 for percentages)


def axis_scale(values: Sequence[float], whole: bool) -> tuple[float, float]:
    """(top, step) of the value axis: about five round steps (1, 2, 2.5 or 5 times a power of ten)
    reaching a little above the largest value; steps of at least 1 for whole numbers (counts), so no
    two ticks read the same."""
    largest = max([*values, 0])
    wanted = largest * 1.1 / 5
    if wanted <= 0:
        return 1.0, 1.0 if whole else 0.2
    magnitude = 10 ** math.floor(math.log10(wanted))
    step = next(factor * magnitude for factor in (1, 2, 2.5, 5, 10) if factor * magnitude >= wanted)
    if whole:
        step = max(1.0, math.ceil(step))
    return step * math.ceil(largest * 1.1 / step), step


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _legend(drawing: Drawing, chart: BarChart, y: float) -> None:
    x = 0.0
    entries = [(chart.current_label, BRAND)]
    if chart.previous is not None:
        entries.append((chart.previous_label, PREVIOUS))
    for label, colour in entries:
        drawing.add(Rect(x, y, 8, 8, fillColor=colour, strokeColor=None))
        drawing.add(String(x + 11, y + 1, label, fontName=REGULAR, fontSize=LABEL_SIZE, fillColor=MUTED))
        x += 11 + len(label) * LABEL_SIZE * 0.55 + 14


def draw(chart: BarChart, width: float, height: float | None = None) -> Drawing:
    """The chart as a Drawing of `width` points (Platypus flowable): title, legend, bars, labels."""
    rows = len(chart.categories)
    series = [chart.current] + ([chart.previous] if chart.previous is not None else [])
    if height is None:
        height = (50 + rows * 13 * len(series) + rows * 6) if chart.horizontal else 170
    drawing = Drawing(width, height)
    # The renderer starts every drawing in this font (else Helvetica, which is not embedded).
    drawing.initialFontName = REGULAR
    drawing.add(String(0, height - 11, chart.title, fontName=BOLD, fontSize=9.5, fillColor=INK))
    if len(series) > 1 or chart.current_label:
        _legend(drawing, chart, height - 26)
    top = height - 34
    plot = HorizontalBarChart() if chart.horizontal else VerticalBarChart()
    fills = [BRAND, PREVIOUS][: len(series)]
    if chart.horizontal:
        # Horizontal groups stack their series bottom up: reversed, this month is on top, as in the legend.
        series, fills = series[::-1], fills[::-1]
    plot.data = [list(values) for values in series]
    if chart.horizontal:
        label_room = min(170.0, width * 0.38)
        plot.x, plot.y = label_room, 14
        plot.width, plot.height = width - label_room - 40, top - 18
        plot.categoryAxis.categoryNames = [_shorten(name, 34) for name in chart.categories]
        plot.categoryAxis.reverseDirection = True  # the first category on top, as it reads
        plot.categoryAxis.labels.boxAnchor = "e"
        plot.categoryAxis.labels.dx = -4
        plot.barLabels.boxAnchor = "w"
        plot.barLabels.dx = 3
    else:
        plot.x, plot.y = 28, 22
        plot.width, plot.height = width - 36, top - 30
        plot.categoryAxis.categoryNames = [_shorten(name, 12) for name in chart.categories]
        plot.categoryAxis.labels.boxAnchor = "n"
        plot.categoryAxis.labels.dy = -3
        plot.barLabels.boxAnchor = "s"
        plot.barLabels.dy = 2
    plot.categoryAxis.labels.fontName = REGULAR
    plot.categoryAxis.labels.fontSize = LABEL_SIZE
    plot.categoryAxis.labels.fillColor = INK
    plot.categoryAxis.strokeColor = MUTED
    plot.categoryAxis.tickShift = 0
    plot.valueAxis.valueMin = 0
    top, plot.valueAxis.valueStep = axis_scale([value for values in series for value in values], chart.whole)
    plot.valueAxis.valueMax = min(top, chart.limit) if chart.limit else top
    plot.valueAxis.labels.fontName = REGULAR
    plot.valueAxis.labels.fontSize = 6.5
    plot.valueAxis.labels.fillColor = MUTED
    plot.valueAxis.labelTextFormat = chart.value_text
    plot.valueAxis.strokeColor = None
    plot.valueAxis.visibleGrid = True
    plot.valueAxis.gridStrokeColor = GRID
    plot.valueAxis.gridStrokeWidth = 0.5
    plot.bars.strokeColor = None
    for index, fill in enumerate(fills):
        plot.bars[index].fillColor = fill
    plot.barSpacing = 1
    plot.groupSpacing = 6 if chart.horizontal else 8
    # A row of "0" under an empty weekday or hour says nothing; a horizontal 0 next to last month's bar does.
    plot.barLabelFormat = chart.value_text if chart.horizontal else (
        lambda value: chart.value_text(value) if value else "")
    plot.barLabels.fontName = REGULAR
    plot.barLabels.fontSize = 6.5
    plot.barLabels.fillColor = INK
    drawing.add(plot)
    return drawing
