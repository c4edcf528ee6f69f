"""The member directory on both engines: who is listed, search, filters, privacy, suggestions and
the profile sections other features add."""

import pytest
from sqlmodel import Session

from hub_app.domain.errors import InvalidInput, NotAllowed, NotFound
from hub_app.models import User
from hub_app.services import forum, members
from tests.accounts.factories import actor_of, make_user
from tests.transactions import end_read


def _profile(session: Session, user: User, **fields) -> User:
    for name, value in fields.items():
        setattr(user, name, value)
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def directory(session, people, categories):
    _profile(session, people.rina_user, business_name="Batik Rina", sector="fashion", stage="growth",
             offers="Desain motif, produksi batik tulis", looking_for="Fotografer produk, mitra ekspor ke Jerman")
    _profile(session, people.andi_user, business_name="Kopi Kita", sector="culinary", stage="early",
             offers="Jaringan petani kopi, pengemasan", looking_for="Developer aplikasi pemesanan, investor awal")
    _profile(session, people.maya_user, business_name="Logistiq", sector="technology", stage="growth",
             offers="Pengembangan aplikasi web dan mobile, Python, React, developer", looking_for="Mitra UMKM")
    foto = make_user(session, "foto@x.example", name="Yoga Foto")
    _profile(session, foto, business_name="Studio Yoga", sector="creative", stage="established",
             offers="Fotografi produk dan katalog, ekspor konten", looking_for="Klien UMKM", show_email=True)
    hidden = make_user(session, "hidden@x.example", name="Hana Tersembunyi")
    _profile(session, hidden, offers="Fotografer produk", show_in_directory=False)
    make_user(session, "suspended@x.example", name="Susi Suspended", status="suspended")
    return {"foto": foto, "hidden": hidden}


def _names(page) -> list[str]:
    return [row.name for row in page.rows]


def test_only_active_members_who_chose_to_be_listed(session, people, directory):
    page = members.list_directory(people.rina, session=session)
    assert _names(page) == sorted(["Andi Pratama", "Budi Santoso", "Maya Hartono", "Rina Kusuma", "Sari Wulandari",
                                   "Yoga Foto"])
    with pytest.raises(NotFound):
        members.get_member(people.rina, session=session, member_id=directory["hidden"].id)
    with pytest.raises(NotFound):
        members.get_member(people.rina, session=session, member_id=people.dewi.user_id)  # pending


def test_search_by_name_business_skill_sector_and_looking_for(session, people, directory):
    def found(query, **filters):
        return _names(members.list_directory(people.rina, session=session, query=query, **filters))

    assert found("batik") == ["Rina Kusuma"]
    assert found("react") == ["Maya Hartono"]
    assert found("kopi kita") == ["Andi Pratama"]
    assert found("investor") == ["Andi Pratama"]
    assert found("kuliner") == ["Andi Pratama"]  # the sector's label
    assert found("andi-pratama") == ["Andi Pratama"]  # the handle
    assert found("", sector="technology") == ["Maya Hartono"]
    assert found("", stage="growth") == ["Maya Hartono", "Rina Kusuma"]
    assert found("fotografi", sector="creative", stage="established") == ["Yoga Foto"]
    assert found("%") == found("") and found("_") == found("")


def test_email_only_when_the_member_opted_in(session, people, directory):
    assert members.get_member(people.rina, session=session, member_id=directory["foto"].id).email == "foto@x.example"
    assert members.get_member(people.rina, session=session, member_id=people.andi.user_id).email == ""
    card = members.list_directory(people.rina, session=session, query="andi").rows[0]
    assert "email" not in vars(card)


def test_visitors_are_asked_to_sign_in(session, people, directory):
    for call in (members.list_directory, members.suggestions):
        with pytest.raises(NotAllowed) as refused:
            call(None, session=session)
        assert refused.value.key == "members.error.sign_in"
    with pytest.raises(NotAllowed):
        members.get_member(None, session=session, member_id=people.rina.user_id)
    members.list_directory(people.dewi, session=session)  # pending members may look


