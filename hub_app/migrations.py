"""Alembic from code: the CLI, `make run` and the tests all migrate the same way."""

from alembic.config import Config
from sqlalchemy.engine import Engine

from alembic import command
from hub_app.settings import PROJECT_ROOT, get_settings


def alembic_config() -> Config:
    return Config(str(PROJECT_ROOT / "alembic.ini"))


def upgrade(engine: Engine | None = None) -> None:
    """Migrates the database (HUB_DATABASE_URL, or `engine`) to the newest schema."""
    config = alembic_config()
    if engine is None:
        url = get_settings().database_url
        if url.startswith("sqlite:///"):
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        command.upgrade(config, "heads")
        return
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
