"""The training journey in real browsers against the production portal:

a visitor on a 390 px phone (Indonesian) filters the catalogue, opens a training, is sent to sign in
and comes back, enrols and sees the seat count drop; with the training now full a second member (on
a laptop, English) joins the waitlist and sees the place; the first cancels, and the second is
promoted and notified (bell, /notifications, email); staff mark attendance on a phone by tapping the
name, and the training shows as completed on the member's profile. Screenshots of every step go to
test-output/screenshots/<engine>/trainings-*.png."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from hub_app.db import begin_write
from hub_app.models import Space
from hub_app.models.base import utcnow
from hub_app.models.trainings import Enrolment, Training, TrainingSession
from hub_app.services import space_reservations
from tests.browser.conftest import PASSWORD
from tests.browser.helpers import open_page, wait_for_app

pytestmark = pytest.mark.browser

TITLE_ID = "Pemasaran Instagram & TikTok untuk UMKM"
TITLE_EN = "Instagram & TikTok marketing for small businesses"


def _arrange(portal) -> dict:
    """A 2-seat marketing training whose one session starts in a few minutes (so enrolment is still
    open and attendance already is), one seat already taken; and a finance training the filter hides."""
    staff = portal.make_user("budi.staf@jfch.example", "Budi Santoso", role="staff")
    rina = portal.make_user("rina.kusuma@umkm.example", "Rina Kusuma")
    andi = portal.make_user("andi.pratama@startup.example", "Andi Pratama", locale="en")
    filler = portal.make_user("putri.ananda@umkm.example", "Putri Ananda")
    now = utcnow()
    start = now + timedelta(minutes=12)
    with portal.session() as session:
        begin_write(session)  # one write transaction, as the staff service would run it
        room = Space(kind="meeting_room", name_id="Ruang Berlin", name_en="Berlin Room", capacity=12,
                     amenities=["screen"])
        session.add(room)
        session.flush()
        made = {}
        for key, title_id, title_en, topic, first in (
                ("marketing", TITLE_ID, TITLE_EN, "digital_marketing", start),
                ("finance", "Pembukuan sederhana dengan spreadsheet", "Simple bookkeeping", "finance",
                 now + timedelta(days=3))):
            training = Training(
                title_id=title_id, title_en=title_en, description_id="Bawa ponsel Anda: kita **praktik**.",
                description_en="Bring your phone: we **practise**.", topic=topic, level="beginner",
                language="id", format="hub", capacity=2, enrol_opens_at=now - timedelta(days=5),
                enrol_closes_at=first, cancel_until=first, status="published",
                search_text=f"{title_id} {title_en}".lower())
            session.add(training)
            session.flush()
            row = TrainingSession(training_id=training.id, start_at=first, end_at=first + timedelta(hours=2),
                                  space_id=room.id, check_in_code=f"{training.id:032d}")
            session.add(row)
            session.flush()
            row.booking_id = space_reservations.reserve_for_training(
                session, space_id=room.id, start=row.start_at, end=row.end_at, title_id=title_id,
                title_en=title_en, training_session_id=row.id)
            training.starts_at, training.ends_at, training.session_count = row.start_at, row.end_at, 1
            session.add_all([row, training])
            made[key] = training.id
        session.add(Enrolment(training_id=made["marketing"], user_id=filler.id, status="enrolled",
                              enrolled_at=now))
        marketing = session.get(Training, made["marketing"])
        marketing.enrolled_count = 1
        session.add(marketing)
        session.commit()
        session_id = session.exec(select(TrainingSession.id).where(
            TrainingSession.training_id == made["marketing"])).one()
    return {"staff": staff, "rina": rina, "andi": andi, "filler": filler, "session_id": session_id, **made}


def _statuses(portal, training_id: int) -> dict[int, str]:
    with portal.session() as session:
        return {row.user_id: row.status for row in session.exec(
            select(Enrolment).where(Enrolment.training_id == training_id)).all()}


def test_filter_enrol_waitlist_promotion_attendance_completion(phone, laptop, portal, shot):
    world = _arrange(portal)
    marketing, rina, andi = world["marketing"], world["rina"], world["andi"]

    # 1. A visitor filters the catalogue on a phone.
    # (Other journeys on the same portal add trainings of their own: look at this journey's two.)
    open_page(phone, "/trainings")
    cards = phone.get_by_test_id("training-card")
    expect(cards.filter(has_text=TITLE_ID)).to_have_count(1)
    expect(cards.filter(has_text="Pembukuan sederhana")).to_have_count(1)
    phone.get_by_text("Filter", exact=True).click()
    phone.get_by_label("Topik").select_option("digital_marketing")
    phone.get_by_label("Hanya yang masih ada kursi").check()
    shot(phone, "trainings-01-filters-phone-id")
    phone.get_by_role("button", name="Terapkan filter").click()
    expect(cards.filter(has_text="Pembukuan sederhana")).to_have_count(0)
    card = cards.filter(has_text=TITLE_ID)
    expect(card).to_have_count(1)
    expect(card).to_contain_text(TITLE_ID)
    expect(card.get_by_test_id("seats-left")).to_have_text("1")
    shot(phone, "trainings-02-filtered-phone-id")

    # 2. Opens it, is sent to sign in, and comes back to the training.
    card.get_by_role("link").click()
    phone.wait_for_url(re.compile(rf"/trainings/{marketing}$"))
    wait_for_app(phone)
    expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE_ID)
    expect(phone.get_by_text("Ruang Berlin").first).to_be_visible()
    phone.get_by_test_id("enrol").click()
    phone.wait_for_url(re.compile(r"/login"))
    wait_for_app(phone)
    assert f"next=/trainings/{marketing}" in phone.url
    phone.get_by_label("Email").fill(rina.email)
    phone.get_by_label("Kata sandi").fill(PASSWORD)
    phone.get_by_role("button", name="Masuk", exact=True).last.click()
    phone.wait_for_url(re.compile(rf"/trainings/{marketing}$"))
    wait_for_app(phone)

    # 3. Enrols and sees the seat count drop (1 left -> full).
    expect(phone.get_by_test_id("seats-left")).to_have_text("1")
    shot(phone, "trainings-03-before-enrol-phone-id")
    phone.get_by_test_id("enrol").click()
    expect(phone.get_by_role("status").filter(has_text="Anda terdaftar")).to_be_visible()
    expect(phone.get_by_test_id("my-status")).to_have_text("Terdaftar")
    expect(phone.get_by_text("Penuh")).to_be_visible()
    expect(phone.get_by_test_id("waitlist-length")).to_have_text("0")
    shot(phone, "trainings-04-enrolled-phone-id")
    assert _statuses(portal, marketing)[rina.id] == "enrolled"

    # 4. The training is full: a second member, on a laptop in English, joins the waitlist.
    portal.sign_in(laptop.context, andi)
    open_page(laptop, f"/trainings/{marketing}?lang=en")
    expect(laptop.get_by_role("heading", level=1)).to_have_text(TITLE_EN)
    laptop.get_by_role("button", name="Join the waitlist").click()
    expect(laptop.get_by_test_id("waitlist-position")).to_have_text("Your place on the waitlist: 1")
    expect(laptop.get_by_test_id("my-status")).to_contain_text("Waitlisted")
    shot(laptop, "trainings-05-waitlisted-laptop-en")
    assert _statuses(portal, marketing)[andi.id] == "waitlisted"

    # 5. The first member cancels (from My trainings); the second is promoted at once.
    open_page(phone, "/trainings/mine")
    mine = phone.get_by_test_id("mine-upcoming").get_by_test_id("my-training")
    expect(mine).to_contain_text(TITLE_ID)
    shot(phone, "trainings-06-my-trainings-phone-id")
    # It asks first and says what happens to the seat.
    mine.locator("summary", has_text="Batalkan pendaftaran").click()
    expect(mine).to_contain_text("Kursi Anda diberikan kepada orang berikutnya di daftar tunggu.")
    shot(phone, "trainings-06b-cancel-asks-first-phone-id")
    mine.get_by_role("button", name="Ya, batalkan pendaftaran").click()
    expect(phone.get_by_test_id("mine-upcoming").get_by_test_id("my-training")).to_have_count(0)
    shot(phone, "trainings-07-cancelled-phone-id")
    assert _statuses(portal, marketing) == {world["filler"].id: "enrolled", rina.id: "withdrawn",
                                            andi.id: "enrolled"}

    # ...and is notified: the bell, /notifications, and an email.
    open_page(laptop, "/notifications")
    expect(laptop.get_by_test_id("bell")).to_contain_text("1")
    expect(laptop.get_by_text(f"You got a seat: {TITLE_EN}")).to_be_visible()
    shot(laptop, "trainings-08-promoted-notification-laptop-en")
    assert any(TITLE_EN in email.subject for email in portal.outbox(andi.email))
    open_page(laptop, f"/trainings/{marketing}")
    expect(laptop.get_by_test_id("my-status")).to_have_text("Enrolled")

    # 6. Staff take attendance on a phone by tapping the name.
    phone.context.clear_cookies()
    portal.sign_in(phone.context, world["staff"])
    open_page(phone, f"/admin/trainings/{marketing}")
    expect(phone.get_by_test_id("roster-enrolled")).to_contain_text("Andi Pratama")
    phone.get_by_test_id("attendance-link").click()
    phone.wait_for_url(re.compile(rf"/sessions/{world['session_id']}$"))
    wait_for_app(phone)
    expect(phone.get_by_test_id("present-count")).to_have_text("Hadir: 0 dari 2")
    toggle = phone.get_by_role("switch", name=re.compile("Andi Pratama"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-checked", "true")
    expect(phone.get_by_test_id("present-count")).to_have_text("Hadir: 1 dari 2")
    phone.get_by_role("button", name="Tampilkan kode QR presensi").click()
    expect(phone.get_by_role("img", name="Kode QR presensi sesi ini")).to_be_visible()
    shot(phone, "trainings-09-attendance-phone-id")

    # 7. The training shows as completed on the member's profile.
    open_page(laptop, "/profile")
    expect(laptop.get_by_test_id("completed-trainings")).to_contain_text(TITLE_EN)
    shot(laptop, "trainings-10-profile-completed-laptop-en")
    open_page(laptop, f"/trainings/{marketing}")
    expect(laptop.get_by_test_id("completed")).to_be_visible()
    shot(laptop, "trainings-11-training-completed-laptop-en")
