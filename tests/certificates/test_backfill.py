"""Revision 0013 gives the members who completed a training before it their certificate: run from
a database where completions exist and the certificates table does not (0013 taken down again),
on SQLite and PostgreSQL."""

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session, select

from alembic import command
from hub_app.domain import certificates as rules
from hub_app.migrations import alembic_config
from hub_app.models import User
from hub_app.models.base import utcnow
from hub_app.models.certificates import Certificate
from hub_app.models.trainings import Enrolment
from tests.trainings.helpers import make_training, members


def _migrate(engine, verb: str, target: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, verb)(config, target)


def test_existing_completions_get_their_certificates(engine):
    now = utcnow()
    with Session(engine, expire_on_commit=False) as session:
        training = make_training(session, sessions=[(now - timedelta(days=3, hours=2), now - timedelta(days=3)),
                                                    (now - timedelta(days=1, hours=1), now - timedelta(days=1))],
                                 opens=now - timedelta(days=9), closes=now - timedelta(days=4),
                                 cancel_until=now - timedelta(days=4))
        done, gone, enrolled = members(session, 3)
        for actor, completed in ((done, now - timedelta(days=1)), (gone, now - timedelta(days=1)), (enrolled, None)):
            session.add(Enrolment(training_id=training.id, user_id=actor.user_id, status="enrolled",
                                  enrolled_at=now - timedelta(days=5), completed_at=completed))
        session.get(User, gone.user_id).status = "deleted"
        session.commit()
    try:
        _migrate(engine, "downgrade", "0013@-1")
        with engine.connect() as connection:
            tables = connection.execute(text(
                "SELECT name FROM sqlite_master WHERE name IN ('certificates', 'events')"
                if engine.dialect.name == "sqlite"
                else "SELECT tablename FROM pg_tables WHERE tablename IN ('certificates', 'events')")).all()
        assert [row[0] for row in tables] == ["events"]  # only 0013 went
    finally:
        _migrate(engine, "upgrade", "heads")
    with Session(engine) as session:
        [certificate] = session.exec(select(Certificate)).all()
        name = session.get(User, done.user_id).name
    assert (certificate.user_id, certificate.training_id, certificate.status) == (done.user_id, training.id, "valid")
    assert certificate.name == name and certificate.minutes == 180
    assert rules.parse_code(certificate.code) == certificate.code
    assert certificate.issued_at == now - timedelta(days=1)
    assert (certificate.starts_at, certificate.ends_at) == (training.starts_at, training.ends_at)
