"""/admin/insights: how the hub is doing in a period (WIB days), against the previous period of the
same length: space use, members, the training programme and the community, as headline figures with
their change, charts and the same numbers as tables (services/insights.py computes every figure).

The period is in the address (?period=last_month, or ?from=2026-11-01&to=2026-11-30), so a link can be
shared and the back button returns to the period before; a period that cannot be used is named in a
message and this week is shown. Opening the page is one event with one database session; the state
holds the rows of this screen, already formatted, never the service's data.
"""

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

import reflex as rx

from hub_app.components import insight_charts as charts
from hub_app.components.exports import export_links
from hub_app.components.forms import message
from hub_app.components.insight_charts import Bar, Headline, HeatCell, HeatRow, PairBar, SpaceLine, TrainingLine
from hub_app.components.shell import shell
from hub_app.domain.errors import HubError
from hub_app.domain.insights import CUSTOM, PERIOD_CHOICES, THIS_WEEK, Period, period_for
from hub_app.i18n import format_number, format_time, translate
from hub_app.services import insights
from hub_app.services.bookings import hub_tz
from hub_app.services.insights import Figure
from hub_app.state.i18n import page_title, t, tf
from hub_app.state.session import SessionState, form_data, go_to, page_load

ROUTE = "/admin/insights"
PRESETS = [choice for choice in PERIOD_CHOICES if choice != CUSTOM]
HEAT_LEVELS = 4
FIRST_HOUR, LAST_HOUR = 8, 17  # the heat map shows at least these hours, more when booked outside


def _today():
    return datetime.now(hub_tz()).date()


def address_for(period: Period) -> str:
    """The page's address for a period: ?period=<choice>, or the days of a custom one."""
    if period.choice == CUSTOM:
        query = {"from": period.first_day.isoformat(), "to": period.last_day.isoformat()}
    else:
        query = {"period": period.choice}
    return f"{ROUTE}?{urlencode(query)}"


def period_in_address(query: dict) -> tuple[Period, HubError | None]:
    """The period the address asks for (none: this week), or this week and why it could not be used."""
    default = period_for(THIS_WEEK, _today())
    if "from" in query or "to" in query:
        asked = (CUSTOM, query.get("from"), query.get("to"))
    elif "period" in query:
        asked = (query.get("period"), None, None)
    else:
        return default, None
    try:
        return period_for(asked[0], _today(), asked[1], asked[2]), None
    except HubError as error:
        return default, error


def _figures_of_signed_in(actor, *, session, period: Period, lang: str):
    """The figures, or None for a visitor (who is sent to sign in): the actor lookup, the permission
    check and the queries share the page load's one database session."""
    if actor is None:
        return None
    return insights.hub_insights(actor, session=session, period=period, lang=lang)


# --- the read-model: the service's figures as this screen shows them ---------------------------------

# How a figure is written: a count, hours, a rate (a fraction, written as a percentage) or a rating.
COUNT, HOURS, RATE, RATING = "count", "hours", "rate", "rating"


def _number(value: float | int | None, kind: str, lang: str) -> str:
    if value is None:
        return translate("insights.none", lang)
    if kind == RATE:
        return f"{format_number(round(value * 100, 1), lang)}%"
    return format_number(round(value, 1) if kind in (HOURS, RATING) else value, lang)


