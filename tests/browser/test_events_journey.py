"""The events journey in real browsers against the production portal:

a visitor on a 390 px phone (Indonesian) finds the event on /events, registers as a guest (the form
says what is kept and for how long), gets the neutral "check your email" answer, opens the link from
the mail (nothing happens until the button) and confirms, and sees the ticket; a member on a laptop
(English) registers in one tap and sees the ticket, the QR, the .ics link and the online link; staff
on a phone check the guest in by typing the code (twice: "already") and the member by scanning the
ticket's QR with the camera (Chromium's fake camera plays a video of the QR; Linux Chromium has no
BarcodeDetector, so this runs the jsQR path), and the roster shows both checked in. The served HTML
of /events/<id> carries the event's OpenGraph/Twitter tags for link previews. Screenshots go to
test-output/screenshots/<engine>/events-*.png."""

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import segno
from playwright.sync_api import expect
from sqlmodel import select

from hub_app.domain.permissions import Actor
from hub_app.models import Space
from hub_app.models.base import utcnow
from hub_app.models.events import EventRegistration
from hub_app.services import events
from hub_app.services.trainings import local_input
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import ROOT, open_page, wait_for_app

pytestmark = pytest.mark.browser

TITLE_ID = "Demo day startup Jakarta–Berlin"
TITLE_EN = "Jakarta–Berlin startup demo day"
GUEST_EMAIL = "sari.wulandari@tamu.example"


def _arrange(portal) -> dict:
    """A published event at a hub space that starts in an hour (registration still open, the door
    already open), guests welcome, 10 seats."""
    staff = portal.make_user("dewi.acara@jfch.example", "Dewi Lestari", role="staff")
    member = portal.make_user("andi.acara@startup.example", "Andi Pratama", locale="en")
    with portal.session() as session:
        hall = Space(kind="event_hall", name_id="Aula Berlin", name_en="Berlin Hall", capacity=80,
                     amenities=["screen"], location="Lantai 23", location_en="23rd floor")
        session.add(hall)
        session.commit()
        hall_id = hall.id
    actor = Actor(staff.id, staff.role, staff.status, staff.name, "id")
    starts = utcnow() + timedelta(hours=1)
    with portal.session() as session:
        event_id = events.create_event(actor, session=session, form={
            "title_id": TITLE_ID, "title_en": TITLE_EN,
            "description_id": "Sepuluh startup binaan hub tampil di depan **investor** dan mitra Berlin.",
            "description_en": "Ten hub startups pitch to **investors** and the Berlin partners.",
            "starts_at": local_input(starts), "ends_at": local_input(starts + timedelta(hours=3)),
            "place": "space", "space_id": str(hall_id), "online_url": "", "capacity": "10",
            "audience": "everyone"})
    with portal.session() as session:
        events.publish_event(actor, session=session, event_id=event_id)
    return {"staff": staff, "member": member, "event_id": event_id}


