"""The schema comes from Alembic migrations run from empty, and matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub_app.models import include_object, metadata


def test_migrations_from_empty_match_the_models(engine):
    with engine.connect() as connection:
        # include_object skips what migrations build for one engine only and the models do not
        # describe: the forum's FTS5 tables (SQLite) and tsvector column + GIN index (PostgreSQL).
        context = MigrationContext.configure(connection, opts={"compare_type": False,
                                                               "include_object": include_object})
        differences = compare_metadata(context, metadata)
    assert differences == []
