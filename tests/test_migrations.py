"""The schema comes from Alembic migrations run from empty, and matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub_app.models import metadata


def test_migrations_from_empty_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, metadata)
    assert differences == []
