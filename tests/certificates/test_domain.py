"""Certificate codes, hours and the LinkedIn link: pure rules."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from hub_app.domain import certificates as rules


def test_a_new_code_has_100_random_bits_in_crockford_base32():
    codes = {rules.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert rules.BITS >= 80
    for code in list(codes)[:50]:
        assert len(code) == 20 and set(code) <= set(rules.ALPHABET)
    # Every symbol turns up: the codes use the whole alphabet.
    assert set("".join(codes)) == set(rules.ALPHABET)
    assert not set("ILOU") & set(rules.ALPHABET)


def test_grouped_for_reading_and_read_back_as_people_type_it():
    code = "7KQ2M9XDABCDEFGHJKMN"
    assert rules.grouped(code) == "7KQ2-M9XD-ABCD-EFGH-JKMN"
    assert rules.verify_path(code) == "/certificates/7KQ2-M9XD-ABCD-EFGH-JKMN"
    assert rules.verify_url("https://hub.example/", code) == "https://hub.example/certificates/7KQ2-M9XD-ABCD-EFGH-JKMN"
    for typed in ("7KQ2-M9XD-ABCD-EFGH-JKMN", "7kq2m9xdabcdefghjkmn", " 7KQ2 M9XD ABCD EFGH JKMN "):
        assert rules.parse_code(typed) == code
    # Crockford: I and L are read as 1, O as 0.
    assert rules.parse_code("OIL0-0000-0000-0000-0000") == "01100000000000000000"


def test_anything_else_is_not_a_code():
    for junk in (None, 7, [], {}, "", "ABC", "U" * 20, "7KQ2-M9XD-ABCD-EFGH-JKM", "7KQ2M9XDABCDEFGHJKMNP",
                 "../../etc/passwd", "7KQ2-M9XD-ABCD-EFGH-JKM!", "x" * 10_000, "७KQ2M9XDABCDEFGHJKMN"):
        assert rules.parse_code(junk) is None


def test_hours_are_the_sum_of_the_sessions_to_a_quarter_hour():
    start = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    sessions = [(start, start + timedelta(hours=2)), (start + timedelta(days=7), start + timedelta(days=7, hours=3,
                                                                                                   minutes=20))]
    assert rules.hours_of(sessions) == 5.25
    assert rules.hours_of([]) == 0
    assert [rules.hours_text(value) for value in (12, 1.5, 2.25, 0)] == ["12", "1.5", "2.25", "0"]


def test_linkedin_link_fills_the_certification_form():
    url = rules.linkedin_url(certification="Pemasaran Instagram & marketplace", organization="Jakarta Future City Hub",
                             issued=datetime(2026, 12, 24, 9, 0), cert_url="https://hub.example/certificates/7KQ2-M9XD",
                             cert_id="7KQ2-M9XD")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"], "name": ["Pemasaran Instagram & marketplace"],
        "organizationName": ["Jakarta Future City Hub"], "issueYear": ["2026"], "issueMonth": ["12"],
        "certUrl": ["https://hub.example/certificates/7KQ2-M9XD"], "certId": ["7KQ2-M9XD"]}
