"""services/audit: the audit log as staff read it, filtered by staff member, member, action and a
range of WIB days, with readable names and links, paged by id, and exported as CSV; on SQLite and
PostgreSQL."""

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlmodel import select

from hub_app.domain.audit import ACTIONS, action_key, target_href
from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.i18n import CATALOGUE
from hub_app.models import AuditEntry, Trainer
from hub_app.services import audit
from tests.accounts.factories import actor_of, make_user
from tests.staff.helpers import booking, closure, desk_area, post, training, wib
from tests.transactions import end_read, write_meanwhile

DAY = date(2026, 11, 25)


@pytest.fixture
def hub(session):
    """Two staff, two members and one of each kind of target, with audit entries at known WIB times."""
    sari = make_user(session, "sari@hub.example", name="Sari Staf", role="staff")
    tono = make_user(session, "tono@hub.example", name="Tono Admin", role="admin")
    rina = make_user(session, "rina@umkm.example", name="Rina Kusuma")
    andi = make_user(session, "andi@startup.example", name="Andi Pratama")
    space = desk_area(session)
    rinas_booking = booking(session, space, rina.id, wib(DAY, 9))
    course = training(session, [wib(DAY, 14)], title="Pemasaran digital")
    forum_post = post(session, andi.id)
    gone = closure(session, wib(DAY, 0), wib(DAY + timedelta(days=1), 0))
    trainer = Trainer(name="Bu Lestari")
    session.add(trainer)
    session.commit()

    def entry(actor, action, target_type, target_id, when, detail=""):
        row = AuditEntry(actor_id=actor.id if actor else None, action=action, target_type=target_type,
                         target_id=target_id, detail=detail, created_at=when)
        session.add(row)
        session.commit()
        return row

    entries = {
        # 24 Nov, 23.59 WIB (16.59 UTC): the day before
        "approve_rina": entry(sari, "member.approve", "user", rina.id, wib(DAY - timedelta(days=1), 23, 59)),
        # 25 Nov, 00.00 WIB (17.00 UTC on the 24th): the day's first minute
        "booking": entry(sari, "booking.approve", "booking", rinas_booking.id, wib(DAY, 0, 0), "ok"),
        "training": entry(tono, "training.publish", "training", course.id, wib(DAY, 8)),
        "post": entry(tono, "forum.post_hide", "forum_post", forum_post.id, wib(DAY, 9), "=HYPERLINK(\"x\")"),
        "thread": entry(sari, "forum.thread_lock", "forum_thread", forum_post.thread_id, wib(DAY, 10)),
        "closure": entry(tono, "closure.remove", "closure", gone.id + 1000, wib(DAY, 11)),
        "hours": entry(tono, "hours.update", "", None, wib(DAY, 12)),
        "trainer": entry(sari, "training.trainer_photo", "trainer", trainer.id, wib(DAY, 13)),
        "terms": entry(andi, "member.terms_agreed", "user", andi.id, wib(DAY, 14)),
        "unknown": entry(None, "legacy.thing", "", None, wib(DAY, 15)),
        # 26 Nov, 00.00 WIB: the next day
        "suspend_andi": entry(tono, "member.suspend", "user", andi.id, wib(DAY + timedelta(days=1), 0, 0),
                              "Spam"),
    }
    end_read(session)
    return {"sari": sari, "tono": tono, "rina": rina, "andi": andi, "space": space, "booking": rinas_booking,
            "course": course, "post": forum_post, "trainer": trainer, "entries": entries}


def ids(rows) -> list[int]:
    return [row.id for row in rows]


def test_every_action_has_a_readable_name_in_both_languages():
    for action in ACTIONS:
        indonesian, english = CATALOGUE[action_key(action)]
        assert indonesian and english and indonesian != english
    assert audit.action_name("booking.approve", "en") == "Booking approved"
    assert audit.action_name("booking.approve", "id") == "Pemesanan disetujui"
    assert audit.action_name("legacy.thing", "id") == "legacy.thing"
    assert target_href("user", 18) == "/admin/members/18" and target_href("forum_post", 5) == ""
    assert target_href("booking", 3, day=DAY) == "/admin/bookings?date=2026-11-25"


