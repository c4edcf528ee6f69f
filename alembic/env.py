"""Migrations run against the engine from hub_app.db (HUB_DATABASE_URL), or a connection the
tests hand over in config.attributes["connection"]."""

from alembic import context
from hub_app.db import get_engine
from hub_app.models import include_object, metadata

config = context.config


def run_migrations(connection) -> None:
    # include_object: autogenerate leaves the forum's engine-specific full-text search objects alone.
    context.configure(connection=connection, target_metadata=metadata, include_object=include_object,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    with get_engine().connect() as connection:
        run_migrations(connection)
