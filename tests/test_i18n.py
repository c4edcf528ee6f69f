"""Every UI string is in the catalogue, in both languages, with the same placeholders."""

import re
import string
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hub_app.i18n import CATALOGUE, format_datetime, format_time, pick, translate

ROOT = Path(__file__).resolve().parent.parent / "hub_app"
KEY_USE = re.compile(
    r"""\b(?:t|tf|_t|translate|HubError|InvalidInput|NotAllowed|NotFound|Conflict)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, (indonesian, english) in CATALOGUE.items():
        assert indonesian.strip() and english.strip(), key
        assert _placeholders(indonesian) == _placeholders(english), key


def test_every_key_used_in_the_code_exists():
    missing = set()
    for path in ROOT.rglob("*.py"):
        for key in KEY_USE.findall(path.read_text()):
            if key not in CATALOGUE:
                missing.add(f"{path.relative_to(ROOT)}: {key}")
    assert not missing, sorted(missing)


def test_dates_in_wib_in_the_chosen_locale():
    moment = datetime(2022, 4, 28, 3, 0, tzinfo=UTC)
    assert format_datetime(moment, "id") == "Kamis, 28 April 2022, 10.00 WIB"
    assert format_datetime(moment, "en") == "Thursday, 28 April 2022, 10:00 WIB"


def test_translate_and_pick():
    assert translate("error.sign_in_throttled", "en", minutes=3) == "Too many sign-in attempts. Try again in 3 minutes."
    assert translate("nav.home", "id") == "Beranda"
    assert pick("Ruang Rapat", "", "en") == "Ruang Rapat"
    assert pick("Ruang Rapat", "Meeting room", "en") == "Meeting room"


def test_validation_errors_read_well_without_parameters():
    """domain/validation raises these with only the field, which the page shows as the label."""
    for key in ("error.field_type", "error.field_required", "error.field_choice", "error.date_invalid",
                "error.email_invalid"):
        for locale in ("id", "en"):
            assert "{" not in translate(key, locale), key


def test_format_time_is_the_local_clock_of_the_instant_in_the_zone_asked():
    instant = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
    assert format_time(instant, "id") == "10.30"
    assert format_time(instant, "en") == "10:30"
    # the same instant written in another zone, and the answers remembered for it, stay the same
    assert format_time(instant.astimezone(ZoneInfo("Asia/Makassar")), "id") == "10.30"
    assert format_time(instant, "id", "Asia/Jayapura") == "12.30"
    assert format_time(instant, "en", "UTC") == "03:30"
