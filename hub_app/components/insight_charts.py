"""Charts and their tables for /admin/insights, and the read-model rows they draw.

The charts are Recharts (Reflex's rx.recharts). Reflex compiles them into the /admin/insights route's
own JavaScript chunk, so no member or visitor page loads the library (README "Insights"); only
pages/admin_insights.py may import this module. Every chart is drawn for the eye only (aria-hidden,
not focusable) and has the same numbers beside it as a real <table> with a caption and header cells,
which is what screen readers read and what stays exact on a phone.

Styles are Reflex style dicts (emitted with this route's chunk), not hub.css, for the same reason.
"""

from dataclasses import dataclass
from typing import Any

import reflex as rx

from hub_app.components.regions import scroll_region
from hub_app.state.i18n import t

BRAND = "#0b5f73"
PREVIOUS = "#8b98a9"
ROW_HEIGHT = 34  # px per category in a bar chart
PAIR_ROW_HEIGHT = 52
# Heat map cells: background and text colour per level (0 = nothing booked); each pair has a
# contrast of at least 4.5:1.
HEAT_COLOURS = [("#ffffff", "#4a5568"), ("#e3f1f4", "#14213d"), ("#b4dbe3", "#14213d"),
                ("#2b7d90", "#ffffff"), ("#0b4655", "#ffffff")]


@dataclass
class Headline:
    """A headline figure as shown: its value, the previous period's, the change as an arrow and in
    words (for screen readers)."""

    key: str
    label: str
    value: str
    previous: str
    arrow: str
    said: str


@dataclass
class Bar:
    label: str
    value: float  # what the bar's length shows (a percentage for rates)
    text: str  # the value as written in the table and beside the bar


@dataclass
class PairBar:
    """One figure in this period and the previous one."""

    label: str
    current: float
    previous: float
    current_text: str
    previous_text: str


@dataclass
class SpaceLine:
    name: str
    use_rate: str
    booked_hours: str
    capacity_hours: str
    bookings: int
    checked_in: int
    no_shows: int


@dataclass
class HeatCell:
    text: str
    level: int  # 0-4, see HEAT_COLOURS


@dataclass
class HeatRow:
    hour: str
    cells: list[HeatCell]


@dataclass
class TrainingLine:
    title: str
    topic: str
    sessions: int
    attendances: int
    enrolled: int
    attendance_rate: str


# --- layout -----------------------------------------------------------------------------------------

SECTION_STYLE = {"margin_top": "1rem", "& > h2": {"margin_top": "0"}}
HEADLINES_STYLE = {
    "display": "grid", "gap": ".6rem", "grid_template_columns": "repeat(auto-fill, minmax(9rem, 1fr))",
    "margin": "0 0 1rem",
}
HEADLINE_STYLE = {"background": "var(--card)", "border": "1px solid var(--line)", "border_radius": "var(--radius)",
                  "padding": ".7rem .8rem", "display": "flex", "flex_direction": "column", "gap": ".15rem"}
# Chart and table side by side from a laptop's width, one above the other on a phone.
BLOCK_STYLE = {
    "display": "grid", "gap": "1rem", "grid_template_columns": "minmax(0, 1fr)", "margin": "1rem 0 1.5rem",
    "@media (min-width: 900px)": {"grid_template_columns": "minmax(0, 3fr) minmax(0, 2fr)", "align_items": "start"},
}
TABLE_STYLE = {
    "font_size": ".9rem",
    "& th, & td": {"padding": ".4rem .5rem", "white_space": "nowrap"},
    "& th[scope=row]": {"white_space": "normal", "min_width": "8rem", "font_weight": "500"},
    "& td": {"text_align": "right", "font_variant_numeric": "tabular-nums"},
    "& thead th": {"font_size": ".8rem", "color": "var(--muted)", "white_space": "normal", "vertical_align": "bottom"},
}
HEAT_STYLE = {
    "border_collapse": "separate", "border_spacing": "2px", "font_size": ".8rem", "width": "auto",
    "min_width": "100%",
    "& caption": {"text_align": "left", "font_size": ".8rem", "color": "var(--muted)", "padding": "0 0 .4rem"},
    "& th": {"padding": ".25rem .3rem", "border": "0", "font_size": ".75rem", "color": "var(--muted)",
             "text_align": "center"},
    "& td": {"padding": ".3rem .2rem", "border": "0", "text_align": "center", "min_width": "2.4rem",
             "border_radius": "4px", "font_variant_numeric": "tabular-nums"},
}


