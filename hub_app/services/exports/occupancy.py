"""Occupancy summary: per space, per kind of space and for the whole hub, the period's booked
hours, open hours, use rate, bookings, check-ins and no-shows. The figures are the insights
service's own (services/insights defines them), so the export and /admin/insights agree."""

from collections.abc import Iterator

from hub_app import db
from hub_app.domain.insights import CUSTOM, Period
from hub_app.domain.spreadsheets import DECIMAL, INTEGER, TEXT, Column
from hub_app.i18n import translate
from hub_app.services import insights
from hub_app.services.exports.common import Export, header


def columns(locale: str, zone: str) -> list[Column]:
    return [
        Column(header("exports.col.level", locale), TEXT, 10),
        Column(header("exports.col.name", locale), TEXT, 28),
        Column(header("exports.col.space_kind", locale), TEXT, 24),
        Column(header("exports.col.capacity", locale), INTEGER, 10),
        Column(header("exports.col.booked_hours", locale), DECIMAL, 12),
        Column(header("exports.col.open_hours", locale), DECIMAL, 12),
        Column(header("exports.col.capacity_hours", locale), DECIMAL, 14),
        Column(header("exports.col.use_rate", locale), DECIMAL, 12),
        Column(header("exports.col.bookings", locale), INTEGER, 10),
        Column(header("exports.col.check_ins", locale), INTEGER, 10),
        Column(header("exports.col.no_shows", locale), INTEGER, 10),
    ]


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _hours(value: float) -> float:
    return round(float(value), 1)


def rows(export: Export) -> Iterator[list]:
    """A handful of rows (one per space and kind), from one call of the insights service."""
    locale = export.locale
    with db.new_session() as session:
        figures = insights.hub_insights(export.actor, session=session, lang=locale,
                                        period=Period(CUSTOM, export.first, export.last)).space_use
    space_level, kind_level = translate("exports.level.space", locale), translate("exports.level.kind", locale)
    for space in figures.spaces:
        yield [space_level, space.name, space.kind_label, space.capacity, _hours(space.booked_hours),
               _hours(space.open_hours), _hours(space.capacity_hours), _percent(space.use_rate), space.bookings,
               space.checked_in, space.no_shows]
    for kind in figures.kinds:
        yield [kind_level, kind.label, kind.label, None, _hours(kind.booked_hours), _hours(kind.open_hours),
               _hours(kind.capacity_hours), _percent(kind.use_rate), kind.bookings, kind.checked_in, kind.no_shows]
    yield [translate("exports.level.hub", locale), translate("exports.whole_hub", locale), "", None,
           _hours(figures.booked_hours.current), None, _hours(figures.capacity_hours.current),
           _percent(figures.use_rate.current), figures.bookings.current,
           sum(kind.checked_in for kind in figures.kinds), sum(kind.no_shows for kind in figures.kinds)]