def headline(key: str, figure: Figure, kind: str, lang: str) -> Headline:
    previous = _number(figure.previous, kind, lang)
    if figure.direction in ("up", "down"):
        if kind == RATE:
            change = translate("insights.points", lang, value=format_number(round(abs(figure.delta) * 100, 1), lang))
        elif kind == RATING:
            change = format_number(round(abs(figure.delta), 1), lang)
        elif figure.ratio is not None:
            change = f"{format_number(round(abs(figure.ratio) * 100), lang)}%"
        else:
            change = ""
        if change:
            arrow = translate(f"insights.arrow_{figure.direction}", lang, change=change)
            said = translate(f"insights.said_{figure.direction}", lang, change=change, previous=previous)
        else:  # up from nothing: no percentage to give
            arrow, said = translate("insights.arrow_new", lang), translate("insights.said_new", lang)
    elif figure.direction == "same":
        arrow, said = translate("insights.arrow_same", lang), translate("insights.said_same", lang, previous=previous)
    else:
        arrow, said = translate("insights.none", lang), translate("insights.said_unknown", lang)
    return Headline(key=key, label=translate(f"insights.fig.{key}", lang), value=_number(figure.current, kind, lang),
                    previous=translate("insights.previous", lang, value=previous), arrow=arrow, said=said)


def _rate_bar(label: str, rate: float | None, lang: str) -> Bar:
    return Bar(label=label, value=round((rate or 0) * 100, 1), text=_number(rate, RATE, lang))


def _count_bars(rows, lang: str) -> list[Bar]:
    return [Bar(label=row.label, value=row.count, text=format_number(row.count, lang)) for row in rows]


def _pair(key: str, figure: Figure, kind: str, lang: str) -> PairBar:
    def length(value):
        return round((value or 0) * (100 if kind == RATE else 1), 1)

    return PairBar(label=translate(f"insights.fig.{key}", lang), current=length(figure.current),
                   previous=length(figure.previous), current_text=_number(figure.current, kind, lang),
                   previous_text=_number(figure.previous, kind, lang))


def heat_rows(grid: list[list[float]], lang: str) -> list[HeatRow]:
    """Hour rows (at least FIRST_HOUR-LAST_HOUR, wider when something was booked outside them) of
    seven weekday cells, each with its booked hours and a colour level relative to the busiest cell."""
    busy = [hour for hour in range(24) if any(day[hour] > 0 for day in grid)]
    first, last = min(busy + [FIRST_HOUR]), max(busy + [LAST_HOUR])
    top = max((value for day in grid for value in day), default=0)
    rows = []
    for hour in range(first, last + 1):
        cells = []
        for day in grid:
            value = day[hour]
            level = 0 if value <= 0 or top <= 0 else max(1, round(HEAT_LEVELS * value / top))
            cells.append(HeatCell(text=format_number(round(value, 1), lang) if value > 0 else "",
                                  level=level))
        rows.append(HeatRow(hour=format_time(datetime(2000, 1, 1, hour, tzinfo=UTC), lang, "UTC"), cells=cells))
    return rows


# --- the page -----------------------------------------------------------------------------------------

