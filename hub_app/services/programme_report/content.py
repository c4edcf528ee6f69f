"""What the programme report says, in the reader's language, from the hub's figures
(services.insights.hub_insights, the same figures /admin/insights shows): each figure of the month,
of the calendar month before and the change, and the rows and bars of the sections."""

from collections.abc import Callable
from datetime import datetime

from hub_app.domain.insights import Period
from hub_app.i18n import format_date, format_number, format_short_datetime, translate
from hub_app.services.insights import CountRow, Figure, HubInsights
from hub_app.services.programme_report.charts import BarChart
from hub_app.services.programme_report.document import (
    FigureGroup,
    FigureRow,
    ReportContent,
    ReportTable,
    Section,
)

HUB_NAME = "Jakarta Future City Hub"
# The hours of the day the "by hour" chart shows at least (the hub's usual day); busier hours
# outside it widen the chart.
DAY_HOURS = range(8, 19)
MAX_BARS = 8  # rows of a "by sector" or "by topic" chart

COUNT, HOURS, RATE, RATING = "count", "hours", "rate", "rating"


def _number(lang: str) -> Callable[[float], str]:
    """A chart's numbers: whole where they are, else one decimal ("0,3")."""
    return lambda value: format_number(round(value, 1), lang)


def _percent(lang: str) -> Callable[[float], str]:
    return lambda value: format_number(round(value, 1), lang) + "%"


def _t(key: str, lang: str, **params) -> str:
    return translate(f"programme_report.{key}", lang, **params)


def month_label(period: Period, lang: str) -> str:
    return format_date(period.first_day, lang, "LLLL y")


def _value(value: float | None, kind: str, lang: str) -> str:
    if value is None:
        return _t("no_value", lang)
    if kind == RATE:
        return format_number(round(value * 100, 1), lang) + "%"
    if kind in (HOURS, RATING):
        return format_number(round(value, 1), lang)
    return format_number(int(value), lang)


def _signed(delta: float, lang: str) -> str:
    return ("+" if delta > 0 else "−" if delta < 0 else "±") + format_number(abs(round(delta, 1)), lang)


def _change(figure: Figure, kind: str, lang: str) -> str:
    """"+7 (+20%)" for counts and hours, "+4,5 poin" for rates (percentage points), "+0,3" for the
    rating; "–" when either month has nothing to compare."""
    if figure.delta is None:
        return _t("no_value", lang)
    if kind == RATE:
        return _t("points", lang, value=_signed(figure.delta * 100, lang))
    if kind == RATING:
        return _signed(figure.delta, lang)
    text = _signed(figure.delta, lang)
    if figure.ratio is not None and figure.delta:
        text += f" ({_signed(figure.ratio * 100, lang)}%)"
    elif not figure.previous and figure.delta:
        text += f" ({_t('new', lang)})"
    return text


def _row(key: str, figure: Figure, kind: str, lang: str) -> FigureRow:
    return FigureRow(_t(f"figure.{key}", lang), _value(figure.current, kind, lang), _value(figure.previous, kind, lang),
                     _change(figure, kind, lang))


def _figures(this: HubInsights, lang: str) -> list[FigureGroup]:
    def rows(section: str, spec: list[tuple[str, str]]) -> list[FigureRow]:
        return [_row(name, getattr(getattr(this, section), name), kind, lang) for name, kind in spec]

    return [
        FigureGroup(_t("group_members", lang), rows("members", [
            ("sign_ups", COUNT), ("approvals", COUNT), ("active_members", COUNT)])),
        FigureGroup(_t("group_space", lang), rows("space_use", [
            ("bookings", COUNT), ("booked_hours", HOURS), ("use_rate", RATE), ("check_in_rate", RATE),
            ("no_show_rate", RATE)])),
        FigureGroup(_t("group_programme", lang), rows("programme", [
            ("sessions_delivered", COUNT), ("enrolments", COUNT), ("attendance_rate", RATE),
            ("completion_rate", RATE), ("average_rating", RATING), ("ratings", COUNT)])),
        FigureGroup(_t("group_community", lang), rows("community", [
            ("threads", COUNT), ("posts", COUNT), ("posters", COUNT), ("reports_handled", COUNT)])),
    ]


