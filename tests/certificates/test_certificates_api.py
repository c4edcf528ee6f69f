"""GET /api/certificates/<code>.pdf through the real Starlette app with the session cookie, on
SQLite and PostgreSQL: the owner and staff get the PDF; a visitor 401; another member, an unknown
or a malformed code the same 404."""

import io
from datetime import timedelta

import pypdf
import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

import hub_app.db
from hub_app.api import build_api, wrap_with_headers
from hub_app.api.session_cookie import SESSION_COOKIE
from hub_app.domain.certificates import grouped
from hub_app.domain.permissions import Actor
from hub_app.models.base import utcnow
from hub_app.models.certificates import Certificate
from hub_app.models.trainings import Enrolment
from hub_app.services import training_attendance
from tests.handlers.handler_harness import make_person
from tests.trainings.helpers import make_training, sessions_of

BASE = "http://portal.test"


@pytest.fixture
def api(engine, monkeypatch):
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: engine)
    with TestClient(wrap_with_headers(build_api()), base_url=BASE, follow_redirects=False) as client:
        yield client


def _cookie(person) -> dict:
    return {"cookie": f"{SESSION_COOKIE}={person.token}"}


@pytest.fixture
def world(engine):
    staff = make_person(engine, email="staf@jfch.example", name="Budi Santoso", role="staff")
    rina = make_person(engine, email="rina@umkm.example", name="Rina Kusuma")
    andi = make_person(engine, email="andi@startup.example", name="Andi Pratama")
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        training = make_training(session, sessions=[(now - timedelta(hours=3), now - timedelta(hours=1))],
                                 opens=now - timedelta(days=5), closes=now - timedelta(days=1),
                                 cancel_until=now - timedelta(days=1))
        session.add(Enrolment(training_id=training.id, user_id=rina.id, status="enrolled", enrolled_at=now))
        training.enrolled_count = 1
        session.add(training)
        session.commit()
        [row] = sessions_of(session, training)
        training_attendance.set_attendance(Actor(staff.id, "staff", "active"), session=session, session_id=row.id,
                                           user_id=rina.id, present=True)
        code = session.exec(select(Certificate.code)).one()
    return staff, rina, andi, grouped(code)


def test_the_owner_and_staff_download_the_pdf(api, world):
    staff, rina, _, code = world
    for person, lang in ((rina, "id"), (staff, "en")):
        response = api.get(f"/api/certificates/{code}.pdf?lang={lang}", headers=_cookie(person))
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        assert response.headers["cache-control"] == "private, no-store"
        assert f'filename="certificate-{code}-{lang}.pdf"' in response.headers["content-disposition"]
        text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        assert "Rina Kusuma" in text and code in text


def test_everyone_else_is_refused_alike(api, world):
    _, _, andi, code = world
    assert api.get(f"/api/certificates/{code}.pdf").status_code == 401
    for path in (f"/api/certificates/{code}.pdf", "/api/certificates/0000-0000-0000-0000-0000.pdf",
                 "/api/certificates/nope.pdf", f"/api/certificates/{'A' * 5000}.pdf",
                 "/api/certificates/%2e%2e%2fetc%2fpasswd.pdf"):
        response = api.get(path, headers=_cookie(andi))
        assert response.status_code == 404 and b"%PDF" not in response.content
