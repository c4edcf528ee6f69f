"""Every route of the app, with content behind its dynamic segments, for the tests that visit them
all (accessibility, language). The routes come from the @rx.page declarations (like
test_content_security_policy.py); the content is one of each thing a dynamic route shows, written
in both languages where staff write both, so pages show real content rather than "not found".

arrange(portal) is idempotent: both test modules call it on the same portal."""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from hub_app.db import begin_write
from hub_app.domain.permissions import Actor
from hub_app.models import ForumCategory, ForumThread, Space
from hub_app.models.base import utcnow
from hub_app.models.trainings import Training, TrainingSession
from hub_app.seed import forum as forum_seed
from hub_app.services import events, forum, space_reservations
from tests.browser.helpers import open_page, wait_for_app

PAGES = Path(__file__).resolve().parents[2] / "hub_app" / "pages"
_ROUTE = re.compile(r'@rx\.page\(\s*route="([^"]+)",\s*title=page_title\("([^"]+)"\)')

STAFF_EMAIL = "tour.staff@tour.example"
MEMBER_EMAIL = "tour.member@tour.example"
SPACE = {"name_id": "Ruang Rapat Tur", "name_en": "Tour Meeting Room",
         "description_id": "Ruang rapat kecil untuk uji keliling halaman.",
         "description_en": "A small meeting room for the page tour.",
         "location": "Lantai 23, R. 2399", "location_en": "23rd floor, room 2399"}
TRAINING = {"title_id": "Dasar pembukuan untuk UMKM", "title_en": "Bookkeeping basics for small businesses",
            "description_id": "Catat pemasukan dan pengeluaran dengan **spreadsheet**.",
            "description_en": "Record income and spending in a **spreadsheet**."}
THREAD = {"title": "Tur halaman: mencari mitra logistik", "body": "Kami mencari mitra pengiriman untuk Jabodetabek."}
EVENT = {"title_id": "Temu komunitas tur", "title_en": "Tour community meetup",
         "description_id": "Berkenalan dengan **anggota** hub.", "description_en": "Meet the hub's **members**.",
         "place": "online", "online_url": "https://meet.example/tour", "capacity": "30", "audience": "everyone"}
MEMBER_PROFILE = {"business_name": "Kopi Tur Nusantara", "sector": "culinary", "stage": "early",
                  "bio": "Sangrai kopi kecil di Jakarta Timur.", "offers": "Biji kopi sangrai",
                  "looking_for": "Mitra logistik", "show_in_directory": True}


@dataclass
class Tour:
    staff: object
    member: object
    params: dict[str, str]
    # What members and staff wrote (one language each): shown as written on every page.
    user_content: set[str] = field(default_factory=set)


def declared_routes() -> dict[str, str]:
    """{route: title catalogue key} of every @rx.page(route=..., title=page_title(...))."""
    found = {}
    for module in PAGES.glob("*.py"):
        found.update(_ROUTE.findall(module.read_text()))
    return found


def all_route_patterns() -> set[str]:
    routes = set()
    for module in PAGES.glob("*.py"):
        routes.update(re.findall(r'route="([^"]+)"', module.read_text()))
    return routes


def path_of(route: str, params: dict[str, str]) -> str:
    if route == "404":
        return "/no-such-page-on-the-hub"
    return re.sub(r"\[([^\]]+)\]", lambda match: params.get(match.group(1), "1"), route)


