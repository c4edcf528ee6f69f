"""GET /api/admin/reports/programme-<month>-<lang>.pdf (and programme.pdf?month=&lang=): the monthly
programme report for staff only, by the session cookie; bad month or language 400; both engines."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.handlers.handler_harness import make_person
from tests.reports.hub import MONTH, words

NAMED = f"/api/admin/reports/programme-{MONTH}-en.pdf"


def _cookie(person) -> dict[str, str]:
    return {"cookie": f"hub_session={person.token}"}


def test_a_visitor_is_asked_to_sign_in(client, api_db):
    for url in (NAMED, f"/api/admin/reports/programme.pdf?month={MONTH}&lang=en"):
        response = client.get(url)
        assert response.status_code == 401 and response.headers["cache-control"] == "private, no-store"
    assert client.get(NAMED, headers={"cookie": "hub_session=forged-token"}).status_code == 401


# A suspended account's sessions no longer sign anyone in: that is a visitor.
@pytest.mark.parametrize(("kind", "status"), [({"role": "member"}, 403), ({"role": "member", "status": "pending"}, 403),
                                              ({"role": "staff", "status": "suspended"}, 401)])
def test_anyone_but_active_staff_is_refused(client, api_db, kind, status):
    person = make_person(api_db, email="orang@hub.example", name="Orang", **kind)
    response = client.get(NAMED, headers=_cookie(person))
    assert response.status_code == status and b"%PDF" not in response.content


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_download_the_report_in_either_language(client, api_db, role):
    person = make_person(api_db, email="staf@hub.example", name="Sari Staf", role=role)
    response = client.get(NAMED, headers=_cookie(person))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="programme-report-2026-10-en.pdf"'
    assert response.headers["cache-control"] == "private, no-store"
    text = words(PdfReader(BytesIO(response.content)).pages[0].extract_text())
    assert "Monthly Programme Report" in text and "October 2026 · compared with September 2026" in text

    response = client.get(f"/api/admin/reports/programme.pdf?month={MONTH}&lang=id", headers=_cookie(person))
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="programme-report-2026-10-id.pdf"'
    assert "Laporan Program Bulanan" in words(PdfReader(BytesIO(response.content)).pages[0].extract_text())


@pytest.mark.parametrize("path", [
    "programme-2026-13-en.pdf", "programme-2026-1-en.pdf", "programme-26-10-en.pdf", "programme-2026-10-de.pdf",
    "programme-2026-10-EN.pdf", "programme-2026-10-x-en.pdf", "programme.pdf", "programme.pdf?month=2026-10",
    "programme.pdf?lang=en", "programme.pdf?month=..%2F..%2Fetc&lang=en", "programme.pdf?month=2026-10&lang=fr",
    "programme.pdf?month=%00&lang=en", "programme-9999-12-en.pdf", "programme-0001-01-id.pdf",
])
def test_a_bad_month_or_language_is_a_bad_request(client, api_db, path):
    person = make_person(api_db, email="staf@hub.example", name="Sari Staf", role="staff")
    response = client.get(f"/api/admin/reports/{path}", headers=_cookie(person))
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/plain")


def test_another_name_is_not_found(client, api_db):
    person = make_person(api_db, email="staf@hub.example", name="Sari Staf", role="staff")
    for name in ("occupancy-2026-10-en.pdf", "programme-2026-10-en.csv"):
        assert client.get(f"/api/admin/reports/{name}", headers=_cookie(person)).status_code == 404