class InsightsState(SessionState):
    allowed: bool = False
    error: str = ""
    choice: str = ""
    first_day: str = ""  # "YYYY-MM-DD", for the custom date boxes and the downloads
    last_day: str = ""
    period_label: str = ""
    previous_label: str = ""
    space_headlines: list[Headline] = []
    kinds: list[Bar] = []
    space_rates: list[Bar] = []
    spaces: list[SpaceLine] = []
    weekdays: list[str] = []
    heat: list[HeatRow] = []
    peaks: str = ""
    bookings_by_sector: list[Bar] = []
    bookings_by_stage: list[Bar] = []
    member_headlines: list[Headline] = []
    members_compared: list[PairBar] = []
    active_by_sector: list[Bar] = []
    active_by_stage: list[Bar] = []
    programme_headlines: list[Headline] = []
    rates_compared: list[PairBar] = []
    top_trainings: list[TrainingLine] = []
    waitlist: list[Bar] = []
    community_headlines: list[Headline] = []
    community_compared: list[PairBar] = []
    event_headlines: list[Headline] = []

    def _show(self, found: insights.HubInsights) -> None:
        lang = self.lang
        use, people, programme, community = found.space_use, found.members, found.programme, found.community
        self.allowed = True
        self.choice = found.period.choice
        self.first_day, self.last_day = found.period.first_day.isoformat(), found.period.last_day.isoformat()
        self.period_label, self.previous_label = found.period_label, found.previous_label
        self.space_headlines = [
            headline("use_rate", use.use_rate, RATE, lang), headline("booked_hours", use.booked_hours, HOURS, lang),
            headline("bookings", use.bookings, COUNT, lang),
            headline("check_in_rate", use.check_in_rate, RATE, lang),
            headline("no_show_rate", use.no_show_rate, RATE, lang)]
        self.kinds = [_rate_bar(row.label, row.use_rate, lang) for row in use.kinds]
        self.space_rates = [_rate_bar(row.name, row.use_rate, lang) for row in use.spaces]
        self.spaces = [SpaceLine(name=row.name, use_rate=_number(row.use_rate, RATE, lang),
                                 booked_hours=_number(row.booked_hours, HOURS, lang),
                                 capacity_hours=_number(row.capacity_hours, HOURS, lang), bookings=row.bookings,
                                 checked_in=row.checked_in, no_shows=row.no_shows) for row in use.spaces]
        self.weekdays, self.heat = use.weekdays, heat_rows(use.heat_map, lang)
        self.peaks = (translate("insights.peaks", lang, hours=", ".join(use.peak_labels)) if use.peak_labels
                      else translate("insights.no_peaks", lang))
        self.bookings_by_sector = _count_bars(use.by_sector, lang)
        self.bookings_by_stage = _count_bars(use.by_stage, lang)
        self.member_headlines = [headline(key, getattr(people, key), COUNT, lang)
                                 for key in ("sign_ups", "approvals", "active_members")]
        self.members_compared = [_pair(key, getattr(people, key), COUNT, lang)
                                 for key in ("sign_ups", "approvals", "active_members")]
        self.active_by_sector = _count_bars(people.by_sector, lang)
        self.active_by_stage = _count_bars(people.by_stage, lang)
        self.programme_headlines = [
            headline("sessions_delivered", programme.sessions_delivered, COUNT, lang),
            headline("enrolments", programme.enrolments, COUNT, lang),
            headline("attendance_rate", programme.attendance_rate, RATE, lang),
            headline("completion_rate", programme.completion_rate, RATE, lang),
            headline("average_rating", programme.average_rating, RATING, lang)]
        self.rates_compared = [_pair(key, getattr(programme, key), RATE, lang)
                               for key in ("attendance_rate", "completion_rate")]
        self.top_trainings = [TrainingLine(title=row.title, topic=row.topic_label, sessions=row.sessions,
                                           attendances=row.attendances, enrolled=row.enrolled,
                                           attendance_rate=_number(row.attendance_rate, RATE, lang))
                              for row in programme.top_trainings]
        self.waitlist = _count_bars(programme.waitlist_by_topic, lang)
        keys = ("threads", "posts", "posters", "reports", "reports_handled")
        self.community_headlines = [headline(key, getattr(community, key), COUNT, lang) for key in keys]
        self.community_compared = [_pair(key, getattr(community, key), COUNT, lang) for key in keys]
        held = found.events
        self.event_headlines = [] if held is None else [
            headline("events_held", held.events_held, COUNT, lang),
            headline("event_registrations", held.registrations, COUNT, lang),
            headline("event_guests", held.guests, COUNT, lang),
            headline("event_attendance_rate", held.attendance_rate, RATE, lang)]

    @rx.event
    @page_load
    async def load(self):
        """Opening the page (and every change of its address): the period from the address, then the
        figures in one service call."""
        period, problem = period_in_address(self.router.url.query_parameters)
        found, error = await self._run(_figures_of_signed_in, period=period, lang=self.lang)
        if found is None and not error:
            query = self.router.url.query
            return go_to("/login?next=" + quote(ROUTE + ("?" + query if query else ""), safe="/"))
        if found is None:
            self.reset()
            self.error = error
            return None
        self.error = self._t("insights.bad_address", reason=self._error_text(problem)) if problem else ""
        self._show(found)
        return None

    @rx.event
    def choose(self, choice: str):
        """A preset period: goes to its address (the page loads its figures from there)."""
        if not isinstance(choice, str) or choice not in PRESETS:
            self.error = self._t("figures.error.period")
            return None
        return rx.redirect(address_for(period_for(choice, _today())))

    @rx.event
    def choose_days(self, form: dict):
        """Custom days from the two date boxes; refused days leave the page as it is, with the reason."""
        data = form_data(form)
        try:
            period = period_for(CUSTOM, _today(), data.get("first_day"), data.get("last_day"))
        except HubError as error:
            self.error = self._error_text(error)
            return None
        return rx.redirect(address_for(period))


