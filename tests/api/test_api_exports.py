"""GET /api/admin/exports/<kind>.<csv|xlsx>: staff and admins only (the session cookie decides,
before anything is read), bad requests answered 400 with a short plain message and nothing run,
private no-store answers with a clear file name, files that open in the csv module and openpyxl."""

import tempfile

import pytest
from sqlmodel import Session, col, select

from hub_app.models import AuditEntry
from tests.exports.dataset import arrange, read_csv, read_xlsx
from tests.handlers.handler_harness import make_person

PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
KINDS = ("bookings", "members", "enrolments", "attendance", "occupancy")


@pytest.fixture
def people(api_db):
    return {
        "visitor": None,
        "pending": make_person(api_db, email="baru@test.example", name="Baru", status="pending"),
        "member": make_person(api_db, email="ani@test.example", name="Ani Member"),
        "suspended staff": make_person(api_db, email="lama@test.example", name="Lama", role="staff",
                                       status="suspended"),
        "staff": make_person(api_db, email="staf@test.example", name="Sari Staf", role="staff"),
        "admin": make_person(api_db, email="admin@test.example", name="Adi Admin", role="admin", locale="en"),
    }


def get(client, path: str, person=None, **params):
    headers = {"cookie": f"hub_session={person.token}"} if person else {}
    return client.get(path, params=PERIOD | params, headers=headers)


def audit_entries(engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


# A suspended account's sessions no longer count: it asks as a visitor.
@pytest.mark.parametrize("role,status", [("visitor", 401), ("pending", 403), ("member", 403),
                                         ("suspended staff", 401)])
@pytest.mark.parametrize("name", ["bookings.csv", "members.xlsx", "attendance.csv", "nothing.pdf"])
def test_only_staff_and_admins_get_an_export(client, api_db, people, role, status, name):
    response = get(client, f"/api/admin/exports/{name}", people[role])
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["cache-control"] == "private, no-store"
    assert "content-disposition" not in response.headers
    assert audit_entries(api_db) == []


@pytest.mark.parametrize("role", ["staff", "admin"])
@pytest.mark.parametrize("kind", KINDS)
def test_staff_and_admins_download_each_export_in_both_formats(client, api_db, people, role, kind):
    arrange(api_db)
    csv_answer = get(client, f"/api/admin/exports/{kind}.csv", people[role])
    xlsx_answer = get(client, f"/api/admin/exports/{kind}.xlsx", people[role])
    assert (csv_answer.status_code, xlsx_answer.status_code) == (200, 200)
    assert csv_answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert xlsx_answer.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for answer, suffix in ((csv_answer, "csv"), (xlsx_answer, "xlsx")):
        assert answer.headers["cache-control"] == "private, no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["content-disposition"] == (
            f'attachment; filename="hub-{kind}-2026-11-01_2026-11-30.{suffix}"')
    in_csv, in_xlsx = read_csv(csv_answer.content), read_xlsx(xlsx_answer.content)
    assert len(in_csv) == len(in_xlsx) > 1 and in_csv[0] == in_xlsx[0]
    # Without lang: the account's language (the admin's is English).
    assert ("Member" in in_csv[0] or "Name" in in_csv[0] or "Training" in in_csv[0]) == (role == "admin")
    assert [(entry.action, entry.detail[:23]) for entry in audit_entries(api_db)] == [
        (f"export.{kind}", "2026-11-01 – 2026-11-30")] * 2


def test_the_bookings_rows_arrive_in_wib_and_neutralised(client, api_db, people, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the XLSX file is written
    hub = arrange(api_db)
    rows = read_csv(get(client, "/api/admin/exports/bookings.csv", people["staff"], lang="en").content)
    assert rows[0][:5] == ["Booking no.", "Space", "Member", "Start (WIB)", "End (WIB)"]
    assert rows[1] == [str(hub.bookings["b2"]), "Area Meja Bersama (in Indonesian)", "'+1 Andi", "2026-11-01 00:00",
                       "2026-11-01 01:00", "Confirmed", "Member", "1", "", "No", "'+1"]
    sheet = read_xlsx(get(client, "/api/admin/exports/bookings.xlsx", people["staff"], lang="id").content)
    assert sheet[2][:3] == [hub.bookings["b1"], "Ruang Rapat Merdeka", "Rina Kusuma"]
    assert sheet[2][-1] == "'=HYPERLINK(\"http://x.example\",\"klik\")"
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone once the answer is sent


@pytest.mark.parametrize("name,params,message", [
    ("users.csv", {}, "Jenis ekspor tidak dikenal."),
    ("bookings.pdf", {}, "Format harus csv atau xlsx."),
    ("bookings", {}, "Jenis ekspor tidak dikenal."),
    ("bookings.csv.xlsx", {}, "Jenis ekspor tidak dikenal."),
    (".csv", {}, "Jenis ekspor tidak dikenal."),
    ("bookings.csv", {"from": ""}, "Tanggal harus berbentuk TTTT-BB-HH."),
    ("bookings.csv", {"to": "2026-02-30"}, "Tanggal harus berbentuk TTTT-BB-HH."),
    ("bookings.csv", {"from": "x" * 5000}, "Tanggal harus berbentuk TTTT-BB-HH."),
    ("bookings.csv", {"from": "2026-11-01'; DROP TABLE bookings;--"}, "Tanggal harus berbentuk TTTT-BB-HH."),
    ("bookings.csv", {"from": "2026-12-01"}, "Tanggal akhir tidak boleh sebelum tanggal awal."),
    ("bookings.xlsx", {"from": "2025-11-29"}, "Periode paling panjang 366 hari."),
    ("bookings.xlsx", {"from": "0001-01-01", "to": "9999-12-31"}, "Periode paling panjang 366 hari."),
    ("bookings.csv", {"lang": "de"}, "Bahasa harus id atau en."),
    ("members.xlsx", {"lang": "en", "to": "soon"}, "Dates must be written YYYY-MM-DD."),
])
def test_bad_requests_get_400_with_a_short_message_and_nothing_runs(client, api_db, people, name, params, message):
    response = get(client, f"/api/admin/exports/{name}", people["staff"], **params)
    assert (response.status_code, response.text) == (400, message)
    assert response.headers["cache-control"] == "private, no-store"
    assert audit_entries(api_db) == []


def test_missing_dates_are_a_bad_request(client, api_db, people):
    response = client.get("/api/admin/exports/bookings.csv", headers={"cookie": f"hub_session={people['admin'].token}"})
    assert (response.status_code, response.text) == (400, "Dates must be written YYYY-MM-DD.")


def test_only_get_is_answered(client, api_db, people):
    response = client.post("/api/admin/exports/bookings.csv", params=PERIOD,
                           headers={"cookie": f"hub_session={people['staff'].token}"})
    assert response.status_code == 405


@pytest.mark.parametrize("cookie", ["hub_session=forged-token", "hub_session=" + "a" * 5000, "hub_session", "=;;=",
                                    "hub_session=\"\\x00\""])
def test_a_forged_or_broken_cookie_is_a_visitor(client, api_db, people, cookie):
    response = client.get("/api/admin/exports/bookings.csv", params=PERIOD, headers={"cookie": cookie})
    assert (response.status_code, response.text) == (401, "Silakan masuk terlebih dahulu.")
    assert audit_entries(api_db) == []
