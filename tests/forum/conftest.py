import pytest

from tests.forum.helpers import People, make_categories


@pytest.fixture
def people(session):
    return People(session)


@pytest.fixture
def categories(session):
    return make_categories(session)