def test_suggestions_match_what_i_look_for_with_what_others_offer(session, people, directory):
    suggested = members.suggestions(people.rina, session=session)
    assert [card.name for card in suggested] == ["Yoga Foto"]
    assert suggested[0].matched == "fotografi, produk, ekspor"
    assert [card.name for card in members.suggestions(people.andi, session=session)] == ["Maya Hartono"]
    assert members.suggestions(people.staff, session=session) == []  # looks for nothing


def test_directory_pages_by_name(session, people, directory):
    for number in range(30):
        make_user(session, f"m{number}@x.example", name=f"Zaki {number:02d}")
    first = members.list_directory(people.rina, session=session)
    second = members.list_directory(people.rina, session=session, cursor=first.next_cursor)
    assert len(first.rows) == members.PAGE_SIZE and first.next_cursor
    assert set(_names(first)).isdisjoint(_names(second)) and len(first.rows) + len(second.rows) == 36
    assert second.next_cursor == ""


@pytest.mark.parametrize("bad", [{"sector": "space"}, {"stage": 5}, {"query": ["x"]}, {"cursor": "no-separator"},
                                 {"cursor": 12}, {"query": "x" * 101}])
def test_bad_directory_input_is_refused(session, people, directory, bad):
    with pytest.raises(InvalidInput):
        members.list_directory(people.rina, session=session, **bad)


@pytest.mark.parametrize("member_id", ["abc", -3, None, 10**20, [1]])
def test_a_profile_that_does_not_exist(session, people, directory, member_id):
    with pytest.raises(NotFound):
        members.get_member(people.rina, session=session, member_id=member_id)


def test_the_profile_shows_forum_threads_and_sections_from_other_features(session, people, directory, monkeypatch):
    forum.start_thread(people.rina, session=session, slug="kolaborasi", title="Cari fotografer katalog", body="Isi")
    forum.start_thread(people.rina, session=session, slug="internal", title="Khusus anggota saja", body="Isi")

    def trainings(session_, reader, member, locale):
        return members.ProfileSection(title="Completed trainings" if locale == "en" else "Pelatihan selesai",
                                      items=[members.SectionItem(text=f"Digital marketing ({member.name})")])

    monkeypatch.setattr(members, "PROFILE_SECTIONS", [trainings, lambda *args: None])
    profile = members.get_member(people.andi, session=session, member_id=people.rina.user_id, locale="en")
    assert profile.handle == "rina-kusuma" and profile.sector == "Fashion" and profile.stage == "Growing"
    assert [thread.title for thread in profile.threads] == ["Khusus anggota saja", "Cari fotografer katalog"]
    assert [(section.title, section.items[0].text) for section in profile.sections] == [
        ("Completed trainings", "Digital marketing (Rina Kusuma)")]


def test_a_deleted_account_leaves_the_directory(session, people, directory):
    from hub_app.services import profiles
    from tests.accounts.factories import PASSWORD

    maya = make_user(session, "maya2@x.example", name="Maya Dua")
    profiles.delete_account(actor_of(maya), session=session, password=PASSWORD)
    assert "Maya Dua" not in _names(members.list_directory(people.rina, session=session))


@pytest.mark.parametrize("field", ["name", "business_name", "bio", "offers", "looking_for"])
def test_script_or_html_in_a_profile_is_refused_and_changes_nothing(session, people, directory, field):
    from hub_app.services import profiles

    before = members.get_member(people.andi, session=session, member_id=people.rina.user_id)
    form = {"name": "Rina Kusuma", "business_name": "Batik Rina", "sector": "fashion", "stage": "growth",
            "bio": "Batik tulis", "offers": "Desain motif", "looking_for": "Fotografer produk",
            "show_in_directory": True, field: "Halo <script>alert(1)</script>"}
    with pytest.raises(InvalidInput) as refused:
        profiles.update_profile(people.rina, session=session, form=form)
    assert (refused.value.key, refused.value.field) == ("error.markup", field)
    assert members.get_member(people.andi, session=session, member_id=people.rina.user_id) == before
    form[field] = "Harga < 10 ribu, kualitas <3"
    end_read(session)
    profiles.update_profile(people.rina, session=session, form=form)