def test_entries_read_as_names_with_links_and_times_in_wib(session, hub):
    staff = actor_of(hub["sari"])
    rows = {row.id: row for row in audit.list_entries(replace(staff, locale="en"), session=session)}
    e = hub["entries"]

    def seen(key):
        row = rows[e[key].id]
        return row.actor, row.action_name, row.target, row.target_href

    assert seen("approve_rina") == ("Sari Staf", "Member approved", "Rina Kusuma", f"/admin/members/{hub['rina'].id}")
    assert rows[e["approve_rina"].id].when == "24 Nov 2026, 23:59 WIB"
    assert seen("booking") == ("Sari Staf", "Booking approved", "Coworking area · 25 Nov 2026, 09:00 WIB · Rina Kusuma",
                               "/admin/bookings?date=2026-11-25")
    assert rows[e["booking"].id].when == "25 Nov 2026, 00:00 WIB"
    assert seen("training")[2:] == ("Pemasaran digital (en)", f"/admin/trainings/{hub['course'].id}")
    thread = hub["post"].thread_id
    assert seen("post")[2:] == (f"Post in \u201cPertanyaan {_thread_number(session, thread)}\u201d",
                                f"/forum/t/{thread}?from={hub['post'].id}")
    assert seen("thread")[1:] == ("Thread locked", f"Pertanyaan {_thread_number(session, thread)}",
                                  f"/forum/t/{thread}")
    assert seen("closure")[1:] == ("Closure removed", f"Closure #{e['closure'].target_id}", "/admin/spaces")
    assert seen("hours")[1:] == ("Opening hours changed", "", "")
    assert seen("trainer")[2:] == ("Bu Lestari", "/admin/trainings")
    assert seen("terms")[:3] == ("Andi Pratama", "Terms agreed", "Andi Pratama")
    assert seen("unknown") == ("-", "legacy.thing", "", "")
    indonesian = {row.id: row for row in audit.list_entries(staff, session=session)}
    assert indonesian[e["booking"].id].action_name == "Pemesanan disetujui"
    assert indonesian[e["booking"].id].target.startswith("Area Kerja Bersama · 25 Nov 2026, 09.00 WIB")


def _thread_number(session, thread_id):
    from hub_app.models import ForumThread

    return session.get(ForumThread, thread_id).title.rsplit(" ", 1)[1]


def test_filters_by_staff_member_action_and_wib_days(session, hub):
    staff, e = actor_of(hub["sari"]), hub["entries"]
    by_tono = audit.list_entries(staff, session=session, staff_id=str(hub["tono"].id))
    assert ids(by_tono) == [e[k].id for k in ("suspend_andi", "hours", "closure", "post", "training")]
    approvals = audit.list_entries(staff, session=session, action="booking.approve")
    assert ids(approvals) == [e["booking"].id]
    the_day = audit.list_entries(staff, session=session, date_from="2026-11-25", date_to="2026-11-25")
    assert ids(the_day) == [e[k].id for k in ("unknown", "terms", "trainer", "hours", "closure", "thread", "post",
                                               "training", "booking")]
    since = audit.list_entries(staff, session=session, date_from="2026-11-26")
    assert ids(since) == [e["suspend_andi"].id]
    until = audit.list_entries(staff, session=session, date_to="2026-11-24")
    assert ids(until) == [e["approve_rina"].id]
    both = audit.list_entries(staff, session=session, staff_id=hub["sari"].id, date_from="2026-11-25",
                              action="forum.thread_lock")
    assert ids(both) == [e["thread"].id]


