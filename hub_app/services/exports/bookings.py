"""Bookings export: every booking (members', trainings' rooms, maintenance blocks) that starts in
the period, in start order, whatever its status, one row each."""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from hub_app import db
from hub_app.domain.bookings import MEMBER_BOOKING
from hub_app.domain.spreadsheets import DATETIME, INTEGER, TEXT, Column
from hub_app.i18n import pick, translate
from hub_app.models import Booking, Space, User
from hub_app.services.exports.common import PAGE_SIZE, Export, header, local, yes_no
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


def _kind(kind: str, locale: str) -> str:
    return translate("exports.booking_kind.member" if kind == MEMBER_BOOKING else f"booking.kind.{kind}", locale)


def _page(session: Session, export: Export, after: tuple[datetime, int] | None, size: int) -> list:
    query = (select(Booking, User.name).join(User, col(Booking.user_id) == User.id, isouter=True)
             .where(col(Booking.starts_at) >= export.start, col(Booking.starts_at) < export.end))
    if after is not None:
        query = query.where(or_(col(Booking.starts_at) > after[0],
                                and_(col(Booking.starts_at) == after[0], col(Booking.id) > after[1])))
    return list(session.exec(query.order_by(col(Booking.starts_at), col(Booking.id)).limit(size)).all())


def rows(export: Export, page_size: int = PAGE_SIZE) -> Iterator[list]:
    """Keyset pages on (starts_at, id), each read in its own short transaction."""
    locale, tz = export.locale, export.tz
    with db.new_session() as session:
        spaces = {space.id: space_name(space, locale) for space in session.exec(select(Space)).all()}
    after = None
    while True:
        with db.new_session() as session:
            page = _page(session, export, after, page_size)
        for booking, member in page:
            yield [booking.id, spaces.get(booking.space_id, ""), member or "", local(booking.starts_at, tz),
                   local(booking.ends_at, tz), translate(f"booking.status.{booking.status}", locale),
                   _kind(booking.kind, locale), booking.seats, local(booking.checked_in_at, tz),
                   yes_no(booking.no_show, locale), pick(booking.title, booking.title_en, locale)]
        if len(page) < page_size:
            return
        last = page[-1][0]
        after = (last.starts_at, last.id)
