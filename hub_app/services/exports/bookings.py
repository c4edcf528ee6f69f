"""Bookings export: every booking (members', trainings' rooms, maintenance blocks) that starts in
the period, in start order, whatever its status, one row each."""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from hub_app import db
from hub_app.domain.bookings import BLOCK_BOOKING, EVENT_BOOKING, MEMBER_BOOKING, STATUSES, TRAINING_BOOKING
from hub_app.domain.spreadsheets import DATETIME, INTEGER, TEXT, Column
from hub_app.i18n import pick, translate
from hub_app.models import Booking, Space, User
from hub_app.services.exports.common import PAGE_SIZE, Export, header, local_times, yes_no
from hub_app.services.spaces import space_name


def columns(locale: str, zone: str) -> list[Column]:
    return [
        Column(header("exports.col.booking_no", locale), INTEGER, 10),
        Column(header("exports.col.space", locale), TEXT, 28),
        Column(header("exports.col.member", locale), TEXT, 24),
        Column(header("exports.col.start", locale, zone), DATETIME, 17),
        Column(header("exports.col.end", locale, zone), DATETIME, 17),
        Column(header("exports.col.status", locale), TEXT, 16),
        Column(header("exports.col.kind", locale), TEXT, 16),
        Column(header("exports.col.people", locale), INTEGER, 8),
        Column(header("exports.col.checked_in", locale, zone), DATETIME, 17),
        Column(header("exports.col.no_show", locale), TEXT, 10),
        Column(header("exports.col.title", locale), TEXT, 30),
    ]


def _page(session: Session, export: Export, after: tuple[datetime, int] | None, size: int) -> list:
    # Plain columns, not ORM rows: building 100,000 Booking objects took most of the export's time.
    query = (select(Booking.id, Booking.space_id, User.name, Booking.starts_at, Booking.ends_at, Booking.status,
                    Booking.kind, Booking.seats, Booking.checked_in_at, Booking.no_show, Booking.title,
                    Booking.title_en)
             .join(User, col(Booking.user_id) == User.id, isouter=True)
             .where(col(Booking.starts_at) >= export.start, col(Booking.starts_at) < export.end))
    if after is not None:
        query = query.where(or_(col(Booking.starts_at) > after[0],
                                and_(col(Booking.starts_at) == after[0], col(Booking.id) > after[1])))
    return list(session.exec(query.order_by(col(Booking.starts_at), col(Booking.id)).limit(size)).all())


def rows(export: Export, page_size: int = PAGE_SIZE) -> Iterator[list]:
    """Keyset pages on (starts_at, id), each read in its own short transaction."""
    locale, local = export.locale, local_times(export.tz)
    with db.new_session() as session:
        spaces = {space.id: space_name(space, locale) for space in session.exec(select(Space)).all()}
    statuses = {status: translate(f"booking.status.{status}", locale) for status in STATUSES}
    kinds = {kind: translate("exports.booking_kind.member" if kind == MEMBER_BOOKING else f"booking.kind.{kind}",
                             locale) for kind in (MEMBER_BOOKING, TRAINING_BOOKING, EVENT_BOOKING, BLOCK_BOOKING)}
    answers = {True: yes_no(True, locale), False: yes_no(False, locale)}
    after = None
    while True:
        with db.new_session() as session:
            page = _page(session, export, after, page_size)
        for (number, space, member, starts, ends, status, kind, seats, checked_in, no_show, title,
             title_en) in page:
            yield [number, spaces.get(space, ""), member or "", local(starts), local(ends),
                   statuses.get(status, status), kinds.get(kind, kind), seats, local(checked_in),
                   answers[bool(no_show)], pick(title, title_en, locale)]
        if len(page) < page_size:
            return
        after = (page[-1][3], page[-1][0])