def section(title_key: str, test_id: str, *children: rx.Component) -> rx.Component:
    return rx.el.section(rx.el.h2(t(title_key)), *children, class_name="card", style=SECTION_STYLE,
                         data_testid=test_id)


WIDE_TABLE_STYLE = {**BLOCK_STYLE,
                    "@media (min-width: 900px)": {"grid_template_columns": "minmax(0, 2fr) minmax(0, 3fr)",
                                                  "align_items": "start"}}


def block(title_key: str, chart: rx.Component, table: rx.Component, test_id: str, *,
          wide_table: bool = False) -> rx.Component:
    """One chart and its table under a heading: side by side on a laptop, stacked on a phone."""
    return rx.el.div(rx.el.h3(t(title_key)),
                     rx.el.div(chart, table, style=WIDE_TABLE_STYLE if wide_table else BLOCK_STYLE),
                     data_testid=test_id)


def _headline(row: Headline) -> rx.Component:
    return rx.el.div(
        rx.el.span(row.label, class_name="muted small"),
        rx.el.strong(row.value, style={"font_size": "1.5rem", "line_height": "1.15"}),
        rx.el.span(row.arrow, aria_hidden="true", class_name="small"),
        rx.el.span(row.said, class_name="sr-only"),
        rx.el.span(row.previous, aria_hidden="true", class_name="muted small"),
        role="listitem", style=HEADLINE_STYLE, data_testid="insights-headline-" + row.key,
    )


def headlines(rows: rx.Var) -> rx.Component:
    # A grid of divs in list roles: hub.css indents every <ul>, and these are cards.
    return rx.el.div(rx.foreach(rows, _headline), style=HEADLINES_STYLE, role="list")


# --- charts -----------------------------------------------------------------------------------------

def _chart_frame(chart: rx.Component, test_id: str) -> rx.Component:
    """For the eye only: the table beside it carries the same numbers for everyone else."""
    return rx.el.div(chart, aria_hidden="true", data_testid=test_id, style={"min_width": "0"})


def _quiet() -> dict:
    # Recharts 3 makes the chart a focusable "application" by default; here it is a picture of the
    # table next to it, so it takes no focus (an aria-hidden element must not be focusable).
    return {"custom_attrs": {"accessibilityLayer": False}, "margin": {"top": 4, "right": 48, "bottom": 4, "left": 4}}


def bar_chart(rows: rx.Var, *, percent: bool = False, test_id: str = "insights-chart") -> rx.Component:
    """Horizontal bars, one per row (label, value), each with its value written beside it."""
    chart = rx.recharts.bar_chart(
        rx.recharts.x_axis(type_="number", hide=True, domain=[0, 100] if percent else [0, "auto"]),
        rx.recharts.y_axis(data_key="label", type_="category", width=128, tick_line=False,
                           tick={"fontSize": 12, "fill": "#14213d"}),
        rx.recharts.bar(rx.recharts.label_list(data_key="text", position="right", fill="#14213d", font_size=12),
                        data_key="value", fill=BRAND, bar_size=16, is_animation_active=False),
        data=rows.to(list[dict[str, Any]]), layout="vertical", height=rows.length().to(int) * ROW_HEIGHT + 8,
        **_quiet(),
    )
    return rx.cond(rows.length() > 0, _chart_frame(chart, test_id))


def pair_chart(rows: rx.Var, *, percent: bool = False, test_id: str = "insights-chart") -> rx.Component:
    """Two bars per figure: this period (dark) and the previous one (grey), with a legend."""
    chart = rx.recharts.bar_chart(
        rx.recharts.x_axis(type_="number", hide=True, domain=[0, 100] if percent else [0, "auto"]),
        rx.recharts.y_axis(data_key="label", type_="category", width=128, tick_line=False,
                           tick={"fontSize": 12, "fill": "#14213d"}),
        rx.recharts.bar(rx.recharts.label_list(data_key="current_text", position="right", fill="#14213d",
                                               font_size=12),
                        data_key="current", fill=BRAND, bar_size=14,
                        is_animation_active=False),
        rx.recharts.bar(rx.recharts.label_list(data_key="previous_text", position="right", fill="#4a5568",
                                               font_size=12),
                        data_key="previous", fill=PREVIOUS, bar_size=14,
                        is_animation_active=False),
        data=rows.to(list[dict[str, Any]]), layout="vertical", height=rows.length().to(int) * PAIR_ROW_HEIGHT,
        **_quiet(),
    )
    return _chart_frame(rx.fragment(_legend(), chart), test_id)


