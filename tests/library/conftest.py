import pytest

from tests.clients import Client
from tests.library import factories


@pytest.fixture
def library(db):
    return factories.library_index()


@pytest.fixture
def anonymous_client(db):
    """A visitor who is not signed in, usable beside `member_client` in the same test."""
    return Client()
