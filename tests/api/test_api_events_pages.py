"""The events pages' HTTP routes (hub_app/api/events_pages.py): GET /events/<id> carries the event's
OpenGraph/Twitter tags (published events only, escaped, in the asked language) and POST
/api/admin/events/<id>/photo takes a staff member's photo through the one upload path (members,
visitors and other origins refused)."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlmodel import Session

from hub_app.domain.permissions import Actor
from hub_app.models.base import utcnow
from hub_app.models.events import Event
from hub_app.services import events
from hub_app.services.trainings import local_input
from hub_app.settings import get_settings
from tests.api.conftest import ORIGIN
from tests.handlers.handler_harness import make_person


@pytest.fixture
def uploads(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path)
    return tmp_path


@pytest.fixture
def world(api_db):
    staff = make_person(api_db, email="staf@jfch.example", name="Budi Santoso", role="staff")
    member = make_person(api_db, email="rina@umkm.example", name="Rina Kusuma")
    return {"staff": staff, "member": member}


def make_event(engine, staff, *, publish: bool = True, **fields) -> int:
    actor = Actor(staff.id, "staff", "active", staff.name)
    starts = utcnow() + timedelta(days=4)
    form = {"title_id": 'Temu "UMKM" & mitra', "title_en": "Small business meetup",
            "description_id": "Berkenalan dengan **anggota** hub.", "description_en": "Meet the hub's members.",
            "starts_at": local_input(starts), "ends_at": local_input(starts + timedelta(hours=2)),
            "place": "online", "online_url": "https://meet.example/x", "capacity": "20", "audience": "everyone",
            **fields}
    with Session(engine, expire_on_commit=False) as session:
        event_id = events.create_event(actor, session=session, form=form)
    if publish:
        with Session(engine, expire_on_commit=False) as session:
            events.publish_event(actor, session=session, event_id=event_id)
    return event_id


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 675), (11, 95, 115)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_published_events_page_carries_its_preview_tags(client, world, api_db):
    event_id = make_event(api_db, world["staff"])
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    # Escaped: a title is text, never markup.
    assert '<meta property="og:title" content="Temu &quot;UMKM&quot; &amp; mitra"/>' in html
    assert '<meta property="og:description" content="Berkenalan dengan anggota hub."/>' in html
    assert f'<meta property="og:url" content="{get_settings().public_base_url.rstrip("/")}/events/{event_id}"/>' \
        in html
    assert '<meta name="twitter:card" content="summary"/>' in html and "og:image" not in html
    assert 'content="Small business meetup"' in client.get(f"/events/{event_id}?lang=en").text
    assert 'content="Small business meetup"' in client.get(f"/events/{event_id}",
                                                           headers={"cookie": "hub_lang=en"}).text


@pytest.mark.parametrize("which", ["draft", "missing", "huge"])
def test_no_tags_for_a_draft_or_an_event_that_does_not_exist(which, client, world, api_db):
    event_id = {"draft": lambda: make_event(api_db, world["staff"], publish=False), "missing": lambda: 4242,
                "huge": lambda: 10**30}[which]()
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200 and "og:title" not in response.text


def test_staff_upload_an_events_photo_and_it_becomes_the_preview_image(client, world, api_db, uploads):
    event_id = make_event(api_db, world["staff"])
    response = client.post(f"/api/admin/events/{event_id}/photo", files={"photo": ("x.png", png(), "image/png")},
                           headers={"cookie": f"hub_session={world['staff'].token}", "origin": ORIGIN})
    assert response.status_code == 303 and response.headers["location"] == f"/admin/events/{event_id}?photo=ok"
    with Session(api_db) as session:
        assert session.get(Event, event_id).photo
    html = client.get(f"/events/{event_id}").text
    assert '<meta property="og:image" content="' in html and "summary_large_image" in html


@pytest.mark.parametrize("who", ["visitor", "member", "other_origin"])
def test_nobody_but_staff_uploads_an_events_photo(who, client, world, api_db, uploads):
    event_id = make_event(api_db, world["staff"])
    headers = {"origin": ORIGIN}
    if who == "member":
        headers["cookie"] = f"hub_session={world['member'].token}"
    if who == "other_origin":
        headers = {"cookie": f"hub_session={world['staff'].token}", "origin": "https://evil.example"}
    response = client.post(f"/api/admin/events/{event_id}/photo", files={"photo": ("x.png", png(), "image/png")},
                           headers=headers)
    assert response.status_code in (303, 403)
    if response.status_code == 303:
        assert not response.headers["location"].endswith("photo=ok")
    with Session(api_db) as session:
        assert session.get(Event, event_id).photo == ""
    assert not any(uploads.rglob("*.*"))


def test_a_file_that_is_not_an_image_is_refused(client, world, api_db, uploads):
    event_id = make_event(api_db, world["staff"])
    response = client.post(f"/api/admin/events/{event_id}/photo",
                           files={"photo": ("x.png", b"<svg onload=alert(1)>", "image/png")},
                           headers={"cookie": f"hub_session={world['staff'].token}", "origin": ORIGIN})
    assert response.status_code == 303 and "photo=ok" not in response.headers["location"]
    with Session(api_db) as session:
        assert session.get(Event, event_id).photo == ""
