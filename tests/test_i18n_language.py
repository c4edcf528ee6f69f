"""Plural forms through Babel, the marked fallback of staff content, and the catalogue's new parts
(page titles, the terms and privacy texts)."""

import re
from pathlib import Path

from hub_app.i18n import (
    CATALOGUE,
    PLURAL_CATEGORIES,
    fallback_marker,
    pick_marked,
    plural_rule_javascript,
    plural_variants,
    translate,
)

PAGES = Path(__file__).resolve().parent.parent / "hub_app" / "pages"


def test_counts_take_the_plural_form_of_the_language():
    assert translate("count.threads", "en", count=1) == "1 thread"
    assert translate("count.threads", "en", count=2) == "2 threads"
    assert translate("count.threads", "en", count=0) == "0 threads"
    assert translate("count.threads", "id", count=1) == "1 topik"
    assert translate("bookings.cancelled", "en", count=1) == "1 booking cancelled."
    # The number a message follows: `count`, else its only number (also as digits in a string).
    assert translate("error.sign_in_throttled", "en", minutes=1) == "Too many sign-in attempts. Try again in 1 minute."
    assert translate("error.sign_in_throttled", "en", minutes="1").endswith("in 1 minute.")
    assert translate("error.sign_in_throttled", "en", minutes=15).endswith("in 15 minutes.")
    assert translate("trainings.average_rating", "en", average=4.5, count=1) == "Average 4.5 ★ from 1 rating"
    assert plural_variants("count.replies", "en") == {"other": "{count} replies", "one": "{count} reply"}
    assert plural_variants("count.replies", "id") == {"other": "{count} balasan"}  # one form


def test_the_browser_gets_babels_rule():
    assert "'one'" in plural_rule_javascript("en")
    assert "'one'" not in plural_rule_javascript("id")


def test_every_plural_variant_belongs_to_a_message_with_the_same_placeholders():
    for key in CATALOGUE:
        base, _, category = key.rpartition(".")
        if category in PLURAL_CATEGORIES and base in CATALOGUE:
            for variant, text in zip(CATALOGUE[key], CATALOGUE[base], strict=True):
                assert set(re.findall(r"\{(\w+)\}", variant)) == set(re.findall(r"\{(\w+)\}", text)), key


def test_no_count_is_left_as_a_parenthesised_plural():
    assert not [key for key, (_, english) in CATALOGUE.items() if "(s)" in english]


def test_staff_content_in_the_other_language_is_marked():
    assert pick_marked("Ruang Rapat Monas", "", "en") == "Ruang Rapat Monas (in Indonesian)"
    assert pick_marked("", "Monas Meeting Room", "id") == "Monas Meeting Room (dalam bahasa Inggris)"
    assert pick_marked("Ruang Rapat Monas", "Monas Meeting Room", "en") == "Monas Meeting Room"
    assert pick_marked("", "", "en") == ""
    assert fallback_marker("Ruang", "Room", "id") == ""


def test_every_page_has_a_translated_title():
    declared = {}
    for module in PAGES.glob("*.py"):
        text = module.read_text()
        for route in re.findall(r'@rx\.page\(\s*route="([^"]+)"', text):
            match = re.search(r'route="' + re.escape(route) + r'",\s*title=page_title\("([^"]+)"\)', text)
            declared[route] = match.group(1) if match else None
    assert {route for route, key in declared.items() if key is None} == set()
    for key in declared.values():
        indonesian, english = CATALOGUE[key]
        assert indonesian.endswith("Jakarta Future City Hub") and english.endswith("Jakarta Future City Hub")


def test_the_privacy_notice_covers_the_members_rights():
    english = " ".join(text for key, (_, text) in CATALOGUE.items() if key.startswith("legal.privacy."))
    for words in ("27 of 2022", "download all your data", "delete your account", "correct", "How long",
                  "Who sees your data", "Hub staff"):
        assert words in english, words