def test_a_member_filter_finds_entries_about_them_and_their_bookings(session, hub):
    staff, e = actor_of(hub["sari"]), hub["entries"]
    about_rina = [e["booking"].id, e["approve_rina"].id]
    assert ids(audit.list_entries(staff, session=session, member="rina@UMKM.example")) == about_rina
    assert ids(audit.list_entries(staff, session=session, member="kusuma")) == about_rina
    assert ids(audit.list_entries(staff, session=session, member=str(hub["rina"].id))) == about_rina
    assert ids(audit.list_entries(staff, session=session, member="andi")) == [e["suspend_andi"].id, e["terms"].id]
    assert audit.list_entries(staff, session=session, member="nobody@x.example") == []
    assert audit.list_entries(staff, session=session, member="%") == []  # no wildcard: no name holds "%"


def test_pages_are_keyset_on_id_and_filters_are_validated(session, hub):
    staff = actor_of(hub["sari"])
    everything = ids(audit.list_entries(staff, session=session))
    assert len(everything) == 11 and everything == sorted(everything, reverse=True)
    first = audit.list_entries(staff, session=session, limit=4)
    second = audit.list_entries(staff, session=session, limit=4, before_id=first[-1].id)
    assert ids(first) + ids(second) == everything[:8]
    for junk in ({"staff_id": "abc"}, {"staff_id": -3}, {"action": "drop table"}, {"date_from": "25-11-2026"},
                 {"date_from": "2026-11-26", "date_to": "2026-11-25"}, {"before_id": "x"},
                 {"member": "x" * 300}, {"member": ["rina"]}):
        with pytest.raises(InvalidInput):
            audit.list_entries(staff, session=session, **junk)
    for actor in (None, actor_of(hub["rina"])):
        with pytest.raises(NotAllowed):
            audit.list_entries(actor, session=session)
        with pytest.raises(NotAllowed):
            audit.export_csv(actor, session=session)
        with pytest.raises(NotAllowed):
            audit.staff_options(actor, session=session)
    assert [(o.name) for o in audit.staff_options(staff, session=session)] == ["Sari Staf", "Tono Admin"]


def test_the_csv_export_holds_the_filtered_entries_neutralised(session, hub, monkeypatch):
    staff, e = replace(actor_of(hub["sari"]), locale="en"), hub["entries"]
    body = audit.export_csv(staff, session=session, staff_id=hub["tono"].id, date_from="2026-11-25",
                            date_to="2026-11-25")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["No", "When (WIB)", "Who", "Action code", "Action", "Target", "Link", "Detail"]
    assert [row[0] for row in rows[1:]] == [str(e[k].id) for k in ("hours", "closure", "post", "training")]
    hidden = rows[3]
    assert hidden[1:5] == ["25 Nov 2026, 09:00 WIB", "Tono Admin", "forum.post_hide", "Post hidden"]
    assert hidden[7] == "'=HYPERLINK(\"x\")"  # a formula is shown as text, never run
    end_read(session)
    exported = session.exec(select(AuditEntry).where(AuditEntry.action == "audit.export")).one()
    assert exported.actor_id == hub["sari"].id and f"staff={hub['tono'].id}" in exported.detail
    monkeypatch.setattr(audit, "EXPORT_LIMIT", 3)
    monkeypatch.setattr(audit, "EXPORT_PAGE", 2)
    capped = list(csv.reader(io.StringIO(audit.export_csv(staff, session=session))))
    assert [row[0] for row in capped[1:]] == [str(i) for i in sorted(
        [entry.id for entry in e.values()] + [exported.id], reverse=True)[:3]]


def test_the_export_is_recorded_when_someone_wrote_while_it_was_read(session, hub, monkeypatch):
    """On SQLite a transaction that has read cannot take the write lock after another connection
    wrote ("database is locked", a 500 for the staff member): the export ends its read first."""
    staff = actor_of(hub["sari"])
    drawn = audit.csv_document

    def written_meanwhile(header, rows):
        body = drawn(header, rows)
        write_meanwhile(session, actor_id=hub["tono"].id)
        return body

    monkeypatch.setattr(audit, "csv_document", written_meanwhile)
    assert audit.export_csv(staff, session=session).startswith("No,")
    end_read(session)
    exported = session.exec(select(AuditEntry).where(AuditEntry.action == "audit.export")).one()
    assert exported.actor_id == hub["sari"].id
