"""The booking HTTP routes (.ics feed, one booking's .ics, space photo upload) on both engines."""

import io

import pytest
from icalendar import Calendar
from PIL import Image
from sqlmodel import Session
from starlette.testclient import TestClient

import hub_app.db
from hub_app.api import build_api
from hub_app.api.session_cookie import SESSION_COOKIE
from hub_app.models import Space
from hub_app.services import bookings, calendar_feed
from tests.bookings.helpers import iso, make_space, weekday_ahead
from tests.handlers.handler_harness import make_person

BASE = "http://portal.test"


@pytest.fixture
def api(engine, monkeypatch, tmp_path):
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: engine)
    from hub_app.settings import get_settings
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path)
    monkeypatch.setattr(get_settings(), "allowed_origins", [BASE])
    return TestClient(build_api(), base_url=BASE)


def _actor(person):
    from hub_app.domain.permissions import Actor
    return Actor(person.id, person.role, person.status, person.name)


def test_feed_and_booking_file(api, engine):
    rina = make_person(engine, email="rina@umkm.example", name="Rina Kusuma")
    andi = make_person(engine, email="andi@startup.example", name="Andi Pratama")
    with Session(engine, expire_on_commit=False) as session:
        room = make_space(session)
        day = weekday_ahead()
        row = bookings.book(_actor(rina), session=session, space_id=room.id, start=iso(day, 10), end=iso(day, 11),
                            title="Sesi foto katalog")
        token = calendar_feed.regenerate_feed(_actor(rina), session=session).url.rsplit("/", 1)[1]
    response = api.get(f"/api/calendar/{token}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    assert "no-store" in response.headers["cache-control"]
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert summaries == ["Sesi foto katalog · Ruang Rapat Monas"]
    assert api.get("/api/calendar/" + "x" * 43 + ".ics").status_code == 404
    # One booking's file: only for its member, by the session cookie.
    mine = api.get(f"/api/bookings/{row.id}.ics", cookies={SESSION_COOKIE: rina.token})
    assert mine.status_code == 200 and b"Sesi foto katalog" in mine.content
    assert "attachment" in mine.headers["content-disposition"]
    assert api.get(f"/api/bookings/{row.id}.ics", cookies={SESSION_COOKIE: andi.token}).status_code == 404
    assert api.get(f"/api/bookings/{row.id}.ics").status_code == 404
    assert api.get("/api/bookings/999999.ics", cookies={SESSION_COOKIE: rina.token}).status_code == 404


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def test_photo_upload_is_staff_only_same_origin_and_checked(api, engine, tmp_path):
    staff = make_person(engine, email="staf@jfch.example", name="Budi Santoso", role="staff")
    member = make_person(engine, email="rina@umkm.example", name="Rina Kusuma")
    with Session(engine) as session:
        space_id = make_space(session).id
    url = f"/api/spaces/{space_id}/photos"
    files = {"photo": ("foto.png", _png(), "image/png")}
    origin = {"origin": BASE}
    assert api.post(url, files=files, cookies={SESSION_COOKIE: staff.token}).status_code == 403
    refused = api.post(url, files=files, headers=origin, cookies={SESSION_COOKIE: member.token},
                       follow_redirects=False)
    assert refused.headers["location"].endswith("photo=error.not_allowed")
    bad = api.post(url, files={"photo": ("x.png", b"<svg/>", "image/png")}, headers=origin,
                   cookies={SESSION_COOKIE: staff.token}, follow_redirects=False)
    assert bad.headers["location"].endswith("photo=error.avatar_invalid")
    ok = api.post(url, files=files, headers=origin, cookies={SESSION_COOKIE: staff.token}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == f"/admin/spaces?space={space_id}&photo=ok"
    with Session(engine) as session:
        photos = session.get(Space, space_id).photos
    assert len(photos) == 1 and (tmp_path / "spaces" / photos[0]).is_file()
