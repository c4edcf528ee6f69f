"""Staff exports for a period, as CSV or XLSX: bookings, members, enrolments, attendance and the
occupancy summary (served by api/exports.py at /api/admin/exports/<kind>.<csv|xlsx>).

`prepare` checks that the actor is staff (before any other query), validates the kind, format,
period and language, and records the export in the audit trail (who, what, which period) in one
short transaction. `rows` then reads the export's rows lazily: each kind pages through its
query with a keyset, a page per short read transaction, so a 100,000-row export never holds more
than one page in memory and never keeps a transaction open while the file is being sent.

Columns and the values that need words (statuses, kinds, yes/no) are in the chosen language;
times are the hub's wall-clock time (WIB), named in the column headers ("Mulai (WIB)"). Members'
directory opt-outs: see services/exports/members.py.
"""

from collections.abc import Callable, Iterator

from sqlmodel import Session

from hub_app.db import begin_write
from hub_app.domain import exports as rules
from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.domain.permissions import Actor, may_manage_members
from hub_app.i18n import LOCALES, translate, zone_label
from hub_app.services import audit
from hub_app.services.bookings import hub_tz
from hub_app.services.exports import bookings, members, occupancy, programme
from hub_app.services.exports.common import Export

__all__ = ["Export", "prepare", "rows"]

_COLUMNS: dict[str, Callable] = {
    "bookings": bookings.columns, "members": members.columns, "enrolments": programme.enrolment_columns,
    "attendance": programme.attendance_columns, "occupancy": occupancy.columns,
}
_ROWS: dict[str, Callable[[Export], Iterator[list]]] = {
    "bookings": bookings.rows, "members": members.rows, "enrolments": programme.enrolment_rows,
    "attendance": programme.attendance_rows, "occupancy": occupancy.rows,
}


def prepare(actor: Actor | None, *, session: Session, kind: object, file_format: object, start: object,
            end: object, lang: object = None) -> Export:
    """The export the actor asked for, checked and audited. Staff and admins only; `lang` "id" or
    "en" (None: the actor's language)."""
    if actor is None:
        raise NotAllowed("error.sign_in_required")
    if not may_manage_members(actor):
        raise NotAllowed("exports.error.staff_only")
    kind = rules.export_kind(kind)
    file_format = rules.export_format(file_format)
    first, last = rules.export_period(start, end)
    if lang is None or lang == "":
        lang = actor.locale
    if lang not in LOCALES:
        raise InvalidInput("exports.error.lang", field="lang")
    tz = hub_tz()
    zone = zone_label(tz.key)
    period_start, period_end = rules.period_bounds(first, last, tz)
    export = Export(kind=kind, file_format=file_format, first=first, last=last, start=period_start, end=period_end,
                    locale=lang, tz=tz, zone=zone, actor=actor, columns=tuple(_COLUMNS[kind](lang, zone)),
                    sheet=translate(f"exports.sheet.{kind}", lang),
                    file_name=rules.file_name(kind, first, last, file_format))
    begin_write(session)
    audit.record(session, actor, f"export.{kind}",
                 detail=f"{first.isoformat()} – {last.isoformat()} ({file_format}, {lang})")
    session.commit()
    return export


def rows(export: Export) -> Iterator[list]:
    """The export's rows, one list per row in the order of `export.columns`, read page by page."""
    return _ROWS[export.kind](export)