# --- pieces -------------------------------------------------------------------------------------------

def _preset(choice: str) -> rx.Component:
    return rx.el.a(
        t(f"figures.period.{choice}"), href=f"{ROUTE}?period={choice}",
        class_name=rx.cond(InsightsState.choice == choice, "button small", "button ghost small"),
        aria_current=rx.cond(InsightsState.choice == choice, "page", "false"),
        # A plain link (it can be copied and opened anew); a click moves within the page.
        on_click=[rx.prevent_default, InsightsState.choose(choice)],
    )


def _date_box(name: str, label_key: str, value: rx.Var) -> rx.Component:
    field_id = f"insights-{name}"
    return rx.el.div(rx.el.label(t(label_key), html_for=field_id),
                     rx.el.input(id=field_id, name=name, type="date", default_value=value, required=True,
                                 key=value),
                     class_name="field")


def period_picker() -> rx.Component:
    return rx.el.div(
        rx.el.nav(*[_preset(choice) for choice in PRESETS], class_name="actions", aria_label=t("insights.periods")),
        rx.el.form(
            _date_box("first_day", "insights.first_day", InsightsState.first_day),
            _date_box("last_day", "insights.last_day", InsightsState.last_day),
            rx.el.button(t("insights.show"), type="submit",
                         class_name=rx.cond(InsightsState.choice == CUSTOM, "button", "button ghost")),
            on_submit=InsightsState.choose_days, class_name="filters", aria_label=t("figures.period.custom"),
        ),
        data_testid="insights-periods",
    )


def downloads() -> rx.Component:
    """The spot for downloads of the period on screen (the exports and the monthly programme report
    add their links here). InsightsState.first_day and .last_day ("YYYY-MM-DD") are the period's
    days; the section shows once it has a link."""
    S = InsightsState
    # The monthly programme report (PDF) of the month the period on screen starts in, in the page's language.
    # The browser fetches it (reload_document): the client-side router knows no /api pages.
    report = rx.el.a(rx.icon("download", size=16, aria_hidden="true"), t("programme_report.download"),
                     href="/api/admin/reports/programme-" + S.first_day[:7] + "-" + rx.cond(S.is_en, "en", "id")
                     + ".pdf", reload_document=True, class_name="button ghost small",
                     data_testid="insights-report-pdf")
    return rx.cond(S.allowed & (S.first_day != ""),
                   rx.el.div(rx.el.div(report, class_name="actions"), export_links(S.first_day, S.last_day)),
                   rx.fragment())


