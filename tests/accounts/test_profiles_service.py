"""A member's own profile: edit, language, avatar by content, export, delete."""

import io
import json

import pytest
from PIL import Image
from sqlmodel import select

from hub_app.domain.errors import InvalidInput, NotAllowed
from hub_app.models import AuditEntry, Notification, User, UserSession
from hub_app.services import accounts, audit, notifications, profiles, sign_in_sessions
from hub_app.settings import get_settings
from tests.accounts.factories import PASSWORD, actor_of, make_user, open_session_for
from tests.transactions import end_read


def _image(fmt: str, size=(600, 400)) -> bytes:
    output = io.BytesIO()
    image = Image.new("RGB", size, (11, 95, 115))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    image.save(output, fmt, **({"exif": exif} if fmt == "JPEG" else {}))
    return output.getvalue()


def test_pending_member_edits_the_profile(session):
    member = make_user(session, "dewi@x.example", status="pending")
    profile = profiles.update_profile(actor_of(member), session=session, form={
        "name": "Dewi Lestari", "business_name": "Anyaman Dewi", "sector": "craft", "stage": "idea",
        "bio": "Perajin\nbambu", "offers": "Anyaman", "looking_for": "Pemasaran", "show_in_directory": "on"})
    assert profile.name == "Dewi Lestari" and profile.bio == "Perajin\nbambu" and profile.show_in_directory
    assert profile.show_email is False


@pytest.mark.parametrize("form", [{"name": ""}, {"name": "x", "sector": "guns"}, {"name": 5}, "not a dict", None])
def test_bad_profile_input_changes_nothing(session, form):
    member = make_user(session, "dewi@x.example", name="Dewi")
    with pytest.raises(InvalidInput):
        profiles.update_profile(actor_of(member), session=session, form=form)
    session.refresh(member)
    assert member.name == "Dewi"


def test_visitor_has_no_profile(session):
    with pytest.raises(NotAllowed):
        profiles.get_profile(None, session=session)


def test_language_is_stored_on_the_account(session):
    member = make_user(session, "dewi@x.example")
    profiles.set_locale(actor_of(member), session=session, locale="en")
    session.refresh(member)
    assert member.locale == "en"
    with pytest.raises(InvalidInput):
        profiles.set_locale(actor_of(member), session=session, locale="fr")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_avatar_is_checked_by_content_and_stored_under_a_generated_name(session, fmt):
    member = make_user(session, "dewi@x.example")
    url = profiles.save_avatar(actor_of(member), session=session, data=_image(fmt))
    session.refresh(member)
    stored = get_settings().upload_dir / "avatars" / member.avatar_file
    assert url == f"/media/avatars/{member.avatar_file}" and member.avatar_file.endswith(".webp")
    with Image.open(stored) as image:
        assert image.format == "WEBP" and max(image.size) <= 256
        assert not image.getexif()  # camera metadata is dropped


@pytest.mark.parametrize(("data", "key"), [
    (b"GIF89a" + b"\x00" * 100, "error.avatar_invalid"),
    (b"<svg onload=alert(1)>", "error.avatar_invalid"),
    (b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "error.avatar_invalid"),
    (b"", "error.avatar_invalid"),
    ("text", "error.avatar_invalid"),
    (b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1), "error.avatar_too_large"),
])
def test_avatar_refuses_what_is_not_an_allowed_image(session, data, key):
    member = make_user(session, "dewi@x.example")
    with pytest.raises(InvalidInput) as error:
        profiles.save_avatar(actor_of(member), session=session, data=data)
    assert error.value.key == key
    session.refresh(member)
    assert member.avatar_file == ""


def test_export_holds_my_data_and_no_secrets(session):
    member = make_user(session, "dewi@x.example", name="Dewi")
    notifications.notify(session, member, "membership.approve", email=False)
    session.commit()
    data = profiles.export_my_data(actor_of(member), session=session)
    text = json.dumps(data)
    assert data["account"]["email"] == "dewi@x.example" and data["notifications"][0]["kind"] == "membership.approve"
    assert "password_hash" not in text and "argon2" not in text


def test_delete_account_erases_personal_data_and_keeps_history_consistent(session):
    staff = make_user(session, "staff@x.example", role="staff", name="Budi")
    member = make_user(session, "dewi@x.example", name="Dewi Lestari")
    profiles.save_avatar(actor_of(member), session=session, data=_image("PNG"))
    ticket = accounts.sign_in(None, session=session, email="dewi@x.example", password=PASSWORD, client_address="1")
    token = open_session_for(session, ticket)
    audit.record(session, actor_of(staff), "member.approve", target_type="user", target_id=member.id)
    notifications.notify(session, member, "membership.approve")
    session.commit()
    avatar = get_settings().upload_dir / "avatars" / session.get(User, member.id).avatar_file

    with pytest.raises(InvalidInput):
        profiles.delete_account(actor_of(member), session=session, password="wrong")
    profiles.delete_account(actor_of(member), session=session, password=PASSWORD)

    session.refresh(member)
    assert member.status == "deleted" and member.name == "" and "dewi" not in member.email
    assert member.bio == member.business_name == member.avatar_file == ""
    assert not avatar.exists()
    assert sign_in_sessions.actor_for_token(session=session, token=token) is None
    assert session.exec(select(UserSession)).one().revoked_at is not None
    assert session.exec(select(Notification).where(Notification.user_id == member.id)).all() == []
    assert session.exec(select(AuditEntry)).one().target_id == member.id
    end_read(session)
    with pytest.raises(InvalidInput):
        accounts.sign_in(None, session=session, email="dewi@x.example", password=PASSWORD, client_address="2")
    # The address can be used for a new account.
    accounts.sign_up(None, session=session, form={"name": "Dewi", "email": "dewi@x.example", "password": PASSWORD,
                                                  "consent": "on"})
    assert session.exec(select(User).where(User.email_normalized == "dewi@x.example")).one().status == "pending"
