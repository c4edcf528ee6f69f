"""GET /api/admin/audit.csv: staff download the audit log's filtered entries; visitors, members and
suspended staff get nothing of it."""

import csv
import io

import pytest
from sqlmodel import Session

from hub_app.models import AuditEntry
from tests.handlers.handler_harness import make_person


def add_entries(engine, actor_id: int, member_id: int) -> None:
    with Session(engine) as session:
        session.add(AuditEntry(actor_id=actor_id, action="member.approve", target_type="user", target_id=member_id,
                               detail="@SUM(A1)"))
        session.add(AuditEntry(actor_id=actor_id, action="hours.update", detail="0:9-17"))
        session.commit()


@pytest.mark.parametrize("role, status, expected", [("visitor", "active", 401), ("member", "active", 403),
                                                    ("member", "pending", 403), ("staff", "suspended", 401)])
def test_only_staff_download_the_audit_log(client, api_db, role, status, expected):
    staff = make_person(api_db, email="staf@test.example", name="Sari Staf", role="staff")
    add_entries(api_db, staff.id, staff.id)
    headers = {}
    if role != "visitor":
        person = make_person(api_db, email="x@test.example", name="Rina Rahasia", role=role, status=status)
        headers = {"cookie": f"hub_session={person.token}"}
    response = client.get("/api/admin/audit.csv", headers=headers)
    assert response.status_code == expected
    assert "member.approve" not in response.text and "Sari" not in response.text
    assert response.headers["cache-control"] == "private, no-store"


def test_staff_download_the_filtered_entries(client, api_db):
    staff = make_person(api_db, email="staf@test.example", name="Sari Staf", role="staff", locale="en")
    member = make_person(api_db, email="rina@test.example", name="Rina Kusuma", signed_in=False)
    add_entries(api_db, staff.id, member.id)
    cookie = {"cookie": f"hub_session={staff.token}"}
    response = client.get("/api/admin/audit.csv?action=member.approve&member=rina@test.example"
                          "&from=2000-01-01&to=2999-12-31", headers=cookie)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="audit-log.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][2:8] == ["Sari Staf", "member.approve", "Member approved", "Rina Kusuma",
                            f"/admin/members/{member.id}", "'@SUM(A1)"]
    for query in ("action=nope", "from=yesterday", "staff=-1", "from=2026-02-02&to=2026-01-01"):
        assert client.get(f"/api/admin/audit.csv?{query}", headers=cookie).status_code == 400
