import pytest

import hub_app.db
from tests.exports.dataset import arrange


@pytest.fixture
def export_db(engine, monkeypatch):
    """The app's session factory on this parametrisation's database: the exports read their pages
    through hub_app.db.new_session."""
    monkeypatch.setattr(hub_app.db, "get_engine", lambda: engine)
    return engine


@pytest.fixture
def hub(export_db):
    return arrange(export_db)