def arrange(portal) -> Tour:
    staff = portal.user(STAFF_EMAIL) or portal.make_user(STAFF_EMAIL, "Dewi Lestari", role="staff")
    member = portal.user(MEMBER_EMAIL) or portal.make_user(MEMBER_EMAIL, "Rudi Hartono", **MEMBER_PROFILE)
    with portal.session() as session:
        begin_write(session)  # read-then-insert, as in _tour_certificate
        forum_seed.seed(session)
        begin_write(session)
        space = session.exec(select(Space).where(Space.name_id == SPACE["name_id"])).first()
        if space is None:
            space = Space(kind="meeting_room", capacity=6, amenities=["screen", "wifi"], **SPACE)
            session.add(space)
            session.commit()
        training = session.exec(select(Training).where(Training.title_id == TRAINING["title_id"])).first()
        if training is None:
            session.rollback()
            begin_write(session)  # the booking of the session's room is a write of a shared resource
            now = utcnow()
            first = now + timedelta(days=2)
            search_text = f"{TRAINING['title_id']} {TRAINING['title_en']}".lower()
            training = Training(topic="finance", level="beginner", language="id", format="hub", capacity=10,
                                enrol_opens_at=now - timedelta(days=1), enrol_closes_at=first, cancel_until=first,
                                status="published", search_text=search_text, **TRAINING)
            session.add(training)
            session.flush()
            row = TrainingSession(training_id=training.id, start_at=first, end_at=first + timedelta(hours=2),
                                  space_id=space.id, check_in_code=f"tour{training.id:028d}")
            session.add(row)
            session.flush()
            row.booking_id = space_reservations.reserve_for_training(
                session, space_id=space.id, start=row.start_at, end=row.end_at, title_id=TRAINING["title_id"],
                title_en=TRAINING["title_en"], training_session_id=row.id)
            training.starts_at, training.ends_at, training.session_count = row.start_at, row.end_at, 1
            session.add_all([row, training])
            session.commit()
        training_session = session.exec(select(TrainingSession).where(
            TrainingSession.training_id == training.id)).first()
        category = session.exec(select(ForumCategory).where(ForumCategory.start_access == "members",
                                                            ForumCategory.read_access == "public")
                                .order_by(ForumCategory.position)).first()
        thread = session.exec(select(ForumThread).where(ForumThread.title == THREAD["title"])).first()
        params = {"space": str(space.id), "training_id": str(training.id),
                  "training_session_id": str(training_session.id), "check_in_code": training_session.check_in_code,
                  "forum_category": category.slug, "directory_member": str(member.id),
                  "token": "not-a-real-verification-token-0000000000"}
    if thread is None:
        with portal.session() as session:
            saved = forum.start_thread(Actor(member.id, member.role, member.status, member.name, "id"),
                                       session=session, slug=params["forum_category"], **THREAD)
        thread_id = saved.thread_id
    else:
        thread_id = thread.id
    params["forum_thread"] = str(thread_id)
    params["code"] = _tour_certificate(portal, member, int(params["training_id"]))
    params["event_id"] = str(_tour_event(portal, staff))
    content = {member.name, staff.name, member.email, staff.email, THREAD["title"], THREAD["body"],
               *(value for value in MEMBER_PROFILE.values() if isinstance(value, str))}
    return Tour(staff=staff, member=member, params=params, user_content=content)


def _tour_event(portal, staff) -> int:
    """A published event in both languages (online: no room to reserve)."""
    from hub_app.models.events import Event
    from hub_app.services.trainings import local_input

    with portal.session() as session:
        found = session.exec(select(Event).where(Event.title_id == EVENT["title_id"])).first()
    if found is not None:
        return found.id
    actor = Actor(staff.id, staff.role, staff.status, staff.name, "id")
    starts = utcnow() + timedelta(days=5)
    with portal.session() as session:
        event_id = events.create_event(actor, session=session, form={
            **EVENT, "starts_at": local_input(starts), "ends_at": local_input(starts + timedelta(hours=2))})
    with portal.session() as session:
        events.publish_event(actor, session=session, event_id=event_id)
    return event_id


def _tour_certificate(portal, member, training_id: int) -> str:
    """The member's certificate of the tour's training (shown on /certificates/<code> and /trainings/mine)."""
    from hub_app.domain.certificates import grouped, new_code
    from hub_app.models.certificates import Certificate

    with portal.session() as session:
        begin_write(session)  # read-then-insert: a plain BEGIN fails if the running portal writes between
        found = session.exec(select(Certificate).where(Certificate.user_id == member.id)).first()
        if found is None:
            training = session.get(Training, training_id)
            found = Certificate(code=new_code(), user_id=member.id, training_id=training_id, name=member.name,
                                title_id=training.title_id, title_en=training.title_en, starts_at=training.starts_at,
                                ends_at=training.ends_at, minutes=120, status="valid")
            session.add(found)
            session.commit()
        return grouped(found.code)


def visit_and_evaluate(page, path: str, script: str, arg=None):
    """Opens `path` and evaluates `script` there once the page has hydrated and has its <title>
    (React sets it as the route renders; a dynamic route, which has no prerendered page, may hydrate
    first). When the page sends the browser on after it hydrated (a visitor to /login, a
    verification link to its result), the script runs on the page it lands on, once that one is
    ready too."""
    from playwright.sync_api import Error

    open_page(page, path)
    for _ in range(5):
        try:
            page.wait_for_function("document.title !== ''")
            result = page.evaluate(script, arg)
        except Error as error:
            if "Execution context was destroyed" not in str(error):
                raise
        else:
            if page.hub_hydrated:  # no navigation since the page hydrated
                return result
        page.wait_for_load_state()
        wait_for_app(page)
    raise AssertionError(f"{path} kept navigating")