def _swatch(colour: str, label_key: str) -> rx.Component:
    return rx.el.span(rx.el.span(style={"display": "inline-block", "width": ".8rem", "height": ".8rem",
                                        "background": colour, "border_radius": "2px", "margin_right": ".3rem"}),
                      t(label_key), style={"margin_right": "1rem"})


def _legend() -> rx.Component:
    """Recharts' own legend names its icons in English ("… legend icon"); this one is translated."""
    return rx.el.p(_swatch(BRAND, "insights.col.current"), _swatch(PREVIOUS, "insights.col.previous"),
                   class_name="small muted", style={"margin": "0 0 .25rem"})


# --- tables -----------------------------------------------------------------------------------------

def table(caption_key: str, column_keys: list[str], rows: rx.Var, render_row, test_id: str) -> rx.Component:
    """A real table (caption, column and row headers) in a box that scrolls sideways on its own when
    it is wider than a phone."""
    return scroll_region(
        rx.el.table(
            # The heading above names the table on screen; its caption names it for screen readers.
            rx.el.caption(t(caption_key), class_name="sr-only"),
            rx.el.thead(rx.el.tr(*[rx.el.th(t(key), scope="col") for key in column_keys])),
            rx.el.tbody(rx.foreach(rows, render_row)),
            style=TABLE_STYLE,
        ),
        label=t(caption_key), class_name="table-wrap", data_testid=test_id,
    )


def bar_row(row: Bar) -> rx.Component:
    return rx.el.tr(rx.el.th(row.label, scope="row"), rx.el.td(row.text))


def pair_row(row: PairBar) -> rx.Component:
    return rx.el.tr(rx.el.th(row.label, scope="row"), rx.el.td(row.current_text), rx.el.td(row.previous_text))


def space_row(row: SpaceLine) -> rx.Component:
    return rx.el.tr(rx.el.th(row.name, scope="row"), rx.el.td(row.use_rate), rx.el.td(row.booked_hours),
                    rx.el.td(row.capacity_hours), rx.el.td(row.bookings), rx.el.td(row.checked_in),
                    rx.el.td(row.no_shows))


def training_row(row: TrainingLine) -> rx.Component:
    return rx.el.tr(rx.el.th(row.title, scope="row"), rx.el.td(row.topic, style={"text_align": "left"}),
                    rx.el.td(row.sessions), rx.el.td(row.attendances), rx.el.td(row.enrolled),
                    rx.el.td(row.attendance_rate))


def counts(title_key: str, rows: rx.Var, column_key: str, test_id: str, *, percent: bool = False) -> rx.Component:
    """A bar chart of counts (or rates) per label and its two-column table; a line when empty."""
    return rx.el.div(
        rx.el.h3(t(title_key)),
        rx.cond(
            rows.length() > 0,
            rx.el.div(bar_chart(rows, percent=percent, test_id=test_id + "-chart"),
                      table(title_key, [column_key, "insights.col.count"], rows, bar_row, test_id + "-table"),
                      style=BLOCK_STYLE),
            rx.el.p(t("insights.empty"), class_name="muted"),
        ),
        data_testid=test_id,
    )


# --- the heat map -------------------------------------------------------------------------------------

def _heat_cell(cell: HeatCell) -> rx.Component:
    colours = [rx.match(cell.level, *[(level, pair[index]) for level, pair in enumerate(HEAT_COLOURS)],
                        HEAT_COLOURS[0][index]) for index in (0, 1)]
    return rx.el.td(cell.text, style={"background": colours[0], "color": colours[1]})


def _heat_row(row: HeatRow) -> rx.Component:
    return rx.el.tr(rx.el.th(row.hour, scope="row"), rx.foreach(row.cells, _heat_cell))


def heat_map(weekdays: rx.Var, rows: rx.Var) -> rx.Component:
    """Weekdays as columns and the hours of the day as rows, each cell coloured by the hours booked in
    it and written with the number: the chart and its table in one, seven columns wide so that it
    fits a phone."""
    return scroll_region(
        rx.el.table(
            rx.el.caption(t("insights.heat_caption")),
            rx.el.thead(rx.el.tr(rx.el.th(t("insights.col.hour"), scope="col"),
                                 rx.foreach(weekdays, lambda day: rx.el.th(day, scope="col")))),
            rx.el.tbody(rx.foreach(rows, _heat_row)),
            style=HEAT_STYLE,
        ),
        label=t("insights.heat_caption"), class_name="table-wrap", data_testid="insights-heat-map",
    )
