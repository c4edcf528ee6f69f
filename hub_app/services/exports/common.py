"""What every export shares: the prepared export (kind, period, language, zone) and small helpers
for its rows. Rows are lists of plain values; times are naive wall-clock times in the hub's zone,
which the column headers name ("Mulai (WIB)")."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hub_app.domain.permissions import Actor
from hub_app.domain.spreadsheets import Column
from hub_app.i18n import translate

PAGE_SIZE = 2000  # rows read in one short read transaction


@dataclass(frozen=True)
class Export:
    kind: str
    file_format: str
    first: date
    last: date
    start: datetime  # UTC, local midnight of `first`
    end: datetime  # UTC, local midnight after `last`
    locale: str
    tz: ZoneInfo
    zone: str  # "WIB"
    actor: Actor
    columns: tuple[Column, ...]
    sheet: str
    file_name: str


def header(key: str, export_or_locale: Export | str, zone: str = "", **params: object) -> str:
    """A column's header in the export's language; with `zone` the zone is named: "Mulai (WIB)"."""
    locale = export_or_locale if isinstance(export_or_locale, str) else export_or_locale.locale
    text = translate(key, locale, **params)
    return f"{text} ({zone})" if zone else text


def local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """An aware UTC time as the hub's naive wall-clock time (spreadsheets have no zones)."""
    return value.astimezone(tz).replace(tzinfo=None) if value is not None else None


def local_times(tz: ZoneInfo) -> Callable[[datetime | None], datetime | None]:
    """`local` with a memory: bookings start on the slot grid, so most times repeat from row to row
    and are converted once (the memory is bounded, a long export does not grow it)."""
    made: dict[datetime, datetime] = {}

    def convert(value: datetime | None) -> datetime | None:
        if value is None:
            return None
        found = made.get(value)
        if found is None:
            if len(made) >= 20_000:
                made.clear()
            found = made[value] = value.astimezone(tz).replace(tzinfo=None)
        return found

    return convert


def yes_no(value: bool, locale: str) -> str:
    return translate("exports.yes" if value else "exports.no", locale)
