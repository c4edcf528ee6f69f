"""The training HTTP routes, called through the real Starlette app with the session cookie, on SQLite
and PostgreSQL: staff CSV exports (members and visitors refused), a member's "add to calendar"
file, and the staff upload of a trainer's photo (checked by origin and content)."""

import csv
import io

import pytest
from icalendar import Calendar
from PIL import Image
from sqlmodel import Session, select
from starlette.testclient import TestClient

import hub_app.db
from hub_app.api import build_api, wrap_with_headers
from hub_app.api.session_cookie import SESSION_COOKIE
from hub_app.models.trainings import Trainer, TrainingTrainer
from hub_app.services import enrolments
from tests.handlers.handler_harness import make_person
from tests.trainings.helpers import make_training

BASE = "http://portal.test"


@pytest.fixture
def api(engine, monkeypatch, tmp_path):
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: engine)
    from hub_app.settings import get_settings

    monkeypatch.setattr(get_settings(), "upload_dir", tmp_path)
    monkeypatch.setattr(get_settings(), "allowed_origins", [BASE])
    with TestClient(wrap_with_headers(build_api()), base_url=BASE, follow_redirects=False) as client:
        yield client


@pytest.fixture
def world(engine):
    staff = make_person(engine, email="staf@jfch.example", name="Budi Santoso", role="staff")
    rina = make_person(engine, email="rina@umkm.example", name="Rina Kusuma")
    andi = make_person(engine, email="andi@startup.example", name="Andi Pratama")
    with Session(engine, expire_on_commit=False) as session:
        training = make_training(session, capacity=1, title_id="Pembukuan sederhana")
        from hub_app.domain.permissions import Actor

        for person in (rina, andi):
            enrolments.enrol(Actor(person.id, "member", "active"), session=session, training_id=training.id)
        trainer = Trainer(name="Hendra Gunawan")
        session.add(trainer)
        session.flush()
        session.add(TrainingTrainer(training_id=training.id, trainer_id=trainer.id))
        session.commit()
        return {"staff": staff, "rina": rina, "andi": andi, "training": training.id, "trainer": trainer.id}


def _cookies(person) -> dict:
    return {SESSION_COOKIE: person.token} if person else {}


def test_staff_export_enrolments_and_attendance_as_csv(api, world):
    url = f"/api/admin/trainings/{world['training']}/enrolments.csv"
    api.cookies.update(_cookies(world["staff"]))
    response = api.get(url)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "no-store" in response.headers["cache-control"] and "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [(row["name"], row["status"], row["waitlist_position"]) for row in rows] == [
        ("Rina Kusuma", "enrolled", ""), ("Andi Pratama", "waitlisted", "1")]
    attendance = api.get(f"/api/admin/trainings/{world['training']}/attendance.csv")
    assert attendance.status_code == 200 and attendance.text.lstrip("\ufeff").startswith("member_id,name,email")
    assert api.get("/api/admin/trainings/999999/enrolments.csv").status_code == 404
    assert api.get(f"/api/admin/trainings/{world['training']}/passwords.csv").status_code == 404


@pytest.mark.parametrize(("who", "status"), [("rina", 403), (None, 401)])
def test_members_and_visitors_get_no_export(api, world, who, status):
    api.cookies.update(_cookies(world[who] if who else None))
    for kind in ("enrolments", "attendance"):
        response = api.get(f"/api/admin/trainings/{world['training']}/{kind}.csv")
        assert response.status_code == status and "Rina" not in response.text


def test_add_to_calendar_only_for_a_member_with_a_seat(api, world):
    url = f"/api/trainings/{world['training']}/calendar.ics"
    api.cookies.update(_cookies(world["rina"]))
    response = api.get(url)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Pembukuan sederhana"
    api.cookies.clear()
    api.cookies.update(_cookies(world["andi"]))  # waitlisted: no seat, no sessions to add
    assert api.get(url).status_code == 404
    api.cookies.clear()
    assert api.get(url).status_code == 404


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (400, 300), (11, 95, 115)).save(output, "PNG")
    return output.getvalue()


def test_staff_upload_a_trainer_photo_checked_by_origin_and_content(api, world, engine, tmp_path):
    url = f"/api/admin/trainers/{world['trainer']}/photo"
    back = f"/admin/trainings/{world['training']}"
    api.cookies.update(_cookies(world["staff"]))
    files = {"photo": ("foto.png", _png(), "image/png")}
    assert api.post(url, files=files, data={"back": back}).status_code == 403  # no Origin: refused
    headers = {"origin": BASE}
    response = api.post(url, files=files, data={"back": back}, headers=headers)
    assert response.status_code == 303 and response.headers["location"] == f"{back}?photo=ok"
    with Session(engine) as session:
        photo = session.exec(select(Trainer.photo_file).where(Trainer.id == world["trainer"])).one()
    assert photo.endswith(".webp") and (tmp_path / "trainers" / photo).is_file()
    fake = {"photo": ("foto.png", b"<svg onload=alert(1)>", "image/png")}
    response = api.post(url, files=fake, data={"back": "https://evil.example/"}, headers=headers)
    assert response.headers["location"] == "/admin/trainings?photo=error.avatar_invalid"
    api.cookies.clear()
    api.cookies.update(_cookies(world["rina"]))
    response = api.post(url, files=files, data={"back": back}, headers=headers)
    # Refused before the body (and the form's back field) is read: back to the programme list.
    assert response.headers["location"] == "/admin/trainings?photo=trainings.error.staff_only"
