"""Arranging forum data for service tests (both engines)."""

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from hub_app.domain.permissions import Actor
from hub_app.models import ForumCategory, ForumPost, ForumThread, Notification, User
from hub_app.services import forum
from tests.accounts.factories import actor_of, make_user


class People:
    """One user of each kind a forum rule cares about."""

    def __init__(self, session: Session):
        self.staff_user = make_user(session, "budi@staff.example", name="Budi Santoso", role="staff")
        self.admin_user = make_user(session, "sari@staff.example", name="Sari Wulandari", role="admin")
        self.rina_user = make_user(session, "rina@umkm.example", name="Rina Kusuma")
        self.andi_user = make_user(session, "andi@startup.example", name="Andi Pratama")
        self.maya_user = make_user(session, "maya@tech.example", name="Maya Hartono")
        self.dewi_user = make_user(session, "dewi@craft.example", name="Dewi Lestari", status="pending")
        self.staff, self.admin = actor_of(self.staff_user), actor_of(self.admin_user)
        self.rina, self.andi, self.maya = actor_of(self.rina_user), actor_of(self.andi_user), actor_of(self.maya_user)
        self.dewi = actor_of(self.dewi_user)


def make_categories(session: Session) -> dict[str, ForumCategory]:
    categories = {
        "pengumuman": ForumCategory(slug="pengumuman", name_id="Pengumuman", name_en="Announcements", position=1,
                                    read_access="public", start_access="staff"),
        "kolaborasi": ForumCategory(slug="kolaborasi", name_id="Kolaborasi & mitra",
                                    name_en="Collaboration and partners", position=2, read_access="public",
                                    start_access="members"),
        "internal": ForumCategory(slug="internal", name_id="Ruang anggota", name_en="Members' room", position=3,
                                  read_access="members", start_access="members"),
    }
    for category in categories.values():
        session.add(category)
    session.commit()
    return categories


def trust(session: Session, actor: Actor, category: str = "kolaborasi") -> None:
    """Gives a member enough published posts that their links no longer wait for review."""
    saved = forum.start_thread(actor, session=session, slug=category, title="Perkenalan singkat",
                               body="Halo semua, salam kenal.")
    for number in range(2):
        forum.reply(actor, session=session, thread_id=saved.thread_id, body=f"Tambahan {number}")
    age_posts(session, actor.user_id)


def age_posts(session: Session, user_id: int, by: timedelta = timedelta(hours=2)) -> None:
    """Moves a member's posts and threads back in time (out of the rate-limit windows)."""
    for model in (ForumPost, ForumThread):
        rows = session.exec(select(model).where(model.author_id == user_id)).all()
        for row in rows:
            row.created_at = row.created_at - by
            session.add(row)
    session.commit()


def notifications_of(session: Session, user_id: int) -> list[Notification]:
    return list(session.exec(select(Notification).where(Notification.user_id == user_id)
                             .order_by(col(Notification.id))).all())


def kinds_of(session: Session, user_id: int) -> list[str]:
    return [row.kind for row in notifications_of(session, user_id)]


def clear_notifications(session: Session) -> None:
    session.exec(delete(Notification))
    session.commit()


def handle_of(session: Session, user_id: int) -> str:
    return session.get(User, user_id).handle