def _qr_video(code: str, path: Path) -> Path:
    """A few seconds of Y4M video (what Chromium's fake camera plays) showing the ticket's QR code, as
    the page draws it (domain/events.py ticket_qr_svg: a full QR, not a Micro QR)."""
    from PIL import Image

    width, height = 640, 480
    qr = segno.make_qr(code, error="m")
    image = Image.new("L", (width, height), 255)
    buffer = path.with_suffix(".png")
    qr.save(str(buffer), scale=10, border=4)
    code_image = Image.open(buffer).convert("L")
    image.paste(code_image, ((width - code_image.width) // 2, (height - code_image.height) // 2))
    luma = image.tobytes()
    chroma = bytes([128]) * (width * height // 4)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(20):
            video.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def _no_overflow(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_guest_on_a_phone_member_on_a_laptop_and_staff_at_the_door(phone, laptop, portal, shot):
    arranged = _arrange(portal)
    event_id = arranged["event_id"]

    # A visitor on a phone, in Indonesian: the list, the event, the guest form.
    open_page(phone, "/events")
    card = phone.get_by_test_id("event-card").filter(has_text=TITLE_ID)
    expect(card).to_be_visible()
    expect(card).to_contain_text("10")
    _no_overflow(phone)
    shot(phone, "events-01-list-phone")
    card.get_by_role("link").click()
    phone.wait_for_url(f"**/events/{event_id}")
    wait_for_app(phone)
    expect(phone.get_by_test_id("event-title")).to_have_text(TITLE_ID)
    expect(phone.get_by_test_id("guest-privacy")).to_contain_text("30 hari")
    phone.get_by_label("Nama", exact=True).fill("Sari Wulandari")
    phone.get_by_label("Email", exact=True).fill(GUEST_EMAIL)
    phone.get_by_label("Organisasi (opsional)").fill("Batik Sari")
    _no_overflow(phone)
    shot(phone, "events-02-guest-form-phone")
    phone.get_by_role("button", name="Kirim tautan konfirmasi").click()
    expect(phone.get_by_test_id("guest-sent")).to_contain_text("Periksa email Anda")
    shot(phone, "events-03-check-your-email-phone")

    # The link from the mail: opening it changes nothing; the button confirms.
    link = portal.email_link(GUEST_EMAIL, "/events/confirm/")
    open_page(phone, link)
    with portal.session() as session:
        assert session.exec(select(EventRegistration.status)).all() == ["unconfirmed"]
    expect(phone.get_by_role("button", name="Konfirmasi")).to_be_visible()
    phone.get_by_role("button", name="Konfirmasi").click()
    expect(phone.get_by_test_id("guest-confirmed")).to_contain_text("dikonfirmasi")
    guest_code = phone.get_by_test_id("ticket-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", guest_code)
    expect(phone.get_by_test_id("ticket-qr")).to_be_visible()
    _no_overflow(phone)
    shot(phone, "events-04-guest-confirmed-phone")

    # A member on a laptop, in English: one tap.
    portal.sign_in(laptop.context, arranged["member"])
    open_page(laptop, f"/events/{event_id}")
    expect(laptop.get_by_test_id("event-title")).to_have_text(TITLE_EN)
    expect(laptop.get_by_test_id("seats-left").first).to_have_text("9")
    laptop.get_by_test_id("register").click()
    expect(laptop.get_by_text("You are registered")).to_be_visible()
    member_code = laptop.get_by_test_id("ticket-code").inner_text()
    expect(laptop.get_by_test_id("registration-status")).to_have_text("Registered")
    expect(laptop.get_by_test_id("event-ics")).to_have_attribute("href", re.compile(r"^/api/events/tickets/.+\.ics$"))
    expect(laptop.get_by_test_id("seats-left").first).to_have_text("8")
    shot(laptop, "events-05-member-ticket-laptop")
    open_page(laptop, "/events")
    expect(laptop.get_by_test_id("my-event").filter(has_text=TITLE_EN)).to_contain_text("Registered")
    shot(laptop, "events-06-my-events-laptop")

    # Staff at the door on a phone: the guest's code typed (twice), then the roster.
    portal.sign_in(phone.context, arranged["staff"])
    open_page(phone, f"/admin/events/{event_id}/door")
    phone.get_by_label("Kode tiket").fill(guest_code.lower().replace("-", ""))
    phone.get_by_role("button", name="Check-in", exact=True).click()
    expect(phone.get_by_test_id("door-result")).to_have_text("Hadir: Sari Wulandari")
    expect(phone.get_by_test_id("door-counts")).to_contain_text("1 hadir dari 2 terdaftar")
    _no_overflow(phone)
    shot(phone, "events-07-door-typed-phone")
    phone.get_by_label("Kode tiket").fill(guest_code)
    phone.get_by_role("button", name="Check-in", exact=True).click()
    expect(phone.get_by_test_id("door-result")).to_have_text("Sudah check-in sebelumnya: Sari Wulandari")

    # The member's ticket scanned with the camera, in a Chromium whose camera plays the ticket's QR.
    video = _qr_video(member_code.replace("-", ""), ROOT / "test-output" / f"events-qr-{portal.engine_name}.y4m")
    camera = phone.context.browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera.new_context(viewport={"width": 390, "height": 844}, locale="id-ID", is_mobile=True,
                                     has_touch=True, base_url=portal.url, timezone_id="Asia/Jakarta")
        context.grant_permissions(["camera"], origin=portal.url)
        page = context.new_page()
        portal.sign_in(context, arranged["staff"])
        page.goto(f"/admin/events/{event_id}/door")
        expect(page.get_by_text(TITLE_ID)).to_be_visible()  # the page's load event has run
        page.get_by_test_id("door-scan").click()
        expect(page.get_by_test_id("door-result")).to_have_text("Hadir: Andi Pratama", timeout=30_000)
        shot(page, "events-08-door-camera-phone")
    finally:
        camera.close()

    open_page(phone, f"/admin/events/{event_id}")
    expect(phone.get_by_test_id("roster-counts")).to_contain_text("2 hadir dari 2 terdaftar")
    expect(phone.get_by_test_id("event-roster-row")).to_have_count(2)
    shot(phone, "events-09-roster-phone")

    # Link previews: the tags are in the HTML the address serves (crawlers run no scripts).
    html = httpx.get(f"{portal.url}/events/{event_id}").text
    assert f'<meta property="og:title" content="{TITLE_ID}"/>' in html
    assert 'property="og:description" content="Sepuluh startup binaan hub' in html
    assert '<meta name="twitter:card"' in html
    english = httpx.get(f"{portal.url}/events/{event_id}?lang=en").text
    assert f'content="{TITLE_EN}"' in english