def _space_use() -> rx.Component:
    S = InsightsState
    return charts.section(
        "insights.space_title", "insights-space-use",
        charts.headlines(S.space_headlines),
        charts.block("insights.by_kind", charts.bar_chart(S.kinds, percent=True, test_id="insights-kinds-chart"),
                     charts.table("insights.by_kind", ["insights.col.kind", "insights.col.use_rate"], S.kinds,
                                  charts.bar_row, "insights-kinds-table"), "insights-kinds"),
        charts.block("insights.by_space",
                     charts.bar_chart(S.space_rates, percent=True, test_id="insights-spaces-chart"),
                     charts.table("insights.by_space",
                                  ["insights.col.space", "insights.col.use_rate",
                                   "insights.col.booked_hours", "insights.col.capacity_hours", "insights.col.bookings",
                                   "insights.col.checked_in", "insights.col.no_shows"],
                                  S.spaces, charts.space_row, "insights-spaces-table"), "insights-spaces",
                     wide_table=True),
        rx.el.h3(t("insights.heat_title")),
        rx.el.p(S.peaks, data_testid="insights-peaks"),
        charts.heat_map(S.weekdays, S.heat),
        charts.counts("insights.bookings_by_sector", S.bookings_by_sector, "insights.col.sector",
                      "insights-bookings-sector"),
        charts.counts("insights.bookings_by_stage", S.bookings_by_stage, "insights.col.stage",
                      "insights-bookings-stage"),
    )


def _compared(title_key: str, rows: rx.Var, test_id: str, *, percent: bool = False) -> rx.Component:
    return charts.block(title_key, charts.pair_chart(rows, percent=percent, test_id=test_id + "-chart"),
                        charts.table(title_key, ["insights.col.figure", "insights.col.current",
                                                 "insights.col.previous"], rows, charts.pair_row, test_id + "-table"),
                        test_id)


def _members() -> rx.Component:
    S = InsightsState
    return charts.section(
        "insights.members_title", "insights-members",
        charts.headlines(S.member_headlines),
        _compared("insights.members_compared", S.members_compared, "insights-members-compared"),
        charts.counts("insights.active_by_sector", S.active_by_sector, "insights.col.sector", "insights-active-sector"),
        charts.counts("insights.active_by_stage", S.active_by_stage, "insights.col.stage", "insights-active-stage"),
    )


def _programme() -> rx.Component:
    S = InsightsState
    trainings = ["insights.col.training", "insights.col.topic", "insights.col.sessions", "insights.col.attendances",
                 "insights.col.enrolled", "insights.col.attendance_rate"]
    return charts.section(
        "insights.programme_title", "insights-programme",
        charts.headlines(S.programme_headlines),
        _compared("insights.rates_compared", S.rates_compared, "insights-rates-compared", percent=True),
        rx.el.h3(t("insights.top_trainings")),
        rx.cond(S.top_trainings.length() > 0,
                charts.table("insights.top_trainings", trainings, S.top_trainings, charts.training_row,
                             "insights-top-trainings"),
                rx.el.p(t("insights.empty"), class_name="muted")),
        charts.counts("insights.waitlist_by_topic", S.waitlist, "insights.col.topic", "insights-waitlist"),
    )


def _community() -> rx.Component:
    S = InsightsState
    return charts.section(
        "insights.community_title", "insights-community",
        charts.headlines(S.community_headlines),
        _compared("insights.community_compared", S.community_compared, "insights-community-compared"),
    )


def _events() -> rx.Component:
    return charts.section("insights.events_title", "insights-events", charts.headlines(InsightsState.event_headlines))


# The route is written out: the CSP, accessibility and language tests find every page by it.
@rx.page(route="/admin/insights", title=page_title("title.admin_insights"),
         on_load=InsightsState.load)
def admin_insights() -> rx.Component:
    return shell(
        rx.el.div(rx.el.h1(t("insights.title")),
                  rx.cond(InsightsState.allowed,
                          rx.el.p(rx.el.strong(InsightsState.period_label, data_testid="insights-period-label"),
                                  rx.el.br(),
                                  rx.el.span(tf("insights.compared_with", previous=InsightsState.previous_label),
                                             " ", t("insights.wib"), class_name="muted small"))),
                  class_name="page-head"),
        message(InsightsState.error),
        rx.cond(
            InsightsState.allowed,
            rx.el.div(period_picker(), downloads(), _space_use(), _members(), _programme(), _events(), _community()),
        ),
    )
