"""The two periods as UTC windows, and the SQL pieces every section shares: which period a
timestamp falls in (one grouped query answers both periods), seconds since the epoch, and the
per-engine scalar min/max (SQLite's min(a, b) is PostgreSQL's least(a, b))."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, and_, case, cast, extract, false, func, or_
from sqlmodel import Session

from hub_app.domain.insights import Period

CURRENT = 1
PREVIOUS = 0


@dataclass(frozen=True)
class Windows:
    """[start, end) of the period and of the one it is compared with, in UTC, and "now"."""

    start: datetime
    end: datetime
    previous_start: datetime
    previous_end: datetime
    now: datetime
    sqlite: bool

    @classmethod
    def of(cls, session: Session, period: Period, previous: Period, tz: ZoneInfo, now: datetime) -> "Windows":
        return cls(*period.bounds(tz), *previous.bounds(tz), now=now,
                   sqlite=session.get_bind().dialect.name == "sqlite")

    @property
    def low(self) -> datetime:
        return min(self.start, self.previous_start)

    @property
    def high(self) -> datetime:
        return max(self.end, self.previous_end)

    def spans(self) -> dict[int, tuple[datetime, datetime]]:
        return {CURRENT: (self.start, self.end), PREVIOUS: (self.previous_start, self.previous_end)}

    def range(self, column):
        """column in [low, high): the index range both periods lie in."""
        return and_(column >= self.low, column < self.high)

    def which(self, column):
        """CURRENT, PREVIOUS, or NULL (between two periods that do not touch) for a timestamp."""
        return case((and_(column >= self.start, column < self.end), CURRENT),
                    (and_(column >= self.previous_start, column < self.previous_end), PREVIOUS), else_=None)

    def epoch(self, column):
        """Whole seconds since 1970 of a timestamp column."""
        if self.sqlite:
            # julianday() is about twice as fast as strftime('%s') on SQLite's text timestamps.
            return cast(func.round((func.julianday(column) - 2440587.5) * 86400), Integer)
        return cast(extract("epoch", column), BigInteger)

    def least(self, *values):
        return func.min(*values) if self.sqlite else func.least(*values)

    def greatest(self, *values):
        return func.max(*values) if self.sqlite else func.greatest(*values)


def in_spans(column, spans) -> object:
    """The timestamp column inside one of the UTC spans [start, end) (false when there are none)."""
    if not spans:
        return false()
    return or_(*(and_(column >= start, column < end) for start, end in spans))


def which_span(column, spans: dict[int, tuple]) -> object:
    """CURRENT, PREVIOUS or NULL for a timestamp, from each period's live spans."""
    return case(*((in_spans(column, spans[which]), which) for which in (CURRENT, PREVIOUS) if spans[which]),
                else_=None) if any(spans.values()) else None


def seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def by_period(rows) -> dict[int, tuple]:
    """Grouped rows whose first column is the period (CURRENT / PREVIOUS) -> the rest of each row;
    rows of neither period dropped."""
    return {row[0]: tuple(row[1:]) for row in rows if row[0] in (CURRENT, PREVIOUS)}


def fixed_offset(tz: ZoneInfo, start: datetime, end: datetime) -> int | None:
    """The zone's UTC offset in seconds when it is the same all through [start, end) (WIB, WITA and
    WIT always are), else None (a zone with daylight saving time changes inside the window)."""
    offsets = set()
    moment = start
    while moment < end:
        offsets.add(moment.astimezone(tz).utcoffset())
        moment += timedelta(hours=12)
    offsets.add((end - timedelta(seconds=1)).astimezone(tz).utcoffset())
    if len(offsets) != 1:
        return None
    return int(offsets.pop().total_seconds())


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
