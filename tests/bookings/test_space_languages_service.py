"""Staff content in two languages: a space's name, description and location (location_en is new),
shown in the reader's language, the other language's marked when one is missing."""

from dataclasses import replace

import pytest

from hub_app.services import spaces
from tests.accounts.factories import actor_of, make_user

FORM = {"kind": "meeting_room", "name_id": "Ruang Rapat Monas", "name_en": "Monas Meeting Room",
        "description_id": "Ruang kecil untuk diskusi tim.", "description_en": "A small room for team talks.",
        "capacity": "6", "location": "Lantai 23, R. 2301", "location_en": "23rd floor, room 2301",
        "slot_minutes": "30", "min_minutes": "30", "max_minutes": "180", "advance_days": "14", "active": "on"}


@pytest.fixture
def staff(session):
    return actor_of(make_user(session, "staf@jfch.example", name="Budi Santoso", role="staff"))


def _card(session, staff, space_id, locale):
    session.commit()
    return spaces.get_space(replace(staff, locale=locale), session=session, space_id=space_id, locale=locale)


def test_a_space_reads_in_each_language(session, staff):
    session.commit()
    space_id = spaces.save_space(staff, session=session, form=FORM)
    english = _card(session, staff, space_id, "en")
    indonesian = _card(session, staff, space_id, "id")
    assert (english.name, english.description, english.location) == (
        "Monas Meeting Room", "A small room for team talks.", "23rd floor, room 2301")
    assert (indonesian.name, indonesian.description, indonesian.location) == (
        "Ruang Rapat Monas", "Ruang kecil untuk diskusi tim.", "Lantai 23, R. 2301")
    session.commit()
    assert spaces.space_form(staff, session=session, space_id=space_id).values["location_en"] == "23rd floor, room 2301"


def test_what_staff_wrote_in_one_language_only_is_marked_in_the_other(session, staff):
    session.commit()
    space_id = spaces.save_space(staff, session=session, form={**FORM, "name_en": "", "description_en": "",
                                                               "location_en": ""})
    english = _card(session, staff, space_id, "en")
    assert english.name == "Ruang Rapat Monas (in Indonesian)"
    assert english.description == "Ruang kecil untuk diskusi tim. (in Indonesian)"
    assert english.location == "Lantai 23, R. 2301 (in Indonesian)"
    assert _card(session, staff, space_id, "id").name == "Ruang Rapat Monas"
    session.commit()
    only_english = spaces.save_space(staff, session=session, form={**FORM, "location": "", "name_id": "Ruang X",
                                                                    "location_en": "23rd floor, room 2310"})
    assert _card(session, staff, only_english, "id").location == "23rd floor, room 2310 (dalam bahasa Inggris)"
    assert _card(session, staff, only_english, "en").location == "23rd floor, room 2310"


def test_an_overlong_english_location_is_refused(session, staff):
    from hub_app.domain.errors import InvalidInput

    session.commit()
    with pytest.raises(InvalidInput) as error:
        spaces.save_space(staff, session=session, form={**FORM, "location_en": "x" * 101})
    assert error.value.field == "location_en"
