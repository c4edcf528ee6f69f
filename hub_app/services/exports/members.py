"""Members export: the member accounts that had joined by the end of the period (not erased
ones), with their profile as staff see it and what they did in the period.

What the directory opt-outs hide here. An export is a copy that leaves the portal (it is saved,
forwarded, attached to a partner's report), so it holds less than the staff's own screens:
- a member who chose not to be listed in the directory (show_in_directory off) appears by member
  number only: name, business and email are left out ("Anggota #12 (tidak tampil di direktori)");
  sector, stage, status, joining date and the period's figures stay, so the totals still add up and
  staff can open the record /admin/members/12 in the portal;
- the email is in the file only for members who chose to show it (show_email). Staff see every
  member's email on /admin/members and contact them from there.
Never in the file: password data, tokens, consent and quota details, bio and notes.
"""

from collections.abc import Iterator

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from hub_app import db
from hub_app.domain.bookings import CANCELLED, DECLINED, MEMBER_BOOKING
from hub_app.domain.membership import DELETED
from hub_app.domain.permissions import MEMBER
from hub_app.domain.spreadsheets import DATE, INTEGER, TEXT, Column
from hub_app.i18n import CATALOGUE, translate
from hub_app.models import Attendance, Booking, TrainingSession, User
from hub_app.services.exports.common import PAGE_SIZE, Export, header, local, yes_no


def columns(locale: str, zone: str) -> list[Column]:
    return [
        Column(header("exports.col.member_no", locale), INTEGER, 10),
        Column(header("exports.col.name", locale), TEXT, 28),
        Column(header("exports.col.email", locale), TEXT, 28),
        Column(header("exports.col.business", locale), TEXT, 28),
        Column(header("exports.col.sector", locale), TEXT, 18),
        Column(header("exports.col.stage", locale), TEXT, 14),
        Column(header("exports.col.member_status", locale), TEXT, 18),
        Column(header("exports.col.joined", locale, zone), DATE, 14),
        Column(header("exports.col.in_directory", locale), TEXT, 12),
        Column(header("exports.col.bookings_in_period", locale), INTEGER, 14),
        Column(header("exports.col.check_ins_in_period", locale), INTEGER, 14),
        Column(header("exports.col.sessions_in_period", locale), INTEGER, 16),
    ]


def _label(prefix: str, value: str, locale: str) -> str:
    key = f"{prefix}.{value}"
    return translate(key, locale) if value and key in CATALOGUE else value


def _figures(session: Session, export: Export, ids: list[int]) -> tuple[dict, dict]:
    booked = session.exec(
        select(Booking.user_id, func.count(), func.sum(case((col(Booking.checked_in_at).is_not(None), 1), else_=0)))
        .where(col(Booking.user_id).in_(ids), Booking.kind == MEMBER_BOOKING,
               col(Booking.status).not_in((CANCELLED, DECLINED)),
               col(Booking.starts_at) >= export.start, col(Booking.starts_at) < export.end)
        .group_by(col(Booking.user_id))).all()
    attended = session.exec(
        select(Attendance.user_id, func.count())
        .join(TrainingSession, col(TrainingSession.id) == Attendance.session_id)
        .where(col(Attendance.user_id).in_(ids), col(TrainingSession.start_at) >= export.start,
               col(TrainingSession.start_at) < export.end)
        .group_by(col(Attendance.user_id))).all()
    return ({user: (count, int(checked or 0)) for user, count, checked in booked},
            {user: count for user, count in attended})


def rows(export: Export, page_size: int = PAGE_SIZE) -> Iterator[list]:
    """Keyset pages on the member number, each read with its figures in one short transaction."""
    locale, tz = export.locale, export.tz
    after = 0
    while True:
        with db.new_session() as session:
            page = session.exec(
                select(User).where(User.role == MEMBER, User.status != DELETED, col(User.created_at) < export.end,
                                   col(User.id) > after)
                .order_by(col(User.id)).limit(page_size)).all()
            booked, attended = _figures(session, export, [user.id for user in page]) if page else ({}, {})
        for user in page:
            listed = user.show_in_directory
            name = user.name if listed else translate("exports.hidden_member", locale, number=user.id)
            joined = local(user.created_at, tz)
            bookings, check_ins = booked.get(user.id, (0, 0))
            yield [user.id, name, user.email if listed and user.show_email else "",
                   user.business_name if listed else "", _label("sector", user.sector, locale),
                   _label("stage", user.stage, locale), _label("status", user.status, locale),
                   joined.date() if joined else None, yes_no(listed, locale), bookings, check_ins,
                   attended.get(user.id, 0)]
        if len(page) < page_size:
            return
        after = page[-1].id
