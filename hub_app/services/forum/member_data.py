"""The forum's part of a member's data export and erasure (hub_app.services.personal_data)."""

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from hub_app.models import (
    ForumPost,
    ForumReaction,
    ForumReport,
    ForumSuspension,
    ForumThread,
    ForumWatch,
    User,
)
from hub_app.services import personal_data


def _export(session: Session, user_id: int) -> dict:
    threads = session.exec(select(ForumThread).where(ForumThread.author_id == user_id)).all()
    posts = session.exec(select(ForumPost).where(ForumPost.author_id == user_id).order_by(col(ForumPost.id))).all()
    return {
        "threads": [{"id": row.id, "title": row.title, "created_at": row.created_at, "state": row.state}
                    for row in threads],
        "posts": [{"id": row.id, "thread_id": row.thread_id, "markdown": row.body_source, "state": row.state,
                   "created_at": row.created_at, "edited_at": row.edited_at} for row in posts],
        "likes": [{"post_id": row.post_id, "created_at": row.created_at}
                  for row in session.exec(select(ForumReaction).where(ForumReaction.user_id == user_id)).all()],
        "watches": [{"thread_id": row.thread_id, "level": row.level}
                    for row in session.exec(select(ForumWatch).where(ForumWatch.user_id == user_id)).all()],
        "reports": [{"post_id": row.post_id, "reason": row.reason, "note": row.note, "created_at": row.created_at}
                    for row in session.exec(select(ForumReport).where(ForumReport.reporter_id == user_id)).all()],
        "suspensions": [{"until": row.until, "reason": row.reason, "lifted_at": row.lifted_at}
                        for row in session.exec(select(ForumSuspension)
                                                .where(ForumSuspension.user_id == user_id)).all()],
    }


def _erase(session: Session, user_id: int) -> None:
    """Posts stay (the conversation keeps its sense) under "Deleted member" once the account row is
    anonymised; likes, watches and the notes of reports the member wrote go; the handle is freed."""
    liked = session.exec(select(ForumReaction.post_id).where(ForumReaction.user_id == user_id)).all()
    session.exec(delete(ForumReaction).where(col(ForumReaction.user_id) == user_id))
    session.flush()
    for post_id in liked:
        count = session.exec(select(func.count()).where(ForumReaction.post_id == post_id)).one()
        session.exec(update(ForumPost).where(col(ForumPost.id) == post_id).values(like_count=count))
    session.exec(delete(ForumWatch).where(col(ForumWatch.user_id) == user_id))
    session.exec(update(ForumReport).where(col(ForumReport.reporter_id) == user_id).values(note=""))
    session.exec(update(User).where(col(User.id) == user_id).values(handle=None))


personal_data.register("forum", export=_export, erase=_erase)