def _space_section(this: HubInsights, last: HubInsights, labels: tuple[str, str], lang: str) -> Section:
    kinds = this.space_use.kinds
    previous = {row.kind: row.use_rate for row in last.space_use.kinds}
    chart = BarChart(
        _t("chart_use_rate", lang), [row.label for row in kinds],
        [100 * (row.use_rate or 0) for row in kinds], [100 * (previous.get(row.kind) or 0) for row in kinds],
        *labels, horizontal=True, value_text=_percent(lang), whole=False, limit=100)
    table = ReportTable(
        [_t(f"column.{name}", lang) for name in
         ("kind", "spaces", "booked_hours", "capacity_hours", "use_rate", "bookings", "checked_in", "no_shows")],
        [[row.label, _value(row.spaces, COUNT, lang), _value(row.booked_hours, HOURS, lang),
          _value(row.capacity_hours, HOURS, lang), _value(row.use_rate, RATE, lang),
          _value(row.bookings, COUNT, lang), _value(row.checked_in, COUNT, lang), _value(row.no_shows, COUNT, lang)]
         for row in kinds],
        widths=[0.2, 0.09, 0.12, 0.13, 0.11, 0.12, 0.11, 0.12])
    seats = any(row.kind == "desk_area" for row in kinds)
    return Section(_t("section_space", lang), charts=[chart] if kinds else [], table=table,
                   note=_t("space_note", lang) if seats else "" if kinds else _t("no_space", lang))


def _hours_shown(totals: list[float]) -> list[int]:
    busy = [hour for hour, value in enumerate(totals) if value > 1e-9]
    first = min([DAY_HOURS.start, *busy])
    last = max([DAY_HOURS.stop - 1, *busy])
    return list(range(first, last + 1))


def _when_section(this: HubInsights, label: str, lang: str) -> Section:
    grid = this.space_use.heat_map
    by_weekday = [sum(row) for row in grid]
    by_hour = [sum(row[hour] for row in grid) for hour in range(len(grid[0]))] if grid else []
    hours = _hours_shown(by_hour)
    charts = [
        BarChart(_t("chart_weekday", lang), list(this.space_use.weekdays), by_weekday, None, label,
                 value_text=_number(lang), whole=False),
        BarChart(_t("chart_hour", lang), [f"{hour:02d}" for hour in hours], [by_hour[hour] for hour in hours],
                 None, label, value_text=_number(lang), whole=False),
    ]
    peaks = ", ".join(this.space_use.peak_labels)
    return Section(_t("section_when", lang), charts=charts,
                   note=_t("peak_note", lang, hours=peaks) if peaks else _t("no_bookings", lang))


def _trainings_section(this: HubInsights, label: str, lang: str) -> Section:
    top = this.programme.top_trainings
    if not top:
        return Section(_t("section_trainings", lang), note=_t("no_trainings", lang))
    chart = BarChart(_t("chart_attendances", lang), [row.title for row in top], [row.attendances for row in top],
                     None, label, horizontal=True, value_text=_number(lang))
    table = ReportTable(
        [_t(f"column.{name}", lang) for name in ("training", "topic", "sessions", "enrolled", "attendances",
                                                  "attendance_rate")],
        [[row.title, row.topic_label, _value(row.sessions, COUNT, lang), _value(row.enrolled, COUNT, lang),
          _value(row.attendances, COUNT, lang), _value(row.attendance_rate, RATE, lang)] for row in top],
        widths=[0.36, 0.17, 0.1, 0.11, 0.13, 0.13], numeric_from=2)
    return Section(_t("section_trainings", lang), charts=[chart], table=table)


def _count_chart(title: str, rows: list[CountRow], label: str, lang: str) -> list[BarChart]:
    rows = rows[:MAX_BARS]
    if not rows:
        return []
    return [BarChart(title, [row.label for row in rows], [row.count for row in rows], None, label,
                     horizontal=True, value_text=_number(lang))]


def _people_section(this: HubInsights, label: str, lang: str) -> Section:
    charts = (_count_chart(_t("chart_sectors", lang), this.members.by_sector, label, lang)
              + _count_chart(_t("chart_waitlist", lang), this.programme.waitlist_by_topic, label, lang))
    return Section(_t("section_people", lang), charts=charts, note="" if charts else _t("no_members", lang))


def report_content(this: HubInsights, last: HubInsights, *, lang: str, generated_at: datetime,
                   timezone: str) -> ReportContent:
    """`this`: the report's month against the calendar month before it; `last`: that month (for its
    rows per kind of space)."""
    month, previous_month = month_label(this.period, lang), month_label(last.period, lang)
    labels = (month, previous_month)
    return ReportContent(
        lang=lang, hub_name=HUB_NAME, title=_t("title", lang), month=month, previous_month=previous_month,
        generated=format_short_datetime(generated_at, lang, timezone),
        summary=_t("summary", lang, month=month),
        figures=_figures(this, lang),
        sections=[_space_section(this, last, labels, lang), _when_section(this, month, lang),
                  _trainings_section(this, month, lang), _people_section(this, month, lang)],
    )
